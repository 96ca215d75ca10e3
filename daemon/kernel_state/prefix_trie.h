// Longest-prefix match from an IPv4 address to a 32-bit value, for one lookup
// group of the Fib. Knows nothing about routes: values are the caller's (the Fib
// stores a compact "what the lookup returns" word per prefix, see fib.cc).
//
// Layout (DIR-24-8, as DPDK's rte_lpm): one 8-byte entry per /24, holding either
// the longest prefix of length <= 24 covering it, or a reference to a 256-entry
// group (one entry per address) for a /24 holding longer prefixes. So a lookup is
// one read, two when the /24 has prefixes longer than /24. An entry holds the
// prefix's value and an "aux" word the owner derives from the value (SetAux): the
// Fib puts there what would otherwise cost a second dependent cache miss.
//  * The 2^24 entries are split into 256 chunks of 64K entries (512 KiB), one per
//    /8, reached through an array of 256 pointers that stays in L1. A /8 whose
//    entries are all equal (nothing but one covering prefix of length <= 8, or no
//    route) points at a chunk shared by every such /8 with that entry, so a small
//    table costs a few chunks, not 128 MiB; a full Internet table has about 220
//    chunks of its own (110 MiB) and the groups its longer prefixes need (2 KiB
//    each). Chunks and groups are taken 2 MiB at a time (huge_region.h); nothing
//    is reserved ahead of use.
//  * For exact finds and updates, prefixes of length <= 16 sit in a hash map and
//    longer ones in a sorted vector per /16 slot (8 bytes each).
//
// Updates only mark /16 slots dirty; Commit() rewrites their 256 entries (and
// groups), so a burst of inserts in one slot costs one rewrite. Longest() needs a
// Commit() after the last update; Find() and Parent() do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "daemon/kernel_state/huge_region.h"

namespace pvland::kernel_state {

class PrefixTrie {
 public:
  // Values at or above this are group references inside the compiled structure.
  static constexpr uint32_t kNodeTag = 0xff000000u;
  static constexpr uint32_t kMaxValue = kNodeTag - 1;

  // What a lookup reads: the value of the longest covering prefix (0 = none) and
  // the aux word derived from it when the entry was compiled.
  struct Entry {
    uint32_t value;
    uint32_t aux;
  };
  // Computes the aux word of a value (never called for 0, whose aux is 0).
  using AuxFn = uint32_t (*)(const void* ctx, uint32_t value);

  PrefixTrie();
  ~PrefixTrie();
  PrefixTrie(const PrefixTrie&) = delete;
  PrefixTrie& operator=(const PrefixTrie&) = delete;

  // Sets how entries get their aux word (default: 0). Applies from the next
  // compilation of each slot; call it before the first Insert.
  void SetAux(AuxFn fn, const void* ctx) {
    aux_fn_ = fn;
    aux_ctx_ = ctx;
  }

  // Value of the exact prefix (dst masked to len), or 0.
  uint32_t Find(uint32_t dst, uint8_t len) const;
  // Adds a prefix that is not present; 0 < value <= kMaxValue.
  void Insert(uint32_t dst, uint8_t len, uint32_t value);
  // Changes the value of a present prefix.
  void Set(uint32_t dst, uint8_t len, uint32_t value);
  // Removes a present prefix.
  void Erase(uint32_t dst, uint8_t len);
  // Has the entries of a present prefix recompiled (at the next Commit) although
  // its value did not change: the aux word of its value did.
  void Touch(uint32_t dst, uint8_t len);
  void Clear();

  // The entry of the longest prefix covering `a` ({0, 0} if none).
  Entry LongestEntry(uint32_t a) const {
    Entry e = top_[a >> 24][(a >> 8) & 0xffff];
    if (e.value >= kNodeTag) [[unlikely]] e = groups_[e.value & ~kNodeTag].e[a & 255];
    return e;
  }
  // Value of the longest prefix covering `a`, or 0.
  uint32_t Longest(uint32_t a) const { return LongestEntry(a).value; }

  // Starts loading the entry Longest(a) reads first, for a batch of lookups that
  // overlap their cache misses.
  void Prefetch(uint32_t a) const { __builtin_prefetch(&top_[a >> 24][(a >> 8) & 0xffff]); }

  // Value of the longest prefix strictly shorter than (dst, len) that covers it,
  // or 0. `value` (the prefix's own) is unused; kept for callers' symmetry.
  uint32_t Parent(uint32_t value, uint32_t dst, uint8_t len) const;

  void Commit();
  bool dirty() const { return !dirty_slots_.empty(); }
  bool empty() const { return prefix_count() == 0; }
  size_t prefix_count() const { return short_.size() + long_count_; }
  size_t MemoryBytes() const;

 private:
  static constexpr size_t kChunkEntries = size_t{1} << 16;

  struct LongEntry {
    uint32_t value;
    uint16_t low;  // address bits 16..31
    uint8_t len;   // 17..32
  };
  struct Group {
    Entry e[256];
  };
  // A chunk shared by every /8 whose entries are all one entry (Key of it).
  struct SharedChunk {
    Entry* chunk = nullptr;
    uint32_t refs = 0;
  };
  static uint64_t Key(Entry e) { return uint64_t{e.value} << 32 | e.aux; }
  Entry Make(uint32_t value) const {
    return Entry{value, value != 0 && aux_fn_ != nullptr ? aux_fn_(aux_ctx_, value) : 0};
  }

  static uint32_t ShortKey(uint32_t dst, uint8_t len) { return ((dst >> 16) << 5) | len; }
  LongEntry* FindLong(uint32_t dst, uint8_t len);
  const LongEntry* FindLong(uint32_t dst, uint8_t len) const;
  void Init();
  void MarkDirty(uint32_t slot);
  // Longest short prefix strictly shorter than len covering dst: value, length in *plen.
  uint32_t ShortParent(uint32_t dst, uint8_t len, uint8_t* plen) const;

  // Commit() for the dirty slots [first, last) of /8 `top`.
  void CommitTop(uint32_t top, const uint32_t* first, const uint32_t* last);
  // Rewrites the 256 entries of `slot` in its /8's own chunk.
  void CompileSlot(uint32_t slot);
  // Gives back the groups the entries of `slot` reference.
  void FreeSlotGroups(uint32_t slot);
  Entry* NewChunk();
  Entry* AcquireShared(Entry e);
  void ReleaseShared(Entry e);
  uint32_t NewGroup(Entry fill);

  absl::flat_hash_map<uint32_t, uint32_t> short_;  // ShortKey -> value
  // Per slot: value of the longest short prefix covering it and that length + 1
  // (0 = none).
  std::vector<uint32_t> short_best_;
  std::vector<uint8_t> short_best_len_;
  std::vector<std::vector<LongEntry>> slots_;  // per slot, by (low, len)
  size_t long_count_ = 0;
  // Per /8: how many of its slots hold prefixes longer than /16.
  std::vector<uint16_t> long_slots_;

  AuxFn aux_fn_ = nullptr;
  const void* aux_ctx_ = nullptr;

  // The lookup structure. top_[t] is /8 t's chunk; a shared one when
  // top_shared_[t], holding top_entry_[t] everywhere.
  Entry* top_[256];
  bool top_shared_[256];
  Entry top_entry_[256];
  absl::flat_hash_map<uint64_t, SharedChunk> shared_;  // by Key()
  BlockArray<Entry[kChunkEntries]> chunks_;
  std::vector<Entry*> free_chunks_;
  size_t chunk_count_ = 0;  // chunks taken from chunks_ so far
  BlockArray<Group> groups_;
  std::vector<uint32_t> free_groups_;
  uint32_t group_count_ = 0;  // groups taken from groups_ so far

  std::vector<uint32_t> dirty_slots_;
  std::vector<bool> dirty_;
};

}  // namespace pvland::kernel_state
