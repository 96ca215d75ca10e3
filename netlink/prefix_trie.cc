#include "netlink/prefix_trie.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace pvland::netlink {
namespace {

constexpr uint32_t kSlots = 1u << 16;

uint32_t Mask(uint8_t len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

bool EntryLess(uint16_t low_a, uint8_t len_a, uint16_t low_b, uint8_t len_b) {
  return low_a != low_b ? low_a < low_b : len_a < len_b;
}

}  // namespace

template <typename T>
uint32_t PrefixTrie::Pool<T>::Alloc(size_t n, uint32_t* size) {
  uint32_t sz = static_cast<uint32_t>(n <= 1024 ? n : std::bit_ceil(n));
  *size = sz;
  auto it = free.find(sz);
  if (it != free.end() && !it->second.empty()) {
    uint32_t off = it->second.back();
    it->second.pop_back();
    return off;
  }
  uint32_t off = static_cast<uint32_t>(data.size());
  data.resize(data.size() + sz);
  return off;
}

template <typename T>
size_t PrefixTrie::Pool<T>::Bytes() const {
  size_t b = data.capacity() * sizeof(T);
  for (const auto& [size, f] : free) b += f.capacity() * sizeof(uint32_t) + 40;
  return b;
}

PrefixTrie::PrefixTrie()
    : short_best_(kSlots, 0),
      short_best_len_(kSlots, 0),
      slots_(kSlots),
      root_(kSlots, 0),
      blocks_(kSlots),
      dirty_(kSlots, false) {}

uint32_t PrefixTrie::Find(uint32_t dst, uint8_t len) const {
  dst &= Mask(len);
  if (len <= 16) {
    auto it = short_.find(ShortKey(dst, len));
    return it == short_.end() ? 0 : it->second;
  }
  const auto& v = slots_[dst >> 16];
  uint16_t low = static_cast<uint16_t>(dst);
  auto it = std::lower_bound(v.begin(), v.end(), 0, [&](const LongEntry& e, int) {
    return EntryLess(e.low, e.len, low, len);
  });
  return it != v.end() && it->low == low && it->len == len ? it->id : 0;
}

void PrefixTrie::Insert(uint32_t dst, uint8_t len, uint32_t id) {
  assert(id != 0);
  dst &= Mask(len);
  if (len <= 16) {
    short_.emplace(ShortKey(dst, len), id);
    uint32_t first = dst >> 16, n = 1u << (16 - len);
    for (uint32_t s = first; s < first + n; ++s) {
      if (short_best_[s] == 0 || short_best_len_[s] < len) {
        short_best_[s] = id;
        short_best_len_[s] = len;
      }
    }
    return;
  }
  uint32_t slot = dst >> 16;
  auto& v = slots_[slot];
  uint16_t low = static_cast<uint16_t>(dst);
  auto it = std::lower_bound(v.begin(), v.end(), 0, [&](const LongEntry& e, int) {
    return EntryLess(e.low, e.len, low, len);
  });
  v.insert(it, LongEntry{id, low, len});
  if (id >= parent_.size()) parent_.resize(std::max<size_t>(id + 1, parent_.size() * 2), 0);
  ++long_count_;
  MarkDirty(slot);
}

void PrefixTrie::Erase(uint32_t dst, uint8_t len) {
  dst &= Mask(len);
  if (len <= 16) {
    auto it = short_.find(ShortKey(dst, len));
    if (it == short_.end()) return;
    uint32_t id = it->second;
    short_.erase(it);
    // Slots that had this prefix as their best now get the best shorter one, which
    // is the same for all of them because it covers the whole erased range.
    uint8_t plen = 0;
    uint32_t repl = ShortParent(dst, len, &plen);
    uint32_t first = dst >> 16, n = 1u << (16 - len);
    for (uint32_t s = first; s < first + n; ++s) {
      if (short_best_[s] == id) {
        short_best_[s] = repl;
        short_best_len_[s] = plen;
      }
    }
    return;
  }
  uint32_t slot = dst >> 16;
  auto& v = slots_[slot];
  uint16_t low = static_cast<uint16_t>(dst);
  auto it = std::lower_bound(v.begin(), v.end(), 0, [&](const LongEntry& e, int) {
    return EntryLess(e.low, e.len, low, len);
  });
  if (it == v.end() || it->low != low || it->len != len) return;
  parent_[it->id] = 0;
  v.erase(it);
  --long_count_;
  MarkDirty(slot);
}

void PrefixTrie::Clear() { *this = PrefixTrie(); }

uint32_t PrefixTrie::ShortParent(uint32_t dst, uint8_t len, uint8_t* plen) const {
  for (int l = std::min<int>(len, 17) - 1; l >= 0; --l) {
    auto it = short_.find(ShortKey(dst & Mask(static_cast<uint8_t>(l)), static_cast<uint8_t>(l)));
    if (it != short_.end()) {
      if (plen) *plen = static_cast<uint8_t>(l);
      return it->second;
    }
  }
  if (plen) *plen = 0;
  return 0;
}

uint32_t PrefixTrie::Parent(uint32_t id, uint32_t dst, uint8_t len) const {
  if (len <= 16) return ShortParent(dst & Mask(len), len, nullptr);
  uint32_t p = id < parent_.size() ? parent_[id] : 0;
  return p != 0 ? p : short_best_[dst >> 16];
}

void PrefixTrie::MarkDirty(uint32_t slot) {
  if (!dirty_[slot]) {
    dirty_[slot] = true;
    dirty_slots_.push_back(slot);
  }
}

void PrefixTrie::Commit() {
  for (uint32_t slot : dirty_slots_) {
    dirty_[slot] = false;
    CompileSlot(slot);
  }
  dirty_slots_.clear();
  nodes_ = nodes_pool_.data.data();
  leaves_ = leaves_pool_.data.data();
}

void PrefixTrie::CompileSlot(uint32_t slot) {
  Block& b = blocks_[slot];
  if (b.used) {
    nodes_pool_.Free(b.node_off, b.node_size);
    leaves_pool_.Free(b.leaf_off, b.leaf_size);
    b = Block{};
  }
  root_[slot] = 0;
  const auto& es = slots_[slot];
  if (es.empty()) return;

  scratch_.nodes.assign(1, Node{});
  scratch_.leaves.clear();
  BuildNode(slot, 0, 16, es, 0);

  b.used = true;
  b.node_off = nodes_pool_.Alloc(scratch_.nodes.size(), &b.node_size);
  b.leaf_off = leaves_pool_.Alloc(std::max<size_t>(scratch_.leaves.size(), 1), &b.leaf_size);
  Node* dst_nodes = nodes_pool_.data.data() + b.node_off;
  for (size_t i = 0; i < scratch_.nodes.size(); ++i) {
    Node n = scratch_.nodes[i];
    n.base0 += b.leaf_off;
    n.base1 += b.node_off;
    dst_nodes[i] = n;
  }
  std::copy(scratch_.leaves.begin(), scratch_.leaves.end(),
            leaves_pool_.data.begin() + b.leaf_off);
  root_[slot] = b.node_off + 1;
}

// Builds the node at scratch index `ni` for the 6 address bits at `pos` (counted
// from the most significant bit). `es` holds the slot's entries whose start lies in
// this node's span, sorted by (start, length), so a covering prefix always comes
// before the prefixes it covers. Entries no longer than `pos` were folded into
// `dflt` by the caller and are skipped.
void PrefixTrie::BuildNode(uint32_t slot, size_t ni, unsigned pos,
                           absl::Span<const LongEntry> es, uint32_t dflt) {
  uint32_t val[64];
  std::fill(std::begin(val), std::end(val), dflt);
  uint64_t children = 0;
  const unsigned end = pos + 6;
  auto chunk = [&](const LongEntry& e) {
    uint64_t x = static_cast<uint64_t>((slot << 16) | e.low) << 32;
    return static_cast<unsigned>((x << pos) >> 58);
  };
  for (const LongEntry& e : es) {
    if (e.len <= pos) continue;
    unsigned v0 = chunk(e);
    if (e.len <= end) {
      // Covers chunks v0 .. v0 + 2^(end - len) - 1; whatever covered v0 so far is
      // the longest shorter prefix covering e.
      parent_[e.id] = val[v0];
      unsigned n = 1u << (end - e.len);
      for (unsigned k = v0; k < v0 + n; ++k) val[k] = e.id;
    } else {
      children |= uint64_t{1} << v0;
    }
  }

  Node node;
  node.vector = children;
  node.base0 = static_cast<uint32_t>(scratch_.leaves.size());
  node.base1 = static_cast<uint32_t>(scratch_.nodes.size());
  bool first = true;
  uint32_t prev = 0;
  for (unsigned v = 0; v < 64; ++v) {
    if ((children >> v) & 1) continue;
    if (first || val[v] != prev) {
      node.leafvec |= uint64_t{1} << v;
      scratch_.leaves.push_back(val[v]);
      prev = val[v];
      first = false;
    }
  }
  scratch_.nodes.resize(scratch_.nodes.size() + std::popcount(children));
  scratch_.nodes[ni] = node;

  size_t k = 0;
  size_t i = 0;
  while (children != 0 && i < es.size()) {
    const LongEntry& e = es[i];
    if (e.len <= end) {
      ++i;
      continue;
    }
    unsigned v = chunk(e);
    size_t j = i + 1;
    while (j < es.size() && chunk(es[j]) == v) ++j;
    size_t child = node.base1 + k++;
    BuildNode(slot, child, end, es.subspan(i, j - i), val[v]);
    i = j;
  }
}

size_t PrefixTrie::MemoryBytes() const {
  size_t b = nodes_pool_.Bytes() + leaves_pool_.Bytes();
  b += short_.capacity() * (sizeof(uint32_t) * 2 + 1);
  b += short_best_.capacity() * 4 + short_best_len_.capacity() + root_.capacity() * 4;
  b += blocks_.capacity() * sizeof(Block) + dirty_.capacity() / 8;
  b += slots_.capacity() * sizeof(slots_[0]);
  for (const auto& v : slots_) b += v.capacity() * sizeof(LongEntry);
  b += parent_.capacity() * sizeof(uint32_t);
  return b;
}

}  // namespace pvland::netlink
