// Longest-prefix match from an IPv4 address to a 32-bit value, for one lookup
// group of the Fib. Knows nothing about routes: values are the caller's (the Fib
// stores a compact "what the lookup returns" word per prefix, see fib.cc).
//
// Layout (DIR-16-8-8 with popcount-compressed 8-bit levels):
//  * root_[a >> 16] is one word per /16: either the value of the longest prefix of
//    length <= 16 covering the slot (most uniformly random addresses end here), or
//    a reference to the slot's level-2 node;
//  * a node covers 8 address bits. Its 256 positions are run-compressed: a 256-bit
//    map marks where a run of equal results starts, a cumulative count per 64-bit
//    word turns "bit index" into "entry index" with one popcount, and the entries
//    follow the header in the same block, so a lookup reads the header line and
//    (usually) the next one. An entry is a value or a reference to a level-3 node
//    (prefixes longer than /24).
//  So a lookup is at most three dependent reads and no branches on prefix length.
//  Why not a flat DIR-24-8: 16M entries x 4 bytes is 64 MiB, half the kernel's
//  whole footprint for a full table and far beyond any cache; this layout holds a
//  1M-prefix table in about 10 MiB, which mostly stays cached.
//  * For exact finds and updates, prefixes of length <= 16 sit in a hash map and
//    longer ones in a sorted vector per /16 slot (8 bytes each).
//
// Updates only mark slots dirty; Commit() recompiles them, so a burst of inserts in
// one slot costs one recompilation. Longest() needs a Commit() after the last
// update; Find() and Parent() do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"

namespace pvland::kernel_state {

class HugeRegion;

class PrefixTrie {
 public:
  // Values at or above this are node references inside the compiled structure.
  static constexpr uint32_t kNodeTag = 0xff000000u;
  static constexpr uint32_t kMaxValue = kNodeTag - 1;

  PrefixTrie();
  ~PrefixTrie();
  PrefixTrie(const PrefixTrie&) = delete;
  PrefixTrie& operator=(const PrefixTrie&) = delete;

  // Value of the exact prefix (dst masked to len), or 0.
  uint32_t Find(uint32_t dst, uint8_t len) const;
  // Adds a prefix that is not present; 0 < value <= kMaxValue.
  void Insert(uint32_t dst, uint8_t len, uint32_t value);
  // Changes the value of a present prefix.
  void Set(uint32_t dst, uint8_t len, uint32_t value);
  // Removes a present prefix.
  void Erase(uint32_t dst, uint8_t len);
  void Clear();

  // Value of the longest prefix covering `a`, or 0.
  uint32_t Longest(uint32_t a) const {
    uint32_t e = root_[a >> 16];
    if (e >= kNodeTag) {
      e = Step(NodeAt(e), (a >> 8) & 255);
      if (e >= kNodeTag) e = Step(NodeAt(e), a & 255);
    }
    return e;
  }

  // Value of the longest prefix strictly shorter than (dst, len) that covers it,
  // or 0. `value` (the prefix's own) is unused; kept for callers' symmetry.
  uint32_t Parent(uint32_t value, uint32_t dst, uint8_t len) const;

  void Commit();
  bool dirty() const { return !dirty_slots_.empty(); }
  bool empty() const { return prefix_count() == 0; }
  size_t prefix_count() const { return short_.size() + long_count_; }
  size_t MemoryBytes() const;

 private:
  // Node block layout, in 32-bit words: [0..7] the 256-bit run-start map, [8] byte k
  // = number of runs starting in 64-bit words before k, [9..] one entry per run.
  // Blocks are allocated in 16-byte units, which a node reference counts in.
  static constexpr unsigned kHeaderWords = 9;
  static constexpr unsigned kUnitWords = 4;

  struct LongEntry {
    uint32_t value;
    uint16_t low;  // address bits 16..31
    uint8_t len;   // 17..32
  };
  struct Block {
    uint32_t off = 0;   // in units
    uint32_t size = 0;  // in units, as allocated; 0 = none
  };

  const uint32_t* NodeAt(uint32_t ref) const {
    return pool_ + static_cast<size_t>(ref & ~kNodeTag) * kUnitWords;
  }
  static uint32_t Step(const uint32_t* n, unsigned v) {
    uint64_t w;
    std::memcpy(&w, n + 2 * (v >> 6), sizeof w);
    unsigned before = (n[8] >> (8 * (v >> 6))) & 255;
    // Bits 0..v of the word; v == 63 wraps to all ones. Bit 0 of every node is set,
    // so the count is at least 1.
    uint64_t upto = (uint64_t{2} << (v & 63)) - 1;
    return n[kHeaderWords + before + __builtin_popcountll(w & upto) - 1];
  }

  static uint32_t ShortKey(uint32_t dst, uint8_t len) { return ((dst >> 16) << 5) | len; }
  LongEntry* FindLong(uint32_t dst, uint8_t len);
  const LongEntry* FindLong(uint32_t dst, uint8_t len) const;
  void MarkDirty(uint32_t slot);
  void CompileSlot(uint32_t slot);
  // Appends a node for `val` (children where `child` is set) to scratch_; returns
  // its offset in words. Entry word indices of children are appended to `kids`.
  size_t EmitNode(const uint32_t* val, const uint64_t* child, std::vector<size_t>* kids);
  // Longest short prefix strictly shorter than len covering dst: value, length in *plen.
  uint32_t ShortParent(uint32_t dst, uint8_t len, uint8_t* plen) const;
  uint32_t AllocUnits(uint32_t n, uint32_t* size);
  void FreeUnits(uint32_t off, uint32_t size);

  absl::flat_hash_map<uint32_t, uint32_t> short_;  // ShortKey -> value
  // Per slot: value of the longest short prefix covering it and that length + 1
  // (0 = none).
  std::vector<uint32_t> short_best_;
  std::vector<uint8_t> short_best_len_;
  std::vector<std::vector<LongEntry>> slots_;  // per slot, by (low, len)
  size_t long_count_ = 0;

  std::vector<uint32_t> root_;
  std::vector<Block> blocks_;  // per slot
  std::unique_ptr<HugeRegion> region_;
  uint32_t* pool_ = nullptr;
  uint32_t pool_units_ = 0;  // high-water mark
  // Free blocks by size in units: exact up to 256 units (4 KiB, every node of a
  // realistic table), powers of two above.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> free_;
  size_t free_units_ = 0;

  std::vector<uint32_t> dirty_slots_;
  std::vector<bool> dirty_;
  std::vector<uint32_t> scratch_;
};

}  // namespace pvland::kernel_state
