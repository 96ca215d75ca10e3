// Up to kBatchSize frames from one receive port, processed together by every stage.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>

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
    static const Packet kBlank{};
    std::memcpy(&pkts_[count_], &kBlank, sizeof(Packet));  // whole words, not member-wise
    return pkts_[count_++];
  }
  void Clear() { count_ = 0; }

  // Keeps, in order, the packets for which keep(p) is true. Stages drop frames through
  // this, so survivors stay contiguous and in arrival order (no reordering within a flow).
  // A packet whose predecessor was just dropped loses same_header_as_prev before keep()
  // sees it: the frame it matched is gone.
  template <typename Keep>
  void Filter(Keep keep) {
    size_t j = 0;
    bool dropped = false;
    for (size_t i = 0; i < count_; ++i) {
      Packet& p = pkts_[i];
      if (dropped) p.same_header_as_prev = false;
      dropped = !keep(p);
      if (!dropped) {
        if (i != j) pkts_[j] = p;
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
