#include "daemon/dataplane/mirror_sender.h"

#include <arpa/inet.h>
#include <linux/filter.h>

#include <cerrno>
#include <cstring>

#include "include/pvland/ipv4_addr.h"

namespace pvland {
namespace {

int DefaultSend(int fd, mmsghdr* msgs, unsigned n) { return sendmmsg(fd, msgs, n, MSG_DONTWAIT); }

// Errors that say the target cannot be reached now: the batch's other copies to it
// would fail alike.
bool TargetUnreachable(int err) {
  return err == ENETUNREACH || err == EHOSTUNREACH || err == EINVAL || err == EACCES || err == EPERM ||
         err == ENETDOWN || err == EHOSTDOWN || err == EADDRNOTAVAIL;
}

}  // namespace

MirrorSender::MirrorSender(const Clock& clock, SendFn send)
    : send_(send ? std::move(send) : DefaultSend), log_limit_("mirror", clock) {}

absl::Status MirrorSender::Open() {
  if (is_open()) return absl::OkStatus();
  UniqueFd fd(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!fd.valid())
    return absl::PermissionDeniedError(std::string("cannot open the mirror socket (raw IPv4, UDP): ") +
                                       std::strerror(errno));
  // A raw UDP socket is handed every UDP datagram the namespace receives: refuse them all.
  sock_filter none[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  sock_fprog prog{1, none};
  // DF clear: a copy larger than the route's MTU is fragmented by the kernel, as a Linux
  // vxlan device without `df set` does; `length` keeps copies below it.
  const int pmtu = IP_PMTUDISC_DONT;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0 ||
      setsockopt(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) != 0)
    return absl::InternalError(std::string("cannot set up the mirror socket: ") + std::strerror(errno));
  fd_ = std::move(fd);
  return absl::OkStatus();
}

void MirrorSender::Failed(mirror::Session& s, int err) {
  ++s.counters.lost;
  if (s.error == err) return;
  s.error = err;
  if (err == EAGAIN || err == ENOBUFS) {
    PVL_LOG_RATELIMITED(log_limit_, kWarning, "mirror session %s: the mirror socket is full (%s); copies lost until it drains",
                        s.name, strerrorname_np(err));
  } else if (TargetUnreachable(err)) {
    PVL_LOG_RATELIMITED(log_limit_, kWarning, "mirror session %s: target %s unreachable (%s); copies lost", s.name,
                        FormatIpv4(s.target), strerrorname_np(err));
  } else {
    PVL_LOG_RATELIMITED(log_limit_, kWarning, "mirror session %s: a copy to %s refused (%s)", s.name,
                        FormatIpv4(s.target), strerrorname_np(err));
  }
}

void MirrorSender::Sent(mirror::Session& s, uint32_t inner_len) {
  ++s.counters.packets;
  s.counters.bytes += inner_len;
  if (s.error == 0) return;
  s.error = 0;
  PVL_LOG_RATELIMITED(log_limit_, kInfo, "mirror session %s: copies to %s go out again", s.name, FormatIpv4(s.target));
}

size_t MirrorSender::DropSession(mirror::Sessions& sessions, size_t k, size_t end, int err) {
  const absl::Span<const mirror::Datagram> dg = encap_.datagrams();
  const uint32_t dead = dg[index_[k]].session;
  mirror::Session* s = sessions.at(dead);
  size_t w = k;
  for (size_t j = k; j < end; ++j) {
    if (dg[index_[j]].session == dead) {
      if (s != nullptr) Failed(*s, err);
      continue;
    }
    msgs_[w] = msgs_[j];
    index_[w] = index_[j];
    ++w;
  }
  return w;
}

void MirrorSender::Send(mirror::Sessions& sessions, absl::Span<const mirror::Copy> copies) {
  encap_.Build(sessions, copies);
  const absl::Span<const mirror::Datagram> dg = encap_.datagrams();
  const size_t n = dg.size();
  auto lose = [&](size_t k, int err) {
    if (mirror::Session* s = sessions.at(dg[index_[k]].session)) Failed(*s, err);
  };
  msgs_.resize(n);
  iov_.resize(n);
  addrs_.resize(n);
  index_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    iov_[i] = {encap_.bytes(dg[i]), dg[i].len};
    addrs_[i] = {};
    addrs_[i].sin_family = AF_INET;
    addrs_[i].sin_addr.s_addr = htonl(dg[i].target);
    msgs_[i] = {};
    msgs_[i].msg_hdr.msg_name = &addrs_[i];
    msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    msgs_[i].msg_hdr.msg_iov = &iov_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
    index_[i] = static_cast<uint32_t>(i);
  }
  if (!is_open()) {  // cannot happen: adding a session opens the socket first
    for (size_t j = 0; j < n; ++j) lose(j, EBADF);
    return;
  }
  size_t k = 0, end = n;
  while (k < end) {
    const int r = send_(fd_.get(), &msgs_[k], static_cast<unsigned>(end - k));
    if (r > 0) {
      for (size_t j = k; j < k + static_cast<size_t>(r); ++j)
        if (mirror::Session* s = sessions.at(dg[index_[j]].session)) Sent(*s, dg[index_[j]].inner_len);
      k += static_cast<size_t>(r);
      continue;
    }
    const int err = r < 0 ? errno : EIO;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
      // The socket or the queue behind it is full now: the rest of this batch is lost.
      for (size_t j = k; j < end; ++j) lose(j, EAGAIN);
      return;
    }
    if (TargetUnreachable(err)) {
      end = DropSession(sessions, k, end, err);
      continue;
    }
    lose(k, err);  // this datagram alone (too large for the kernel, say)
    ++k;
  }
}

}  // namespace pvland
