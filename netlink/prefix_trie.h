// Longest-prefix match from an IPv4 address to a prefix id, for one lookup group
// of the Fib. Knows nothing about routes: ids are assigned by the caller.
//
// Layout (a poptrie-style compressed multibit trie):
//  * prefixes of length <= 16 ("short") sit in a hash map for exact finds, and
//    short_best_[a >> 16] holds the longest short prefix covering each /16 slot;
//  * prefixes longer than 16 ("long") sit in a sorted vector per /16 slot, and a
//    slot that has any is compiled into 6-bit-stride nodes: a 64-bit `vector` marks
//    positions that have a child node, a 64-bit `leafvec` marks where a run of
//    equal leaf values starts, and popcounts index the node's contiguous child and
//    leaf arrays. So a slot holding N long prefixes costs O(N) words, a lookup
//    touches the root word, at most three nodes and one leaf, and a lookup that
//    finds no long prefix falls back to short_best_.
//  * Parent(): the longest strictly shorter prefix covering a prefix, so the Fib
//    can backtrack as the kernel does when every alias of a match is unusable.
//    Recorded for long prefixes while compiling; probed for short ones (rare).
//
// Updates only mark slots dirty; Commit() recompiles them, so a burst of inserts
// in one slot costs one recompilation. Longest() and Parent() need a Commit()
// after the last update.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"

namespace pvland::netlink {

class PrefixTrie {
 public:
  PrefixTrie();

  // Id of the exact prefix (dst masked to len), or 0.
  uint32_t Find(uint32_t dst, uint8_t len) const;
  // Adds a prefix that is not present; id must be non-zero.
  void Insert(uint32_t dst, uint8_t len, uint32_t id);
  // Removes a present prefix.
  void Erase(uint32_t dst, uint8_t len);
  void Clear();

  // Id of the longest prefix covering `a`, or 0.
  uint32_t Longest(uint32_t a) const {
    uint32_t r = root_[a >> 16];
    if (r != 0) {
      const Node* n = &nodes_[r - 1];
      uint64_t x = static_cast<uint64_t>(a) << 32;
      unsigned pos = 16;
      for (;;) {
        unsigned v = static_cast<unsigned>((x << pos) >> 58);
        uint64_t upto = (uint64_t{2} << v) - 1;  // bits 0..v (v = 63 wraps to all)
        if ((n->vector >> v) & 1) {
          n = &nodes_[n->base1 + __builtin_popcountll(n->vector & upto) - 1];
          pos += 6;
          continue;
        }
        uint32_t id = leaves_[n->base0 + __builtin_popcountll(n->leafvec & upto) - 1];
        if (id != 0) return id;
        break;
      }
    }
    return short_best_[a >> 16];
  }

  // Longest prefix strictly shorter than (dst, len) that covers it, or 0.
  uint32_t Parent(uint32_t id, uint32_t dst, uint8_t len) const;

  void Commit();
  bool dirty() const { return !dirty_slots_.empty(); }
  size_t prefix_count() const { return short_.size() + long_count_; }
  size_t MemoryBytes() const;

 private:
  struct Node {
    uint64_t vector = 0;   // positions with a child node
    uint64_t leafvec = 0;  // positions where a run of equal leaves starts
    uint32_t base0 = 0;    // first leaf in leaves_
    uint32_t base1 = 0;    // first child in nodes_
  };
  struct LongEntry {
    uint32_t id;
    uint16_t low;  // address bits 16..31
    uint8_t len;   // 17..32
  };
  struct Block {
    uint32_t node_off = 0, leaf_off = 0;
    uint32_t node_size = 0, leaf_size = 0;  // as allocated
    bool used = false;
  };
  // Free lists per block size, so recompiled slots reuse space. Sizes are exact up
  // to 1024 elements (almost every slot) and powers of two above, which bounds the
  // number of lists without paying a power-of-two rounding on every block.
  template <typename T>
  struct Pool {
    std::vector<T> data;
    absl::flat_hash_map<uint32_t, std::vector<uint32_t>> free;
    uint32_t Alloc(size_t n, uint32_t* size);
    void Free(uint32_t off, uint32_t size) { free[size].push_back(off); }
    size_t Bytes() const;
  };
  struct Scratch {
    std::vector<Node> nodes;
    std::vector<uint32_t> leaves;
  };

  static uint32_t ShortKey(uint32_t dst, uint8_t len) { return ((dst >> 16) << 5) | len; }
  void MarkDirty(uint32_t slot);
  void CompileSlot(uint32_t slot);
  void BuildNode(uint32_t slot, size_t ni, unsigned pos, absl::Span<const LongEntry> es,
                 uint32_t dflt);
  // Longest short prefix strictly shorter than len covering dst; its length in *plen.
  uint32_t ShortParent(uint32_t dst, uint8_t len, uint8_t* plen) const;

  absl::flat_hash_map<uint32_t, uint32_t> short_;  // ShortKey -> id
  std::vector<uint32_t> short_best_;               // per slot
  std::vector<uint8_t> short_best_len_;            // per slot
  std::vector<std::vector<LongEntry>> slots_;      // per slot, by (low, len)
  size_t long_count_ = 0;
  std::vector<uint32_t> parent_;  // by id, long prefixes only; 0 = short_best_
  std::vector<uint32_t> root_;    // per slot: 0, or 1 + index of the slot's root node
  std::vector<Block> blocks_;     // per slot
  Pool<Node> nodes_pool_;
  Pool<uint32_t> leaves_pool_;
  // Lookup reads these aliases of the pools' storage.
  Node* nodes_ = nullptr;
  uint32_t* leaves_ = nullptr;
  std::vector<uint32_t> dirty_slots_;
  std::vector<bool> dirty_;
  Scratch scratch_;
};

}  // namespace pvland::netlink
