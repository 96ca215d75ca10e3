// Address space reserved once and backed on first touch, with transparent huge
// pages past the first 2 MiB. The FIB's lookup structures and route records live in
// regions like this so that (1) they never move, which lets lookups use plain base
// + index arithmetic and keeps Route* stable without a chunk table, and (2) random
// lookups over a million-route table hit the TLB instead of walking page tables.
// A small table stays on 4 KiB pages, so a handful of routes costs no 2 MiB page.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>

namespace pvland::kernel_state {

class HugeRegion {
 public:
  explicit HugeRegion(size_t max_bytes) : size_(max_bytes) {
    constexpr size_t kHuge = size_t{2} << 20;
    // Over-reserve so the huge-page part can start on a 2 MiB boundary.
    void* p = mmap(nullptr, size_ + kHuge, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      std::fprintf(stderr, "HugeRegion: cannot reserve %zu bytes\n", size_);
      std::abort();
    }
    map_ = static_cast<char*>(p);
    base_ = map_;
    uintptr_t huge = (reinterpret_cast<uintptr_t>(base_) + 2 * kHuge - 1) & ~(kHuge - 1);
    char* end = map_ + size_ + kHuge;
    if (reinterpret_cast<char*>(huge) < end) {
      madvise(reinterpret_cast<void*>(huge), end - reinterpret_cast<char*>(huge), MADV_HUGEPAGE);
    }
  }
  ~HugeRegion() { munmap(map_, size_ + (size_t{2} << 20)); }
  HugeRegion(const HugeRegion&) = delete;
  HugeRegion& operator=(const HugeRegion&) = delete;

  char* data() const { return base_; }
  size_t capacity() const { return size_; }

 private:
  size_t size_;
  char* map_;
  char* base_;
};

}  // namespace pvland::kernel_state
