// A port on an existing interface (veth end, NIC): AF_PACKET with a TPACKET_V2 receive
// ring and batched sendmmsg. TPACKET_V2 because its per-frame status wakes us per frame at
// low rates (~100 us RTT) where TPACKET_V3's block timer would add a millisecond, and the
// ring still gives whole batches under load (tests/bench/switch/results.md).
#pragma once

#include <linux/if_packet.h>

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/core/unique_fd.h"
#include "daemon/port/frame_arena.h"
#include "daemon/port/ingress_guard.h"
#include "daemon/port/port.h"

namespace pvland {

class AfPacketPort final : public Port {
 public:
  static constexpr uint32_t kFrameSize = 2048;
  // 4096 slots (8 MiB per port): room for a whole TCP window (tcp_rmem max 6 MB ~ 4000
  // segments), so a TCP sender that outruns the switch for a moment, or a few ms when
  // pvland is not scheduled, fills the ring instead of losing segments. With 1024 slots
  // a single iperf3 stream lost ~1% of its segments to rx_ring_full (~9000
  // retransmissions in 4 s) and ran 12-45% slower.
  static constexpr uint32_t kFrameCount = 4096;
  static_assert((kFrameCount & (kFrameCount - 1)) == 0, "ring indices wrap with a mask");
  // Super-frames queued beside the ring (TP_STATUS_COPY): about a hundred 64 KiB frames.
  static constexpr int kCopyQueueBytes = 8 << 20;
  // Super-frames per batch: 8 x 64 KiB is half a megabyte of payload in one pass.
  static constexpr size_t kBigFramesPerBatch = 8;

  // A port on the existing interface `ifname` of the current network namespace. With a
  // guard, the kernel stack stops seeing the interface's frames while the port exists.
  AfPacketPort(std::string ifname, IngressGuard* guard);
  ~AfPacketPort() override;

  std::string_view type() const override { return "netdev"; }
  PortKind kind() const override { return PortKind::kNetdev; }
  // Opens the interface promiscuous, never seeing its own transmissions
  // (PACKET_IGNORE_OUTGOING).
  absl::Status Open() override;
  void Close() override;
  bool is_open() const override { return fd_.valid(); }
  PortState LinkState() const override;
  bool CanReopen() const override;
  PortState StateAfterError(std::string* why) const override;
  int ifindex() const override { return ifindex_; }
  MacAddr mac() const override { return mac_; }

  int fd() const override { return fd_.get(); }
  size_t Receive(PacketBatch& batch) override;
  void ReleaseRx() override;
  SendResult Send(absl::Span<TxItem> items) override;
  uint64_t KernelDrops() override;
  // The peer when the interface is a veth (its other end, usually in the host's
  // namespace); any other interface has none.
  std::optional<EndpointLink> ReadEndpoint() const override;

 private:
  absl::Status OpenSocket();
  tpacket2_hdr* Slot(uint32_t i) const {
    return reinterpret_cast<tpacket2_hdr*>(ring_ + static_cast<size_t>(i) * kFrameSize);
  }

  IngressGuard* guard_;
  bool claimed_ = false;
  UniqueFd fd_;
  int ifindex_ = 0;
  MacAddr mac_{};
  uint8_t* ring_ = nullptr;
  size_t ring_len_ = 0;
  uint32_t rx_head_ = 0;     // next slot to look at
  uint32_t rx_release_ = 0;  // first slot not yet given back
  uint64_t kernel_drops_ = 0;
  FrameArena big_{kBigFramesPerBatch * FrameArena::kMaxRead};
  // sendmmsg's arguments, kept between calls: message i always uses iovecs
  // [i * kMaxTxIovecs, ...); only msg_iovlen changes per frame (no address, no control
  // data, no flags).
  std::array<mmsghdr, kBatchSize> tx_msgs_{};
  std::array<iovec, kBatchSize * kMaxTxIovecs> tx_iov_{};
};

}  // namespace pvland
