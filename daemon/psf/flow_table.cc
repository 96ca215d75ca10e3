#include "daemon/psf/flow_table.h"

#include <cstring>

#include "absl/hash/hash.h"

namespace pvland::psf {

std::string_view PortDirName(PortDir d) { return d == PortDir::kFromPort ? "from-port" : "to-port"; }

FlowKey FlowKey::Of(const TcpSegment& seg, bool* src_is_a) {
  const int c = std::memcmp(seg.src.data(), seg.dst.data(), seg.src.size());
  const bool a_is_src = c < 0 || (c == 0 && seg.sport <= seg.dport);
  FlowKey k;
  k.vid = seg.vid;
  if (a_is_src) {
    k.addr_a = seg.src;
    k.port_a = seg.sport;
    k.addr_b = seg.dst;
    k.port_b = seg.dport;
  } else {
    k.addr_a = seg.dst;
    k.port_a = seg.dport;
    k.addr_b = seg.src;
    k.port_b = seg.sport;
  }
  *src_is_a = a_is_src;
  return k;
}

size_t FlowTable::IndexHash::operator()(uint32_t i) const { return absl::Hash<FlowKey>{}(t->At(i).key); }
size_t FlowTable::IndexHash::operator()(const FlowKey& k) const { return absl::Hash<FlowKey>{}(k); }
bool FlowTable::IndexEq::operator()(uint32_t a, const FlowKey& k) const { return t->At(a).key == k; }

FlowTable::FlowTable(size_t max_entries, FlowBudget* budget)
    : max_entries_(max_entries), budget_(budget), index_(0, IndexHash{this}, IndexEq{this}) {}

FlowTable::~FlowTable() { Flush(); }

uint32_t FlowTable::IndexOf(const FlowEntry* e) const { return *index_.find(e->key); }

bool FlowTable::Listed(uint32_t i) const { return head_ == i || At(i).prev != kNil; }

void FlowTable::ListAppend(uint32_t i) {
  FlowEntry& e = At(i);
  e.prev = tail_;
  e.next = kNil;
  if (tail_ != kNil) {
    At(tail_).next = i;
  } else {
    head_ = i;
  }
  tail_ = i;
}

void FlowTable::ListRemove(uint32_t i) {
  FlowEntry& e = At(i);
  if (e.prev != kNil) {
    At(e.prev).next = e.next;
  } else {
    head_ = e.next;
  }
  if (e.next != kNil) {
    At(e.next).prev = e.prev;
  } else {
    tail_ = e.prev;
  }
  e.prev = e.next = kNil;
}

uint32_t FlowTable::AllocSlot() {
  if (free_ != kNil) {
    const uint32_t i = free_;
    free_ = At(i).next;
    return i;
  }
  if ((slots_used_ >> kChunkShift) >= chunks_.size())
    chunks_.push_back(std::make_unique<FlowEntry[]>(kChunkSize));
  return slots_used_++;
}

// Unlinks slot i from the index and the eviction list and frees it.
void FlowTable::Remove(uint32_t i) {
  index_.erase(i);
  if (Listed(i)) ListRemove(i);
  At(i).next = free_;
  free_ = i;
  if (budget_ != nullptr) --budget_->used_;
}

bool FlowTable::AtBound() const {
  return index_.size() >= max_entries_ || (budget_ != nullptr && budget_->Full());
}

FlowEntry* FlowTable::Find(const FlowKey& key, MonoNs now) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  const uint32_t i = *it;
  if (At(i).expires > now) return &At(i);
  Remove(i);
  ++counters_.expired;
  return nullptr;
}

FlowEntry* FlowTable::Insert(const FlowKey& key, MonoNs now) {
  // Make room: first the oldest entry that is not an established connection; an entry of
  // this table only, so one port's connections never push out another's.
  while (AtBound()) {
    if (head_ == kNil || index_.size() == 0) {
      ++counters_.refused;
      return nullptr;
    }
    const uint32_t victim = head_;
    const bool dead = At(victim).expires <= now;
    Remove(victim);
    ++(dead ? counters_.expired : counters_.evicted);
  }
  const uint32_t i = AllocSlot();
  FlowEntry& e = At(i);
  e = FlowEntry{};
  e.key = key;
  e.expires = now;
  e.prev = e.next = kNil;
  index_.insert(i);
  if (budget_ != nullptr) ++budget_->used_;
  ListAppend(i);  // a new connection is not established yet
  ++counters_.inserted;
  return &e;
}

void FlowTable::Erase(FlowEntry* e) {
  Remove(IndexOf(e));
  ++counters_.removed;
}

void FlowTable::Update(FlowEntry* e) {
  const uint32_t i = IndexOf(e);
  const bool listed = Listed(i);
  const bool evictable = Evictable(e->conn);
  if (listed && !evictable) {
    ListRemove(i);
  } else if (!listed && evictable) {
    ListAppend(i);
  }
}

size_t FlowTable::Sweep(MonoNs now) {
  std::vector<uint32_t> dead;
  for (uint32_t i : index_)
    if (At(i).expires <= now) dead.push_back(i);
  for (uint32_t i : dead) Remove(i);
  counters_.expired += dead.size();
  return dead.size();
}

void FlowTable::Flush() {
  if (budget_ != nullptr) budget_->used_ -= index_.size();
  // A fresh set, not clear(): clear() keeps a small table's arrays.
  index_ = decltype(index_)(0, IndexHash{this}, IndexEq{this});
  chunks_.clear();
  slots_used_ = 0;
  free_ = head_ = tail_ = kNil;
}

void FlowTable::ForEach(absl::FunctionRef<void(const FlowEntry&)> fn) const {
  for (uint32_t i : index_) fn(At(i));
}

size_t FlowTable::MemoryBytes() const {
  // flat_hash_set keeps one control byte and one slot per bucket, plus a group's worth of
  // cloned control bytes.
  const size_t cap = index_.capacity();
  const size_t index_bytes = cap == 0 ? 0 : cap * (sizeof(uint32_t) + 1) + 16;
  return chunks_.size() * (kChunkSize * sizeof(FlowEntry) + sizeof(chunks_[0])) + index_bytes;
}

}  // namespace pvland::psf
