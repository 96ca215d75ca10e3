// Memory for the FIB's lookup tables and route records, taken 2 MiB at a time as
// the table grows, each block aligned so that one transparent huge page can back it
// whole. Random lookups over a million-route table then hit the TLB instead of
// walking page tables, and nothing is reserved ahead of use, so the FIB's address
// space is what it holds (vm.overcommit_memory=2 charges it block by block).
// The first block stays on 4 KiB pages, so a small table costs no 2 MiB page; once
// a second block is needed, the first is offered to huge pages too.
// Blocks never move and are only given back by Release() or the destructor.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25  // Linux 6.1; older kernels answer EINVAL, which is harmless
#endif

namespace pvland::kernel_state {

class HugeBlocks {
 public:
  static constexpr size_t kBlockBytes = size_t{2} << 20;

  HugeBlocks() = default;
  ~HugeBlocks() { Release(); }
  HugeBlocks(const HugeBlocks&) = delete;
  HugeBlocks& operator=(const HugeBlocks&) = delete;

  // A new zero-filled block of kBlockBytes; aborts when the system refuses memory,
  // as an allocation failure anywhere else in the daemon does.
  char* Allocate() {
    // Map one block more than needed and trim, so the block starts on 2 MiB.
    void* p = mmap(nullptr, 2 * kBlockBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED) {
      std::fprintf(stderr, "HugeBlocks: cannot map %zu bytes\n", 2 * kBlockBytes);
      std::abort();
    }
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    uintptr_t b = (a + kBlockBytes - 1) & ~(kBlockBytes - 1);
    if (b > a) munmap(p, b - a);
    if (b + kBlockBytes < a + 2 * kBlockBytes) {
      munmap(reinterpret_cast<void*>(b + kBlockBytes), a + kBlockBytes - b);
    }
    char* block = reinterpret_cast<char*>(b);
    blocks_.push_back(block);
    if (blocks_.size() >= 2) {
      madvise(block, kBlockBytes, MADV_HUGEPAGE);
      if (blocks_.size() == 2) {
        // The first block filled on small pages; have it collapsed into a huge page
        // now rather than whenever khugepaged gets to it.
        madvise(blocks_[0], kBlockBytes, MADV_HUGEPAGE);
        madvise(blocks_[0], kBlockBytes, MADV_COLLAPSE);
      }
    }
    return block;
  }

  void Release() {
    for (char* b : blocks_) munmap(b, kBlockBytes);
    blocks_.clear();
  }

  size_t count() const { return blocks_.size(); }
  char* block(size_t i) const { return blocks_[i]; }
  size_t bytes() const { return blocks_.size() * kBlockBytes; }

 private:
  std::vector<char*> blocks_;
};

// An array of T that grows by whole blocks and never moves an element; element i
// is at blocks[i / kPerBlock][i % kPerBlock]. T must fit a block a whole number of
// times and be usable zero-filled or constructed by the caller.
template <typename T>
class BlockArray {
 public:
  static constexpr size_t kPerBlock = HugeBlocks::kBlockBytes / sizeof(T);
  static_assert((kPerBlock & (kPerBlock - 1)) == 0, "T must divide 2 MiB in a power of two");
  static constexpr unsigned kShift = __builtin_ctzll(kPerBlock);

  T& operator[](size_t i) { return ptrs_[i >> kShift][i & (kPerBlock - 1)]; }
  const T& operator[](size_t i) const { return ptrs_[i >> kShift][i & (kPerBlock - 1)]; }
  // Makes room for elements [0, n).
  void Reserve(size_t n) {
    while (ptrs_.size() * kPerBlock < n) ptrs_.push_back(reinterpret_cast<T*>(mem_.Allocate()));
  }
  size_t capacity() const { return ptrs_.size() * kPerBlock; }
  size_t bytes() const { return mem_.bytes(); }
  void Release() {
    ptrs_.clear();
    mem_.Release();
  }

 private:
  std::vector<T*> ptrs_;
  HugeBlocks mem_;
};

}  // namespace pvland::kernel_state
