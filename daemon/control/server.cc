#include "daemon/control/server.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace pvland {
namespace {

// A client's queue beyond this means it sends requests it does not read the answers of
// (a datagram may hold many requests): it is closed rather than grow pvland.
constexpr size_t kMaxQueuedBytes = 32u << 20;

bool WouldBlock(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

absl::StatusOr<PeerCred> ReadPeerCred(int fd) {
  PeerCred peer;
  ucred uc{};
  socklen_t len = sizeof uc;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0) return absl::ErrnoToStatus(errno, "SO_PEERCRED");
  peer.pid = uc.pid;
  peer.uid = uc.uid;
  peer.gid = uc.gid;
  // The supplementary groups the peer had when it connected (Linux 4.13).
  peer.groups.resize(32);
  for (;;) {
    len = static_cast<socklen_t>(peer.groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, peer.groups.data(), &len) == 0) {
      peer.groups.resize(len / sizeof(gid_t));
      break;
    }
    if (errno != ERANGE) {
      peer.groups.clear();  // without them only the primary group counts
      break;
    }
    peer.groups.resize(len / sizeof(gid_t) + 1);
  }
  return peer;
}

}  // namespace

ControlServer::ControlServer(EventLoop& loop, Dispatcher& dispatcher, Observer* observer, ControlAccess access)
    : loop_(loop),
      dispatcher_(dispatcher),
      observer_(observer),
      access_(std::move(access)),
      clock_(SystemClock::Get()),
      log_limit_("control", clock_),
      rx_(PVL_CTL_MSG_MAX) {}

ControlServer::~ControlServer() {
  if (listen_fd_.valid()) unlink(path_.c_str());
}

absl::Status ControlServer::Listen(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) return absl::InvalidArgumentError("socket path too long");
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);

  // A socket file nobody answers on is left over from a crash: remove it.
  {
    UniqueFd probe(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (connect(probe.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0)
      return absl::AlreadyExistsError(absl::StrCat("another pvland serves ", path));
    if (errno == ECONNREFUSED) unlink(path.c_str());
  }
  listen_fd_.reset(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listen_fd_.valid()) return absl::ErrnoToStatus(errno, "control socket");
  const mode_t old = umask(0177);  // 0600 from the start: no window where others may connect
  const int rc = bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  umask(old);
  if (rc < 0) return absl::ErrnoToStatus(errno, absl::StrCat("bind ", path));
  path_ = path;
  if (access_.group) {
    if (chown(path.c_str(), static_cast<uid_t>(-1), *access_.group) < 0 || chmod(path.c_str(), 0660) < 0)
      return absl::ErrnoToStatus(errno, absl::StrCat("give ", path, " to group ", access_.group_name));
  }
  if (listen(listen_fd_.get(), SOMAXCONN) < 0) return absl::ErrnoToStatus(errno, "listen");
  if (auto s = loop_.AddTimer(kNsPerSec, [this] { CheckStalled(); }); !s.ok()) return s;
  return loop_.Add(listen_fd_.get(), EPOLLIN, [this](uint32_t) { OnAccept(); });
}

void ControlServer::Refuse(int fd, int error, std::string_view why) {
  const std::vector<uint8_t> err = ctl::BuildAck(0, -error, why);
  (void)!send(fd, err.data(), err.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  // A Unix socket closed with unread data resets its peer, whose next read then fails
  // (ECONNRESET) before it reaches the answer above. So: no more data in (the client's
  // later sends fail with EPIPE, and its read gets the answer), and what came is read.
  shutdown(fd, SHUT_RD);
  for (int i = 0; i < 64 && recv(fd, rx_.data(), rx_.size(), MSG_DONTWAIT | MSG_TRUNC) > 0; ++i) {
  }
}

void ControlServer::OnAccept() {
  for (;;) {
    UniqueFd fd(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd.valid()) {
      if (errno == EMFILE || errno == ENFILE) {
        // The connection stays pending and would wake the loop at once again: stop
        // accepting until the next check, a second from now.
        PVL_LOG_RATELIMITED(log_limit_, kWarning, "control: out of file descriptors; accepting again in a second");
        accept_paused_ = loop_.Modify(listen_fd_.get(), 0).ok();
      }
      return;
    }
    auto peer = ReadPeerCred(fd.get());
    if (!peer.ok()) {
      PVL_LOG_RATELIMITED(log_limit_, kWarning, "control: %s; connection closed", peer.status().ToString());
      continue;
    }
    if (!PeerAllowed(*peer, access_)) {
      const std::string why = RefusalMessage(*peer, access_);
      PVL_LOG_RATELIMITED(log_limit_, kWarning, "control: %s", why);
      Refuse(fd.get(), EACCES, why);
      continue;
    }
    if (clients_.size() >= kMaxClients) {
      const std::string why = absl::StrCat("pvland serves at most ", kMaxClients, " control connections at once");
      PVL_LOG_RATELIMITED(log_limit_, kWarning, "control: %s; pid %d refused", why, peer->pid);
      Refuse(fd.get(), EBUSY, why);
      continue;
    }
    const int raw = fd.get();
    auto c = std::make_unique<Client>();
    c->fd = std::move(fd);
    c->armed = EPOLLIN;
    if (!loop_.Add(raw, EPOLLIN, [this, raw](uint32_t ev) { OnClient(raw, ev); }).ok()) continue;
    clients_[raw] = std::move(c);
  }
}

void ControlServer::Close(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  if (it->second->subscribed && observer_ != nullptr) observer_->Unsubscribe(fd);
  loop_.Remove(fd);
  clients_.erase(it);
}

void ControlServer::OnClient(int fd, uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (!c.out.empty()) {
    if (!Flush(c)) c.dead = true;
    // A peer that hung up with its answer unread.
    if (!c.out.empty() && (events & (EPOLLHUP | EPOLLERR))) c.dead = true;
  }
  if (!c.dead && c.out.empty()) {
    if (c.pending_subscription) StartSubscription(c);
    else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ReadRequest(c);
  }
  if (c.dead) {
    Close(fd);
    return;
  }
  Rearm(c);
}

void ControlServer::ReadRequest(Client& c) {
  const ssize_t n = recv(c.fd.get(), rx_.data(), rx_.size(), MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) {
    if (!WouldBlock(errno)) c.dead = true;
    return;
  }
  // Data first: a client may send its last request and hang up before we read it; 0
  // is the hang-up itself.
  if (n == 0) {
    c.dead = true;
    return;
  }
  // A subscriber only listens: anything it sends is ignored.
  if (c.subscribed) return;
  if (static_cast<size_t>(n) > rx_.size()) {
    // The kernel dropped what did not fit; the connection's next datagram is intact.
    uint32_t seq = 0;
    std::memcpy(&seq, rx_.data() + offsetof(nlmsghdr, nlmsg_seq), sizeof seq);
    const std::string why = absl::StrCat("request of ", n, " bytes exceeds the limit of ", PVL_CTL_MSG_MAX,
                                         " bytes; nothing was done");
    PVL_LOG_RATELIMITED(log_limit_, kWarning, "control: %s", why);
    Queue(c, ctl::BuildAck(seq, -EMSGSIZE, why));
    return;
  }
  std::optional<SubscribeSpec> sub = dispatcher_.HandleDatagram(
      rx_.data(), static_cast<size_t>(n), [&](const std::vector<uint8_t>& reply) { Queue(c, reply); });
  if (sub && observer_ != nullptr && !c.dead) {
    c.pending_subscription = std::move(sub);
    // The ack must reach the client before the first event does.
    if (c.out.empty()) StartSubscription(c);
  }
}

void ControlServer::Queue(Client& c, std::vector<uint8_t> datagram) {
  if (c.dead) return;
  if (c.out.empty()) {
    if (send(c.fd.get(), datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return;
    if (!WouldBlock(errno)) {
      c.dead = true;  // EPIPE, ECONNRESET: the client is gone
      return;
    }
    c.stalled_since = clock_.Now();
  }
  if (c.out_bytes + datagram.size() > kMaxQueuedBytes) {
    PVL_LOG_RATELIMITED(log_limit_, kWarning, "control: a client does not read its replies (%d bytes queued); closed",
                        c.out_bytes + datagram.size());
    c.dead = true;
    c.out.clear();
    c.out_bytes = 0;
    return;
  }
  c.out_bytes += datagram.size();
  c.out.push_back(std::move(datagram));
}

bool ControlServer::Flush(Client& c) {
  bool progressed = false;
  while (!c.out.empty()) {
    const std::vector<uint8_t>& d = c.out.front();
    if (send(c.fd.get(), d.data(), d.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
      if (WouldBlock(errno)) break;
      return false;
    }
    c.out_bytes -= d.size();
    c.out.pop_front();
    progressed = true;
  }
  if (progressed) c.stalled_since = clock_.Now();
  return true;
}

void ControlServer::Rearm(Client& c) {
  const uint32_t want = c.out.empty() ? EPOLLIN : EPOLLOUT;
  if (want != c.armed && loop_.Modify(c.fd.get(), want).ok()) c.armed = want;
}

void ControlServer::StartSubscription(Client& c) {
  SubscribeSpec spec = std::move(*c.pending_subscription);
  c.pending_subscription.reset();
  if (auto s = observer_->Subscribe(c.fd.get(), std::move(spec)); s.ok()) {
    c.subscribed = true;
  } else {
    PVL_LOG(kWarning, "control: subscription refused: %s", s.ToString());
    c.dead = true;
  }
}

void ControlServer::CheckStalled() {
  if (accept_paused_) accept_paused_ = !loop_.Modify(listen_fd_.get(), EPOLLIN).ok();  // after EMFILE
  const MonoNs now = clock_.Now();
  std::vector<int> stalled;
  for (const auto& [fd, c] : clients_)
    if (!c->out.empty() && now - c->stalled_since > kStallTimeout) stalled.push_back(fd);
  for (int fd : stalled) {
    PVL_LOG_RATELIMITED(log_limit_, kWarning, "control: a client took nothing of its reply for %d s; closed",
                        kStallTimeout / kNsPerSec);
    Close(fd);
  }
}

}  // namespace pvland
