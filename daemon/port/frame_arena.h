// Receive memory for frames that do not fit a fixed slot: GSO super-frames read from a TAP,
// or queued beside an AF_PACKET ring. Frames are packed one after another and all given
// back at once when the batch is done, so small frames cost their size, not 64 KiB each,
// and a batch holds several super-frames before it has to end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pvland {

class FrameArena {
 public:
  // Largest frame one read may return: a 64 KiB GSO super-frame (gso_max_size), its L2
  // header with up to two tags, and the virtio-net header in front. A read that fills
  // all of it may have been cut short.
  static constexpr size_t kMaxRead = 65536 + 64;

  // `capacity` bytes, allocated on first use (a port that never sees a big frame pays nothing).
  explicit FrameArena(size_t capacity) : capacity_(capacity) {}

  // Room for one more read of up to kMaxRead bytes, or null when the batch must end here.
  uint8_t* Reserve() {
    if (used_ + kMaxRead > capacity_) return nullptr;
    if (buf_.empty()) buf_.resize(capacity_);
    return buf_.data() + used_;
  }
  // Keeps `len` bytes of the last Reserve() (rounded up so the next frame is aligned).
  void Commit(size_t len) { used_ += (len + 63) & ~size_t{63}; }
  void Reset() { used_ = 0; }

 private:
  size_t capacity_;
  size_t used_ = 0;
  std::vector<uint8_t> buf_;
};

}  // namespace pvland
