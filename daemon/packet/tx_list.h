// What the pipeline produces: for each egress port, the frames to send there, each with
// the 802.1Q tag and virtio-net header that port needs. The layer that owns the ports
// (daemon/dataplane) sends them; the pipeline itself does no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "daemon/packet/batch.h"
#include "daemon/packet/offload.h"

namespace pvland {

// One frame to send: the packet's bytes with its tag rebuilt for this egress port, and its
// offload state with the offsets moved to match.
struct TxItem {
  const Packet* pkt = nullptr;
  bool tag = false;     // insert an 802.1Q tag
  uint8_t tag_bytes[4] = {0x81, 0x00, 0, 0};
  int error = 0;        // set by the sender when this frame was not sent
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
  const TxItem* begin() const { return items_.data(); }
  const TxItem* end() const { return items_.data() + size_; }
  absl::Span<TxItem> span() { return absl::MakeSpan(items_.data(), size_); }

 private:
  std::array<TxItem, kCapacity> items_;
  size_t size_ = 0;
};

// Per-port transmit lists of one pipeline run, indexed by port, plus the ports that got
// frames in first-use order (so the sender visits only those). Push() is on the per-frame
// path: one bounds check, then plain array accesses.
class TxLists {
 public:
  // Port `port`'s list, about to receive frames: from here on the sender visits it.
  [[gnu::always_inline]] TxQueue& Open(uint16_t port) {
    if (__builtin_expect(port >= nqueues_, 0)) Grow(port);
    TxQueue& q = base_[port];
    if (q.empty()) ports_.push_back(port);
    return q;
  }
  // A new item at the end of port `port`'s list; null when that list is full.
  [[gnu::always_inline]] TxItem* Push(uint16_t port) { return Open(port).Push(); }
  absl::Span<const uint16_t> ports() const { return absl::MakeConstSpan(ports_); }
  TxQueue& queue(uint16_t port) { return queues_[port]; }
  const TxQueue& queue(uint16_t port) const { return queues_[port]; }
  bool empty() const { return ports_.empty(); }
  void Clear() {
    for (uint16_t p : ports_) queues_[p].clear();
    ports_.clear();
  }

 private:
  void Grow(uint16_t port) {
    queues_.resize(port + 1);
    base_ = queues_.data();
    nqueues_ = queues_.size();
  }

  std::vector<TxQueue> queues_;
  TxQueue* base_ = nullptr;  // queues_.data() and size(), cached: the vector's size is a
  size_t nqueues_ = 0;       // division by sizeof(TxQueue) on every access
  absl::InlinedVector<uint16_t, 16> ports_;
};

}  // namespace pvland
