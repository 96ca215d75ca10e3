#include "daemon/kernel_state/prefix_trie.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "daemon/kernel_state/huge_region.h"

namespace pvland::kernel_state {
namespace {

constexpr uint32_t kSlots = 1u << 16;
// Node references carry 24 bits of 16-byte units: 256 MiB of nodes per trie,
// far more than a full Internet table needs (~10 MiB).
constexpr uint32_t kMaxUnits = 1u << 24;

uint32_t Mask(uint8_t len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

bool EntryLess(uint16_t low_a, uint8_t len_a, uint16_t low_b, uint8_t len_b) {
  return low_a != low_b ? low_a < low_b : len_a < len_b;
}

// The first entry of dst's slot vector (sorted by low 16 bits, then length) not before
// (dst, len): where that prefix is, or goes.
template <typename Entries>
auto LowerBound(Entries& v, uint32_t dst, uint8_t len) {
  const uint16_t low = static_cast<uint16_t>(dst);
  return std::lower_bound(v.begin(), v.end(), 0, [&](const auto& e, int) {
    return EntryLess(e.low, e.len, low, len);
  });
}

}  // namespace

PrefixTrie::PrefixTrie()
    : short_best_(kSlots, 0),
      short_best_len_(kSlots, 0),
      slots_(kSlots),
      root_(kSlots, 0),
      blocks_(kSlots),
      region_(std::make_unique<HugeRegion>(size_t{kMaxUnits} * kUnitWords * 4)),
      pool_(reinterpret_cast<uint32_t*>(region_->data())),
      dirty_(kSlots, false) {}

PrefixTrie::~PrefixTrie() = default;

void PrefixTrie::Clear() {
  short_.clear();
  std::fill(short_best_.begin(), short_best_.end(), 0);
  std::fill(short_best_len_.begin(), short_best_len_.end(), 0);
  for (auto& v : slots_) std::vector<LongEntry>().swap(v);
  long_count_ = 0;
  std::fill(root_.begin(), root_.end(), 0);
  std::fill(blocks_.begin(), blocks_.end(), Block{});
  // Give the node pages back: a cleared FIB is usually refilled by a resync, and
  // holding the old high-water mark would double-count it.
  region_ = std::make_unique<HugeRegion>(size_t{kMaxUnits} * kUnitWords * 4);
  pool_ = reinterpret_cast<uint32_t*>(region_->data());
  pool_units_ = 0;
  free_.clear();
  free_units_ = 0;
  dirty_slots_.clear();
  std::fill(dirty_.begin(), dirty_.end(), false);
}

const PrefixTrie::LongEntry* PrefixTrie::FindLong(uint32_t dst, uint8_t len) const {
  const auto& v = slots_[dst >> 16];
  auto it = LowerBound(v, dst, len);
  return it != v.end() && it->low == static_cast<uint16_t>(dst) && it->len == len ? &*it : nullptr;
}

PrefixTrie::LongEntry* PrefixTrie::FindLong(uint32_t dst, uint8_t len) {
  return const_cast<LongEntry*>(std::as_const(*this).FindLong(dst, len));
}

uint32_t PrefixTrie::Find(uint32_t dst, uint8_t len) const {
  dst &= Mask(len);
  if (len <= 16) {
    auto it = short_.find(ShortKey(dst, len));
    return it == short_.end() ? 0 : it->second;
  }
  const LongEntry* e = FindLong(dst, len);
  return e ? e->value : 0;
}

void PrefixTrie::Insert(uint32_t dst, uint8_t len, uint32_t value) {
  assert(value != 0 && value <= kMaxValue);
  dst &= Mask(len);
  if (len <= 16) {
    short_.emplace(ShortKey(dst, len), value);
    uint32_t first = dst >> 16, n = 1u << (16 - len);
    for (uint32_t s = first; s < first + n; ++s) {
      if (short_best_len_[s] < len + 1) {
        short_best_[s] = value;
        short_best_len_[s] = len + 1;
        MarkDirty(s);
      }
    }
    return;
  }
  const uint32_t slot = dst >> 16;
  auto& v = slots_[slot];
  v.insert(LowerBound(v, dst, len), LongEntry{value, static_cast<uint16_t>(dst), len});
  ++long_count_;
  MarkDirty(slot);
}

void PrefixTrie::Set(uint32_t dst, uint8_t len, uint32_t value) {
  assert(value != 0 && value <= kMaxValue);
  dst &= Mask(len);
  if (len <= 16) {
    auto it = short_.find(ShortKey(dst, len));
    if (it == short_.end()) return;
    it->second = value;
    // A slot whose best short prefix has this length has this prefix as its best:
    // it covers the slot, and only one prefix of a given length can.
    uint32_t first = dst >> 16, n = 1u << (16 - len);
    for (uint32_t s = first; s < first + n; ++s) {
      if (short_best_len_[s] == len + 1) {
        short_best_[s] = value;
        MarkDirty(s);
      }
    }
    return;
  }
  if (LongEntry* e = FindLong(dst, len)) {
    e->value = value;
    MarkDirty(dst >> 16);
  }
}

void PrefixTrie::Erase(uint32_t dst, uint8_t len) {
  dst &= Mask(len);
  if (len <= 16) {
    auto it = short_.find(ShortKey(dst, len));
    if (it == short_.end()) return;
    short_.erase(it);
    // Slots that had this prefix as their best now get the best shorter one, which
    // is the same for all of them because it covers the whole erased range.
    uint8_t plen = 0;
    uint32_t repl = ShortParent(dst, len, &plen);
    uint32_t first = dst >> 16, n = 1u << (16 - len);
    for (uint32_t s = first; s < first + n; ++s) {
      if (short_best_len_[s] == len + 1) {
        short_best_[s] = repl;
        short_best_len_[s] = repl != 0 ? plen + 1 : 0;
        MarkDirty(s);
      }
    }
    return;
  }
  const uint32_t slot = dst >> 16;
  auto& v = slots_[slot];
  auto it = LowerBound(v, dst, len);
  if (it == v.end() || it->low != static_cast<uint16_t>(dst) || it->len != len) return;
  v.erase(it);
  if (v.empty()) std::vector<LongEntry>().swap(v);
  --long_count_;
  MarkDirty(slot);
}

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

uint32_t PrefixTrie::Parent(uint32_t /*value*/, uint32_t dst, uint8_t len) const {
  dst &= Mask(len);
  if (len <= 16) return ShortParent(dst, len, nullptr);
  // Only the slow path of a lookup backtracks, so probing each shorter length in
  // the slot's sorted vector is cheaper overall than keeping a parent per prefix.
  for (int l = len - 1; l > 16; --l) {
    if (const LongEntry* e = FindLong(dst & Mask(static_cast<uint8_t>(l)), static_cast<uint8_t>(l))) {
      return e->value;
    }
  }
  return short_best_[dst >> 16];
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
}

uint32_t PrefixTrie::AllocUnits(uint32_t n, uint32_t* size) {
  uint32_t sz = n <= 256 ? n : std::bit_ceil(n);
  *size = sz;
  auto it = free_.find(sz);
  if (it != free_.end() && !it->second.empty()) {
    uint32_t off = it->second.back();
    it->second.pop_back();
    free_units_ -= sz;
    return off;
  }
  if (pool_units_ + sz > kMaxUnits) {
    std::fprintf(stderr, "PrefixTrie: node pool exhausted (%u units)\n", pool_units_);
    std::abort();
  }
  uint32_t off = pool_units_;
  pool_units_ += sz;
  return off;
}

void PrefixTrie::FreeUnits(uint32_t off, uint32_t size) {
  free_[size].push_back(off);
  free_units_ += size;
}

size_t PrefixTrie::EmitNode(const uint32_t* val, const uint64_t* child, std::vector<size_t>* kids) {
  size_t at = scratch_.size();
  scratch_.resize(at + kHeaderWords);
  uint64_t map[4] = {0, 0, 0, 0};
  bool prev_child = false;
  for (unsigned v = 0; v < 256; ++v) {
    bool is_child = (child[v >> 6] >> (v & 63)) & 1;
    if (v == 0 || is_child || prev_child || val[v] != val[v - 1]) {
      map[v >> 6] |= uint64_t{1} << (v & 63);
      if (is_child) kids->push_back(scratch_.size());
      scratch_.push_back(is_child ? kNodeTag : val[v]);
    }
    prev_child = is_child;
  }
  std::memcpy(&scratch_[at], map, sizeof map);
  uint32_t c1 = std::popcount(map[0]);
  uint32_t c2 = c1 + std::popcount(map[1]);
  uint32_t c3 = c2 + std::popcount(map[2]);
  scratch_[at + 8] = (c1 << 8) | (c2 << 16) | (c3 << 24);
  scratch_.resize((scratch_.size() + kUnitWords - 1) / kUnitWords * kUnitWords, 0);
  return at;
}

void PrefixTrie::CompileSlot(uint32_t slot) {
  Block& b = blocks_[slot];
  if (b.size != 0) {
    FreeUnits(b.off, b.size);
    b = Block{};
  }
  const auto& es = slots_[slot];
  const uint32_t dflt = short_best_[slot];
  if (es.empty()) {
    root_[slot] = dflt;
    return;
  }

  // Level 2 (address bits 16..23). Entries are sorted by (start, length), so a
  // covering prefix is painted before the prefixes it covers.
  uint32_t val[256];
  std::fill(std::begin(val), std::end(val), dflt);
  uint64_t child[4] = {0, 0, 0, 0};
  for (const LongEntry& e : es) {
    unsigned v0 = e.low >> 8;
    if (e.len <= 24) {
      std::fill(val + v0, val + v0 + (1u << (24 - e.len)), e.value);
    } else {
      child[v0 >> 6] |= uint64_t{1} << (v0 & 63);
    }
  }
  scratch_.clear();
  std::vector<size_t> kids;
  EmitNode(val, child, &kids);

  // Level 3 (bits 24..31) under each position holding prefixes longer than /24;
  // its default is what level 2 had there.
  static const uint64_t kNoChildren[4] = {0, 0, 0, 0};
  size_t k = 0, i = 0;
  for (unsigned v = 0; v < 256; ++v) {
    if (((child[v >> 6] >> (v & 63)) & 1) == 0) continue;
    while ((es[i].low >> 8) < v) ++i;
    uint32_t val3[256];
    std::fill(std::begin(val3), std::end(val3), val[v]);
    for (; i < es.size() && (es[i].low >> 8) == v; ++i) {
      const LongEntry& e = es[i];
      if (e.len <= 24) continue;
      unsigned v0 = e.low & 255;
      std::fill(val3 + v0, val3 + v0 + (1u << (32 - e.len)), e.value);
    }
    size_t off = EmitNode(val3, kNoChildren, nullptr);
    scratch_[kids[k++]] = kNodeTag | static_cast<uint32_t>(off / kUnitWords);
  }

  uint32_t units = static_cast<uint32_t>(scratch_.size() / kUnitWords);
  b.off = AllocUnits(units, &b.size);
  for (size_t w : kids) scratch_[w] += b.off;
  std::memcpy(pool_ + static_cast<size_t>(b.off) * kUnitWords, scratch_.data(),
              scratch_.size() * sizeof(uint32_t));
  root_[slot] = kNodeTag | b.off;
}

size_t PrefixTrie::MemoryBytes() const {
  size_t b = size_t{pool_units_} * kUnitWords * 4;
  for (const auto& [size, f] : free_) b += f.capacity() * sizeof(uint32_t) + 40;
  b += short_.capacity() * (sizeof(uint32_t) * 2 + 1);
  b += short_best_.capacity() * 4 + short_best_len_.capacity() + root_.capacity() * 4;
  b += blocks_.capacity() * sizeof(Block) + dirty_.capacity() / 8;
  b += dirty_slots_.capacity() * 4 + scratch_.capacity() * 4;
  b += slots_.capacity() * sizeof(slots_[0]);
  for (const auto& v : slots_) b += v.capacity() * sizeof(LongEntry);
  return b;
}

}  // namespace pvland::kernel_state
