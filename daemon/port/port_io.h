// Frame I/O of one port: an AF_PACKET socket on an existing interface, or a TAP fd.
// Received frames stay in the port's own memory until ReleaseRx(), so the pipeline and
// the transmit side can point into them without copying.
#pragma once

#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>

#include "absl/types/span.h"
#include "daemon/packet/batch.h"
#include "daemon/packet/offload.h"
#include "include/pvland/types.h"

namespace pvland {

// One frame to send: the packet's bytes with its tag rebuilt for this egress port, and its
// offload state with the offsets moved to match.
struct TxItem {
  const Packet* pkt = nullptr;
  bool tag = false;     // insert an 802.1Q tag
  uint8_t tag_bytes[4] = {0x81, 0x00, 0, 0};
  int error = 0;        // set by Send() when this frame was not sent
  Offload offload;      // the virtio-net header that goes before the frame
  // Bytes before the ethertype on egress: MACs, the new tag, a preserved inner tag.
  uint32_t l2_prefix() const { return 12 + (tag ? 4 : 0) + (pkt->has_inner_tag ? 4 : 0); }
  uint32_t wire_len() const { return pkt->len - pkt->payload_off + l2_prefix(); }
};
static_assert(std::is_trivially_copyable_v<TxItem>, "queued by memcpy (QueueItem)");

// The frames one batch queues for one port. A port receives at most one copy of each
// frame of the batch and of each frame a stage generated (ARP replies), so a fixed array
// of twice the batch size never overflows; Push() still refuses rather than write past it.
class TxQueue {
 public:
  static constexpr size_t kCapacity = 2 * kBatchSize;
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  TxItem* Push() { return size_ < kCapacity ? &items_[size_++] : nullptr; }
  void clear() { size_ = 0; }
  TxItem* begin() { return items_.data(); }
  TxItem* end() { return items_.data() + size_; }
  absl::Span<TxItem> span() { return absl::MakeSpan(items_.data(), size_); }

 private:
  std::array<TxItem, kCapacity> items_;
  size_t size_ = 0;
};

// Totals of one Send(); each unsent item has its own errno in TxItem::error.
struct SendResult {
  size_t sent = 0;
  uint64_t bytes = 0;
};

class PortIo {
 public:
  virtual ~PortIo() = default;
  virtual int fd() const = 0;
  // Appends received frames to `batch` until it is full or nothing is pending.
  virtual size_t Receive(PacketBatch& batch) = 0;
  // Gives back the memory of every frame returned by Receive() since the last call.
  virtual void ReleaseRx() = 0;
  virtual SendResult Send(absl::Span<TxItem> items) = 0;
  // Kernel-side frame losses (ring full) since the port opened.
  virtual uint64_t KernelDrops() { return 0; }
};

// iovecs for one item: virtio-net header, MACs, optional new tag, optional preserved inner
// tag, rest. Returns how many of the (at most kMaxTxIovecs) iovecs were used.
inline constexpr int kMaxTxIovecs = 5;
inline int BuildIovecs(const TxItem& item, iovec* iov) {
  const Packet& p = *item.pkt;
  int n = 0;
  iov[n++] = {const_cast<Offload*>(&item.offload), sizeof(Offload)};
  iov[n++] = {p.frame, 12};
  if (item.tag) iov[n++] = {const_cast<uint8_t*>(item.tag_bytes), 4};
  if (p.has_inner_tag) iov[n++] = {const_cast<uint8_t*>(p.inner_tag), 4};
  iov[n++] = {p.frame + p.payload_off, p.len - p.payload_off};
  return n;
}

}  // namespace pvland
