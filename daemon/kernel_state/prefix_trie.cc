#include "daemon/kernel_state/prefix_trie.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace pvland::kernel_state {
namespace {

constexpr uint32_t kSlots = 1u << 16;
// Group references carry 24 bits: 16M groups of 1 KiB, far more than any table
// has /24s holding longer prefixes.
constexpr uint32_t kMaxGroups = 1u << 24;

// The chunk of every /8 without a route, shared by all tries. Never written, so it
// stays on the kernel's zero page and costs no memory.
alignas(4096) PrefixTrie::Entry g_empty_chunk[1u << 16];

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

PrefixTrie::PrefixTrie() {
  std::fill(std::begin(top_), std::end(top_), &g_empty_chunk[0]);
  std::fill(std::begin(top_shared_), std::end(top_shared_), true);
  std::fill(std::begin(top_entry_), std::end(top_entry_), Entry{0, 0});
}

PrefixTrie::~PrefixTrie() = default;

// The per-slot arrays (about 2 MiB) exist from the first Insert on, so the lookup
// groups that stay empty (usually table 253 and the tables rules would reach)
// cost none of it.
void PrefixTrie::Init() {
  if (!slots_.empty()) return;
  short_best_.assign(kSlots, 0);
  short_best_len_.assign(kSlots, 0);
  slots_.resize(kSlots);
  long_slots_.assign(256, 0);
  dirty_.assign(kSlots, false);
}

void PrefixTrie::Clear() {
  short_.clear();
  std::vector<uint32_t>().swap(short_best_);
  std::vector<uint8_t>().swap(short_best_len_);
  std::vector<std::vector<LongEntry>>().swap(slots_);
  long_count_ = 0;
  std::vector<uint16_t>().swap(long_slots_);
  std::fill(std::begin(top_), std::end(top_), &g_empty_chunk[0]);
  std::fill(std::begin(top_shared_), std::end(top_shared_), true);
  std::fill(std::begin(top_entry_), std::end(top_entry_), Entry{0, 0});
  // Give the memory back: a cleared FIB is usually refilled by a resync, and
  // holding the old high-water mark would double-count it.
  shared_.clear();
  chunks_.Release();
  free_chunks_.clear();
  chunk_count_ = 0;
  groups_.Release();
  free_groups_.clear();
  group_count_ = 0;
  dirty_slots_.clear();
  std::vector<bool>().swap(dirty_);
}

const PrefixTrie::LongEntry* PrefixTrie::FindLong(uint32_t dst, uint8_t len) const {
  if (slots_.empty()) return nullptr;
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
  Init();
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
  if (v.empty()) ++long_slots_[slot >> 8];
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

void PrefixTrie::Touch(uint32_t dst, uint8_t len) {
  if (slots_.empty()) return;  // nothing inserted yet
  dst &= Mask(len);
  if (len <= 16) {
    // Its value shows only where it is the best short prefix.
    uint32_t first = dst >> 16, n = 1u << (16 - len);
    for (uint32_t s = first; s < first + n; ++s) {
      if (short_best_len_[s] == len + 1) MarkDirty(s);
    }
    return;
  }
  MarkDirty(dst >> 16);
}

void PrefixTrie::Erase(uint32_t dst, uint8_t len) {
  if (slots_.empty()) return;  // nothing inserted yet
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
  if (v.empty()) {
    std::vector<LongEntry>().swap(v);
    --long_slots_[slot >> 8];
  }
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
  return short_best_.empty() ? 0 : short_best_[dst >> 16];
}

void PrefixTrie::MarkDirty(uint32_t slot) {
  if (!dirty_[slot]) {
    dirty_[slot] = true;
    dirty_slots_.push_back(slot);
  }
}

void PrefixTrie::Commit() {
  if (dirty_slots_.empty()) return;
  // Slot numbers sort by /8, so each /8's dirty slots are one run.
  std::sort(dirty_slots_.begin(), dirty_slots_.end());
  const uint32_t* p = dirty_slots_.data();
  const uint32_t* end = p + dirty_slots_.size();
  while (p != end) {
    const uint32_t top = *p >> 8;
    const uint32_t* q = p;
    while (q != end && (*q >> 8) == top) ++q;
    CommitTop(top, p, q);
    p = q;
  }
  for (uint32_t slot : dirty_slots_) dirty_[slot] = false;
  dirty_slots_.clear();
}

void PrefixTrie::CommitTop(uint32_t top, const uint32_t* first, const uint32_t* last) {
  // All 64K entries of the /8 are equal when none of its slots holds a prefix
  // longer than /16 and the same short prefix (or none) covers every slot.
  const uint32_t* best = &short_best_[top << 8];
  const bool uniform = long_slots_[top] == 0 && std::all_of(best, best + 256, [&](uint32_t v) {
                         return v == best[0];
                       });
  if (uniform) {
    const Entry e = Make(best[0]);
    if (top_shared_[top] && Key(top_entry_[top]) == Key(e)) return;
    if (top_shared_[top]) {
      ReleaseShared(top_entry_[top]);
    } else {
      // Only dirty slots can have had prefixes longer than /16, hence groups.
      for (const uint32_t* s = first; s != last; ++s) FreeSlotGroups(*s);
      free_chunks_.push_back(top_[top]);
    }
    top_[top] = AcquireShared(e);
    top_shared_[top] = true;
    top_entry_[top] = e;
    return;
  }
  if (top_shared_[top]) {
    // Becomes the /8's own chunk, starting as a copy of the shared one: slots that
    // are not dirty keep what they had.
    Entry* c = NewChunk();
    std::fill(c, c + kChunkEntries, top_entry_[top]);
    ReleaseShared(top_entry_[top]);
    top_[top] = c;
    top_shared_[top] = false;
  }
  for (const uint32_t* s = first; s != last; ++s) CompileSlot(*s);
}

PrefixTrie::Entry* PrefixTrie::NewChunk() {
  if (!free_chunks_.empty()) {
    Entry* c = free_chunks_.back();
    free_chunks_.pop_back();
    return c;
  }
  chunks_.Reserve(chunk_count_ + 1);
  return chunks_[chunk_count_++];
}

PrefixTrie::Entry* PrefixTrie::AcquireShared(Entry e) {
  if (e.value == 0) return g_empty_chunk;
  SharedChunk& s = shared_[Key(e)];
  if (s.refs++ == 0) {
    s.chunk = NewChunk();
    std::fill(s.chunk, s.chunk + kChunkEntries, e);
  }
  return s.chunk;
}

void PrefixTrie::ReleaseShared(Entry e) {
  if (e.value == 0) return;
  auto it = shared_.find(Key(e));
  assert(it != shared_.end());
  if (--it->second.refs == 0) {
    free_chunks_.push_back(it->second.chunk);
    shared_.erase(it);
  }
}

uint32_t PrefixTrie::NewGroup(Entry fill) {
  uint32_t g;
  if (!free_groups_.empty()) {
    g = free_groups_.back();
    free_groups_.pop_back();
  } else {
    if (group_count_ >= kMaxGroups) {
      std::fprintf(stderr, "PrefixTrie: more than %u /24s hold longer prefixes\n", kMaxGroups);
      std::abort();
    }
    g = group_count_++;
    groups_.Reserve(group_count_);
  }
  std::fill(std::begin(groups_[g].e), std::end(groups_[g].e), fill);
  return g;
}

void PrefixTrie::FreeSlotGroups(uint32_t slot) {
  const Entry* e = top_[slot >> 8] + (slot & 255) * 256;
  for (unsigned v = 0; v < 256; ++v) {
    if (e[v].value >= kNodeTag) free_groups_.push_back(e[v].value & ~kNodeTag);
  }
}

void PrefixTrie::CompileSlot(uint32_t slot) {
  FreeSlotGroups(slot);
  Entry* e = top_[slot >> 8] + (slot & 255) * 256;
  std::fill(e, e + 256, Make(short_best_[slot]));
  // Entries are sorted by (start, length), so a covering prefix is painted before
  // the prefixes it covers, and every prefix of length <= 24 covering a /24 comes
  // before the first longer prefix inside it: when that one makes the /24's group,
  // the entry it replaces is final and becomes the group's default.
  for (const LongEntry& x : slots_[slot]) {
    const unsigned v0 = x.low >> 8;
    const Entry n = Make(x.value);
    if (x.len <= 24) {
      std::fill(e + v0, e + v0 + (1u << (24 - x.len)), n);
      continue;
    }
    if (e[v0].value < kNodeTag) e[v0] = Entry{kNodeTag | NewGroup(e[v0]), 0};
    Entry* g = groups_[e[v0].value & ~kNodeTag].e;
    const unsigned a0 = x.low & 255;
    std::fill(g + a0, g + a0 + (1u << (32 - x.len)), n);
  }
}

size_t PrefixTrie::MemoryBytes() const {
  size_t b = chunks_.bytes() + groups_.bytes();
  b += free_chunks_.capacity() * sizeof(uint32_t*) + free_groups_.capacity() * 4;
  b += shared_.capacity() * (sizeof(uint32_t) + sizeof(SharedChunk) + 1);
  b += short_.capacity() * (sizeof(uint32_t) * 2 + 1);
  b += short_best_.capacity() * 4 + short_best_len_.capacity() + long_slots_.capacity() * 2;
  b += dirty_.capacity() / 8 + dirty_slots_.capacity() * 4;
  b += slots_.capacity() * sizeof(slots_[0]);
  for (const auto& v : slots_) b += v.capacity() * sizeof(LongEntry);
  return b;
}

}  // namespace pvland::kernel_state
