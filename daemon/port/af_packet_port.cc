#include "daemon/port/af_packet_port.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/port/endpoint.h"
#include "daemon/port/interface_query.h"

namespace pvland {
namespace {

absl::Status SetOpt(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) return absl::ErrnoToStatus(errno, what);
  return absl::OkStatus();
}

}  // namespace

AfPacketPort::AfPacketPort(std::string ifname, IngressGuard* guard) : Port(std::move(ifname)), guard_(guard) {}

AfPacketPort::~AfPacketPort() {
  Close();
  if (claimed_ && guard_ != nullptr) guard_->Release(name());
}

void AfPacketPort::Close() {
  if (ring_ != nullptr) munmap(ring_, ring_len_);
  ring_ = nullptr;
  fd_.reset();
  rx_head_ = rx_release_ = 0;
  big_.Reset();
}

absl::Status AfPacketPort::Open() {
  Close();
  absl::Status s = OpenSocket();
  if (s.ok() && guard_ != nullptr) {
    s = guard_->Claim(name());
    if (s.ok()) {
      claimed_ = true;
    } else {
      s = absl::Status(s.code(), absl::StrCat("cannot take ", name(), " from the kernel stack: ", s.message()));
    }
  }
  if (!s.ok()) {
    Close();
    return s;
  }
  if (auto info = QueryInterface(name())) mac_ = info->mac;
  return absl::OkStatus();
}

absl::Status AfPacketPort::OpenSocket() {
  const std::string& ifname = name();
  ifindex_ = static_cast<int>(if_nametoindex(ifname.c_str()));
  if (ifindex_ == 0) return absl::NotFoundError(absl::StrCat("no interface named '", ifname, "'"));
  // Protocol 0: receive nothing until bind(), so no frame of another interface slips in.
  fd_.reset(socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const int fd = fd_.get();
  if (fd < 0) return absl::ErrnoToStatus(errno, "AF_PACKET socket");
  if (auto s = SetOpt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION"); !s.ok()) return s;
  if (auto s = SetOpt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING"); !s.ok()) return s;
  // No PACKET_QDISC_BYPASS: its direct transmit drops (ENOBUFS) any super-frame the
  // device cannot take whole, because segmenting it makes a new skb list
  // (__dev_direct_xmit); dev_queue_xmit() segments and checksums it. On a veth
  // (noqueue) the path costs about the same.
  // A virtio-net header before every frame, both ways: partial checksums and GSO
  // super-frames are carried as they are (daemon/packet/offload.h). Must precede the ring.
  if (auto s = SetOpt(fd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR"); !s.ok()) return s;
  // A frame larger than a ring slot (a super-frame) still takes a slot, marked
  // TP_STATUS_COPY, and the whole frame is queued on the socket for recv() in ring order.
  if (auto s = SetOpt(fd, SOL_PACKET, PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH"); !s.ok()) return s;
  // That queue holds a TCP window of super-frames while pvland is busy; beyond it the
  // kernel hands over the truncated slot only, which pvland drops as `oversize`.
  SetOpt(fd, SOL_SOCKET, SO_RCVBUFFORCE, kCopyQueueBytes, "SO_RCVBUFFORCE").IgnoreError();
  // Room for several batches of sends (super-frames included) in flight without EAGAIN.
  SetOpt(fd, SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20, "SO_SNDBUFFORCE").IgnoreError();

  tpacket_req req{};
  req.tp_block_size = kFrameSize * 32;
  req.tp_frame_size = kFrameSize;
  req.tp_frame_nr = kFrameCount;
  req.tp_block_nr = kFrameCount / 32;
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0)
    return absl::ErrnoToStatus(errno, "PACKET_RX_RING");
  ring_len_ = static_cast<size_t>(req.tp_block_size) * req.tp_block_nr;
  void* ring = mmap(nullptr, ring_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (ring == MAP_FAILED) return absl::ErrnoToStatus(errno, "mmap rx ring");
  ring_ = static_cast<uint8_t*>(ring);
  for (size_t i = 0; i < kBatchSize; ++i) tx_msgs_[i].msg_hdr.msg_iov = &tx_iov_[i * kMaxTxIovecs];

  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = ifindex_;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0)
    return absl::ErrnoToStatus(errno, absl::StrCat("bind to ", ifname));

  packet_mreq mr{};
  mr.mr_ifindex = ifindex_;
  mr.mr_type = PACKET_MR_PROMISC;
  if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
    return absl::ErrnoToStatus(errno, "PACKET_ADD_MEMBERSHIP promisc");
  return absl::OkStatus();
}

PortState AfPacketPort::LinkState() const {
  auto info = QueryInterface(name());
  if (!info || info->ifindex != ifindex_) return PortState::kAbsent;
  return (info->flags & IFF_UP) ? PortState::kUp : PortState::kDown;
}

bool AfPacketPort::CanReopen() const { return QueryInterface(name()).has_value(); }

std::optional<EndpointLink> AfPacketPort::ReadEndpoint() const {
  if (!fd_.valid()) return std::nullopt;
  return ReadVethPeerEndpoint(ifindex_);
}

PortState AfPacketPort::StateAfterError(std::string* why) const {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  // The socket stays bound through a link down and resumes when the link is up.
  if (err == ENETDOWN) return PortState::kDown;
  *why = err ? strerror(err) : "interface went away";
  return PortState::kAbsent;
}

size_t AfPacketPort::Receive(PacketBatch& batch) {
  size_t n = 0;
  while (!batch.full()) {
    tpacket2_hdr* h = Slot(rx_head_);
    // Acquire pairs with the kernel's release of tp_status: the frame bytes are visible.
    const uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
    if ((status & TP_STATUS_USER) == 0) break;
    uint8_t* frame = reinterpret_cast<uint8_t*>(h) + h->tp_mac;
    uint32_t len = h->tp_snaplen;
    uint32_t wire_len = h->tp_len;
    Offload offload;
    std::memcpy(&offload, frame - sizeof(Offload), sizeof(Offload));
    if ((status & TP_STATUS_COPY) != 0) {
      uint8_t* buf = big_.Reserve();
      if (buf == nullptr) break;  // the batch has its share of super-frames; next batch
      const ssize_t got = recv(fd_.get(), buf, FrameArena::kMaxRead, MSG_DONTWAIT | MSG_TRUNC);
      // Without the queued copy the truncated slot stands, and the parser drops it.
      if (got > static_cast<ssize_t>(sizeof(Offload))) {
        big_.Commit(std::min<size_t>(got, FrameArena::kMaxRead));
        std::memcpy(&offload, buf, sizeof(Offload));
        frame = buf + sizeof(Offload);
        wire_len = static_cast<uint32_t>(got - sizeof(Offload));
        len = std::min<uint32_t>(wire_len, FrameArena::kMaxRead - sizeof(Offload));
      }
    }
    Packet& p = batch.Append();
    p.frame = frame;
    p.len = len;
    p.wire_len = wire_len;
    p.offload = offload;
    if ((status & TP_STATUS_VLAN_VALID) != 0) {
      p.aux_tag = true;
      p.aux_tci = h->tp_vlan_tci;
      if ((status & TP_STATUS_VLAN_TPID_VALID) != 0) p.aux_tpid = h->tp_vlan_tpid;
    }
    rx_head_ = (rx_head_ + 1) & (kFrameCount - 1);
    ++n;
  }
  return n;
}

void AfPacketPort::ReleaseRx() {
  while (rx_release_ != rx_head_) {
    __atomic_store_n(&Slot(rx_release_)->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    rx_release_ = (rx_release_ + 1) & (kFrameCount - 1);
  }
  big_.Reset();
}

SendResult AfPacketPort::Send(absl::Span<TxItem> items) {
  SendResult r;
  mmsghdr* msgs = tx_msgs_.data();
  TxItem* const item = items.data();
  size_t done = 0;
  while (done < items.size()) {
    const size_t chunk = std::min(items.size() - done, kBatchSize);
    for (size_t i = 0; i < chunk; ++i) {
      msgs[i].msg_hdr.msg_iovlen = BuildIovecs(item[done + i], msgs[i].msg_hdr.msg_iov);
    }
    int sent = sendmmsg(fd_.get(), msgs, chunk, MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      for (size_t i = done; i < items.size(); ++i) items[i].error = err;
      return r;
    }
    // msg_len: bytes the kernel took for that message, virtio-net header included.
    for (int i = 0; i < sent; ++i) r.bytes += msgs[i].msg_len - sizeof(Offload);
    r.sent += sent;
    done += sent;
    if (static_cast<size_t>(sent) < chunk) {
      // sendmmsg stops at the first failing message; a later call reports its errno.
      int again = sendmmsg(fd_.get(), &msgs[sent], 1, MSG_DONTWAIT);
      if (again == 1) {
        r.bytes += items[done].wire_len();
        ++r.sent;
        ++done;
        continue;
      }
      items[done].error = errno;
      ++done;  // skip the failing frame and keep going
    }
  }
  return r;
}

uint64_t AfPacketPort::KernelDrops() {
  tpacket_stats st{};
  socklen_t len = sizeof st;
  // Reading the statistics resets them in the kernel, so accumulate.
  if (getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) kernel_drops_ += st.tp_drops;
  return kernel_drops_;
}

}  // namespace pvland
