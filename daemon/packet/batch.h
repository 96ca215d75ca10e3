// Up to kBatchSize frames from one receive port, processed together by every stage.
#pragma once

#include <array>
#include <cstddef>

#include "daemon/packet/packet.h"

namespace pvland {

inline constexpr size_t kBatchSize = 32;

class PacketBatch {
 public:
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == kBatchSize; }
  Packet& operator[](size_t i) { return pkts_[i]; }
  const Packet& operator[](size_t i) const { return pkts_[i]; }
  Packet* begin() { return pkts_.data(); }
  Packet* end() { return pkts_.data() + count_; }

  // The receive side appends a zeroed packet and fills the port fields.
  Packet& Append() {
    pkts_[count_] = Packet{};
    return pkts_[count_++];
  }
  void Clear() { count_ = 0; }

  // Keeps, in order, the packets for which keep(p) is true. Stages drop frames through
  // this, so survivors stay contiguous and in arrival order (no reordering within a flow).
  template <typename Keep>
  void Filter(Keep keep) {
    size_t j = 0;
    for (size_t i = 0; i < count_; ++i) {
      if (keep(pkts_[i])) {
        if (i != j) pkts_[j] = pkts_[i];
        ++j;
      }
    }
    count_ = j;
  }

 private:
  std::array<Packet, kBatchSize> pkts_;
  size_t count_ = 0;
};

}  // namespace pvland
