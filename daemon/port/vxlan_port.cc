#include "daemon/port/vxlan_port.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/packet/parser.h"
#include "daemon/packet/lost_offload.h"
#include "include/pvland/ipv4_addr.h"

namespace pvland {
namespace {

// Multicast (224/4), the limited broadcast and the rest of 240/4: never one host.
bool IsUnicastIpv4(uint32_t a) { return a != 0 && (a >> 28) < 14; }

sockaddr_in SockAddr(uint32_t addr, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(addr);
  return sa;
}

std::string Binding(const VxlanConfig& c) { return absl::StrCat("local ", FormatIpv4(c.local), " dstport ", c.dstport); }

// Whatever the socket holds for us is read and thrown away.
void Drain(int fd) {
  uint8_t b[64];
  while (recv(fd, b, sizeof b, MSG_DONTWAIT) >= 0) {
  }
}

// Planned sends are flushed beyond this many bytes of wire frames, so a batch of
// super-frames never holds more than this (plus one super-frame's segments) at once.
constexpr size_t kFlushBytes = 512 << 10;

}  // namespace

absl::Status CheckVxlanConfig(const VxlanConfig& cfg) {
  if (cfg.vni > kVniMax) return absl::InvalidArgumentError(absl::StrCat("vni must be 0-", kVniMax));
  if (cfg.remotes.empty()) return absl::InvalidArgumentError("type vxlan needs at least one remote IP");
  if (cfg.remotes.size() > VxlanConfig::kMaxRemotes)
    return absl::InvalidArgumentError(absl::StrCat("at most ", VxlanConfig::kMaxRemotes, " remotes per VXLAN port"));
  for (size_t i = 0; i < cfg.remotes.size(); ++i) {
    const uint32_t r = cfg.remotes[i];
    if ((r >> 28) == 14)
      return absl::InvalidArgumentError(absl::StrCat(
          "remote ", FormatIpv4(r),
          " is a multicast address: pvland sends a copy of each flooded frame to every remote itself"));
    if (!IsUnicastIpv4(r))
      return absl::InvalidArgumentError(absl::StrCat("remote ", FormatIpv4(r), " is not a unicast address"));
    if (std::find(cfg.remotes.begin(), cfg.remotes.begin() + i, r) != cfg.remotes.begin() + i)
      return absl::InvalidArgumentError(absl::StrCat("remote ", FormatIpv4(r), " is given twice"));
  }
  if (cfg.local != 0 && !IsUnicastIpv4(cfg.local))
    return absl::InvalidArgumentError(absl::StrCat("local ", FormatIpv4(cfg.local), " is not a unicast address"));
  if (cfg.dstport == 0) return absl::InvalidArgumentError("dstport must be 1-65535");
  return absl::OkStatus();
}

bool VxlanBindingsOverlap(const VxlanConfig& a, const VxlanConfig& b) {
  return a.dstport == b.dstport && (a.local == 0 || b.local == 0 || a.local == b.local);
}

std::optional<DropReason> CheckVxlanDatagram(const uint8_t* data, size_t len, uint32_t vni) {
  const std::optional<uint32_t> got = ReadVxlanHeader(data, len);
  if (!got) return DropReason::kVxlanMalformed;
  if (*got != vni) return DropReason::kVxlanWrongVni;
  return std::nullopt;
}

void WriteVxlanUdpHeaders(uint8_t* out, uint16_t src_port, uint16_t dst_port, uint32_t vni, size_t frame_len) {
  StoreBe16(out, src_port);
  StoreBe16(out + 2, dst_port);
  StoreBe16(out + 4, static_cast<uint16_t>(kVxlanUdpHeadroom + frame_len));
  StoreBe16(out + 6, 0);  // no checksum: RFC 7348's recommendation over IPv4
  WriteVxlanHeader(out + kUdpHeaderLen, vni);
}

VxlanPort::VxlanPort(std::string name, VxlanConfig cfg, const Clock& clock)
    : Port(std::move(name)), cfg_(std::move(cfg)), clock_(clock) {
  for (uint32_t r : cfg_.remotes) remotes_.push_back({SockAddr(r, cfg_.dstport), TunnelRemote{r}});
}

VxlanPort::~VxlanPort() = default;

void VxlanPort::Close() {
  rx_fd_.reset();
  tx_fd_.reset();
}

absl::Status VxlanPort::Open() {
  Close();
  UniqueFd rx(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!rx.valid()) return absl::ErrnoToStatus(errno, "socket(AF_INET, SOCK_DGRAM)");
  int buf = kRcvBuf;
  if (setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) < 0)
    setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  const sockaddr_in here = SockAddr(cfg_.local, cfg_.dstport);
  if (bind(rx.get(), reinterpret_cast<const sockaddr*>(&here), sizeof here) < 0) {
    const int err = errno;
    if (err == EADDRINUSE)
      return absl::AlreadyExistsError(absl::StrCat(
          Binding(cfg_), " is taken by another socket in pvland's namespace (a kernel vxlan device with dstport ",
          cfg_.dstport, ", or another program)"));
    if (err == EADDRNOTAVAIL)
      return absl::InvalidArgumentError(
          absl::StrCat("local ", FormatIpv4(cfg_.local), " is not an address of pvland's namespace"));
    return absl::ErrnoToStatus(err, absl::StrCat("bind ", Binding(cfg_)));
  }

  UniqueFd tx(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!tx.valid()) return absl::ErrnoToStatus(errno, "socket(AF_INET, SOCK_RAW, IPPROTO_UDP) (needs CAP_NET_RAW)");
  // A raw UDP socket gets a copy of every UDP datagram the namespace receives; this one
  // only sends, so a filter refuses them all, and what came before it is drained.
  sock_filter refuse_all = BPF_STMT(BPF_RET | BPF_K, 0);
  sock_fprog prog{1, &refuse_all};
  if (setsockopt(tx.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
    return absl::ErrnoToStatus(errno, "SO_ATTACH_FILTER");
  Drain(tx.get());
  const int pmtu = IP_PMTUDISC_DONT;
  if (setsockopt(tx.get(), IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0)
    return absl::ErrnoToStatus(errno, "IP_MTU_DISCOVER");
  buf = kSndBuf;
  if (setsockopt(tx.get(), SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf) < 0)
    setsockopt(tx.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  if (cfg_.local != 0) {
    // The source address of every datagram (a raw socket's bound address).
    const sockaddr_in src = SockAddr(cfg_.local, 0);
    if (bind(tx.get(), reinterpret_cast<const sockaddr*>(&src), sizeof src) < 0)
      return absl::ErrnoToStatus(errno, absl::StrCat("bind raw socket to ", FormatIpv4(cfg_.local)));
  }

  if (!rx_buf_) {
    // Default-initialised: pages are touched only as datagrams land in them.
    rx_buf_.reset(new uint8_t[kBatchSize * kSlotBytes]);
    for (size_t i = 0; i < kBatchSize; ++i) {
      rx_iov_[i] = {rx_buf_.get() + i * kSlotBytes + kRxAlign, kMaxDatagram};
      msghdr& h = rx_msgs_[i].msg_hdr;
      h.msg_iov = &rx_iov_[i];
      h.msg_iovlen = 1;
      h.msg_name = &rx_from_[i];
    }
  }
  rx_fd_ = std::move(rx);
  tx_fd_ = std::move(tx);
  return absl::OkStatus();
}

PortState VxlanPort::StateAfterError(std::string* why) const {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(rx_fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  *why = absl::StrCat("socket error: ", std::strerror(err));
  return PortState::kUp;
}

uint64_t VxlanPort::KernelDrops() {
  uint32_t mem[SK_MEMINFO_VARS] = {};
  socklen_t len = sizeof mem;
  if (!rx_fd_.valid() || getsockopt(rx_fd_.get(), SOL_SOCKET, SO_MEMINFO, mem, &len) < 0) return 0;
  return mem[SK_MEMINFO_DROPS];
}

int VxlanPort::RemoteIndex(uint32_t addr) const {
  for (size_t i = 0; i < remotes_.size(); ++i)
    if (remotes_[i].stats.addr == addr) return static_cast<int>(i);
  return -1;
}

size_t VxlanPort::Receive(PacketBatch& batch) {
  const size_t room = kBatchSize - batch.size();
  if (room == 0 || !rx_fd_.valid()) return 0;
  for (size_t i = 0; i < room; ++i) rx_msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
  const int n = recvmmsg(rx_fd_.get(), rx_msgs_.data(), static_cast<unsigned>(room), MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;  // EAGAIN: nothing pending
  const MonoNs now = clock_.Now();
  const uint8_t* last_src = nullptr;
  uint32_t last_from = 0;
  for (int i = 0; i < n; ++i) {
    uint8_t* d = static_cast<uint8_t*>(rx_iov_[i].iov_base);
    const size_t len = rx_msgs_[i].msg_len;
    const uint32_t from = ntohl(rx_from_[i].sin_addr.s_addr);
    if (last_rx_remote_ < 0 || remotes_[last_rx_remote_].stats.addr != from) last_rx_remote_ = RemoteIndex(from);
    if (last_rx_remote_ >= 0) {
      TunnelRemote& s = remotes_[last_rx_remote_].stats;
      ++s.rx_packets;
      s.rx_bytes += len;
    }
    Packet& p = batch.Append();
    if (const std::optional<DropReason> drop = CheckVxlanDatagram(d, len, cfg_.vni)) [[unlikely]] {
      // Handed on marked as refused (wire_len > len, like a frame cut short), so the parse
      // stage counts it on this port under its reason, and `monitor drops`, `capture
      // drops` and `why` show it: the inner frame of another VNI, else the datagram.
      const size_t skip = *drop == DropReason::kVxlanWrongVni ? kVxlanHeaderLen : 0;
      p.frame = d + skip;
      p.len = static_cast<uint32_t>(len - skip);
      p.wire_len = p.len + 1;
      p.rx_drop = *drop;
      continue;
    }
    p.frame = d + kVxlanHeaderLen;
    p.len = static_cast<uint32_t>(len - kVxlanHeaderLen);
    p.wire_len = p.len;
    if (rx_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) [[unlikely]] {
      // Larger than any IPv4 datagram (a GSO packet beyond 64 KiB): cut, so oversize.
      p.wire_len = p.len + 1;
      continue;
    }
    // The sender's partial checksum or TCP super-frame, if its outer packet crossed a veth
    // (lost_offload.h): the egress port completes or cuts it. A look at a copy: the parse
    // stage parses p itself.
    if (Packet parsed = p; !ParseFrame(parsed)) {
      if (const std::optional<Offload> off = PartialChecksumOffload(parsed))
        p.offload = TcpSuperFrameOffload(parsed, *off, mss_.For(parsed));
    }
    // The parse stage drops a group or zero source; nothing learns it.
    const uint8_t* src = p.frame + 6;
    if (IsMulticastMac(src) || IsZeroMac(src)) continue;
    // A flow's datagrams come in runs from one sender: learn once per run.
    if (last_src != nullptr && from == last_from && std::memcmp(src, last_src, 6) == 0) continue;
    table_.Learn(src, from, now);
    last_src = src;
    last_from = from;
  }
  return static_cast<size_t>(n);
}

void VxlanPort::PlanItem(TxItem& item, size_t item_index, MonoNs now) {
  mss_.Learn(*item.pkt);
  tx_bytes_.clear();
  AppendTxBytes(item, tx_bytes_);
  const size_t first = wire_.size();
  if (!AppendWireFrames(absl::MakeConstSpan(tx_bytes_), item.offload, wire_).ok()) {
    item.error = EINVAL;  // offload state that does not fit the frame: the sender's fault
    return;
  }
  size_t bytes = 0;
  for (size_t f = first; f < wire_.size(); ++f) {
    if (kVxlanUdpHeadroom + wire_.len(f) > kMaxDatagram) {
      // A frame (not a super-frame) larger than any datagram: the kernel would refuse it.
      while (wire_.size() > first) wire_.PopBack();
      item.error = EMSGSIZE;
      return;
    }
    bytes += kVxlanUdpHeadroom + wire_.len(f);
  }
  wire_bytes_ += bytes;
  ItemPlan plan{first, wire_.size(), kAllRemotes, VxlanSourcePort(*item.pkt)};
  sockaddr_in learned{};
  // The switch's FDB decided unicast or flood; for unicast, this table says which remote.
  if (item.pkt->flood == FloodClass::kNone) {
    if (const std::optional<uint32_t> r = table_.Lookup(item.pkt->dst(), now)) {
      plan.remote = RemoteIndex(*r);
      if (plan.remote < 0) {
        plan.remote = kLearnedRemote;  // learned from a sender that is not configured
        learned = SockAddr(*r, cfg_.dstport);
      }
    }
  }
  plans_.push_back(plan);
  plan_items_.push_back(item_index);
  learned_dst_.push_back(learned);
}

void VxlanPort::Flush(absl::Span<TxItem> items) {
  size_t total = 0;
  for (const ItemPlan& p : plans_)
    total += (p.end_frame - p.first_frame) * (p.remote == kAllRemotes ? remotes_.size() : 1);
  tx_msgs_.assign(total, mmsghdr{});
  tx_iov_.resize(total);
  tx_owner_.resize(total);
  size_t k = 0;
  for (size_t pi = 0; pi < plans_.size(); ++pi) {
    const ItemPlan& plan = plans_[pi];
    for (size_t f = plan.first_frame; f < plan.end_frame; ++f) {
      uint8_t* h = wire_.with_headroom(f);
      WriteVxlanUdpHeaders(h, plan.src_port, cfg_.dstport, cfg_.vni, wire_.len(f));
      const size_t dlen = kVxlanUdpHeadroom + wire_.len(f);
      const auto add = [&](sockaddr_in* to, int remote) {
        tx_iov_[k] = {h, dlen};
        msghdr& m = tx_msgs_[k].msg_hdr;
        m.msg_name = to;
        m.msg_namelen = sizeof(sockaddr_in);
        m.msg_iov = &tx_iov_[k];
        m.msg_iovlen = 1;
        tx_owner_[k] = {pi, remote};
        ++k;
      };
      if (plan.remote == kAllRemotes) {
        for (size_t r = 0; r < remotes_.size(); ++r) add(&remotes_[r].sa, static_cast<int>(r));
      } else if (plan.remote == kLearnedRemote) {
        add(&learned_dst_[pi], -1);
      } else {
        add(&remotes_[plan.remote].sa, plan.remote);
      }
    }
  }

  const auto sent = [&](size_t j) {
    if (const int r = tx_owner_[j].second; r >= 0) {
      ++remotes_[r].stats.tx_packets;
      remotes_[r].stats.tx_bytes += tx_iov_[j].iov_len - kUdpHeaderLen;
    }
  };
  const auto failed = [&](size_t j, int err) {
    int& e = items[plan_items_[tx_owner_[j].first]].error;
    if (e == 0) e = err;
    if (const int r = tx_owner_[j].second; r >= 0) ++remotes_[r].stats.tx_errors;
  };
  size_t at = 0;
  while (at < total) {
    const unsigned count = static_cast<unsigned>(std::min<size_t>(total - at, UIO_MAXIOV));
    const int n = sendmmsg(tx_fd_.get(), &tx_msgs_[at], count, 0);
    if (n > 0) {
      for (int j = 0; j < n; ++j) sent(at + j);
      at += static_cast<size_t>(n);
      continue;
    }
    const int err = n < 0 ? errno : EIO;
    if (err == EINTR) continue;
    // The datagram at `at` was refused; with the send buffer full, so is the rest.
    const bool full = err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS;
    do failed(at++, err);
    while (full && at < total);
  }
  plans_.clear();
  plan_items_.clear();
  learned_dst_.clear();
  wire_.Clear();
  wire_bytes_ = 0;
}

SendResult VxlanPort::Send(absl::Span<TxItem> items) {
  const MonoNs now = clock_.Now();
  for (size_t i = 0; i < items.size(); ++i) {
    PlanItem(items[i], i, now);
    if (wire_bytes_ >= kFlushBytes) Flush(items);
  }
  Flush(items);
  SendResult r;
  for (const TxItem& item : items) {
    if (item.error != 0) continue;
    ++r.sent;
    r.bytes += item.wire_len();
  }
  return r;
}

TunnelInfo VxlanPort::Info() const {
  TunnelInfo info;
  info.vni = cfg_.vni;
  info.local = cfg_.local;
  info.dstport = cfg_.dstport;
  for (const Remote& r : remotes_) info.remotes.push_back(r.stats);
  info.learned = static_cast<uint32_t>(table_.Live(clock_.Now()));
  info.learn_refused = table_.refused();
  return info;
}

std::optional<uint32_t> VxlanPort::RemoteOf(const MacAddr& mac) const { return table_.Lookup(mac.data(), clock_.Now()); }

}  // namespace pvland
