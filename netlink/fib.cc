#include "netlink/fib.h"

#include <array>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "netlink/prefix_trie.h"

namespace pvland::netlink {
namespace {

using l3::RouteType;

constexpr uint32_t kNone = 0xffffffff;
constexpr uint8_t kNhDead = 1;      // RTNH_F_DEAD
constexpr uint8_t kTosMask = 0x1c;  // IPTOS_RT_MASK: what fib_dscp_masked_match keeps

// Lookup groups: the kernel's merged local+main trie, table 253, everything else.
enum Group : uint8_t { kMerged = 0, kDefaultTable = 1, kOtherTables = 2, kGroups = 3 };

Group GroupOf(uint32_t table) {
  if (table == l3::kTableLocal || table == l3::kTableMain) return kMerged;
  if (table == l3::kTableDefault) return kDefaultTable;
  return kOtherTables;
}

uint32_t Mask(uint8_t len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

bool IsErrorType(RouteType t) {
  // fib_props[].error < 0; nat (10) and xresolve (11) behave like blackhole.
  return t == RouteType::kBlackhole || t == RouteType::kUnreachable ||
         t == RouteType::kProhibit || t == RouteType::kNat || static_cast<uint8_t>(t) == 11;
}

// Kernel alias order inside one prefix: table descending (local before main in the
// merged trie), tos descending, priority ascending.
bool AliasBefore(const l3::Route& a, const l3::Route& b) {
  if (a.table != b.table) return a.table > b.table;
  if (a.tos != b.tos) return a.tos > b.tos;
  return a.priority < b.priority;
}

bool SameIdentity(const l3::Route& a, const l3::Route& b) {
  return a.table == b.table && a.tos == b.tos && a.priority == b.priority;
}

// Fixed avalanche mix (murmur3's finalizer) of the destination, standing in for the
// kernel's flow hash, whose per-boot random seed no userspace choice can reproduce.
uint32_t MixDst(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

}  // namespace

bool FibResult::IsError() const { return IsErrorType(type); }

struct Fib::Impl {
  struct RouteSlot {
    l3::Route route;
    uint32_t next = kNone;  // next alias of the same prefix
    uint32_t prefix = 0;
    bool used = false;
  };
  struct PrefixRec {
    uint32_t head = kNone;  // first alias in kernel order
    uint32_t dst = 0;
    uint8_t len = 0;
  };
  enum class Outcome { kFound, kThrow, kNone };

  // Routes live in fixed-size chunks so Route* stays valid while others are added.
  static constexpr unsigned kChunkBits = 12;
  static constexpr uint32_t kChunk = 1u << kChunkBits;
  std::vector<std::unique_ptr<RouteSlot[]>> chunks;
  std::vector<uint32_t> free_routes;
  uint32_t route_hw = 0;  // ids below this have been handed out
  size_t route_count = 0;

  std::vector<PrefixRec> prefixes{PrefixRec{}};  // id 0 means "none"
  std::vector<uint32_t> free_prefixes;
  std::array<PrefixTrie, kGroups> tries;
  absl::flat_hash_map<int, FibLinkState> links;
  bool dirty = false;

  RouteSlot& Slot(uint32_t id) { return chunks[id >> kChunkBits][id & (kChunk - 1)]; }
  const RouteSlot& Slot(uint32_t id) const { return chunks[id >> kChunkBits][id & (kChunk - 1)]; }

  uint32_t NewRoute() {
    if (!free_routes.empty()) {
      uint32_t id = free_routes.back();
      free_routes.pop_back();
      return id;
    }
    if ((route_hw >> kChunkBits) >= chunks.size()) {
      chunks.push_back(std::make_unique<RouteSlot[]>(kChunk));
    }
    return route_hw++;
  }

  uint32_t NewPrefix(uint32_t dst, uint8_t len) {
    uint32_t id;
    if (!free_prefixes.empty()) {
      id = free_prefixes.back();
      free_prefixes.pop_back();
    } else {
      id = static_cast<uint32_t>(prefixes.size());
      prefixes.emplace_back();
    }
    prefixes[id] = PrefixRec{kNone, dst, len};
    return id;
  }

  // Unlinks and frees alias `id`, and its prefix once that has no alias left.
  void Unlink(uint32_t id, uint32_t prev) {
    RouteSlot& s = Slot(id);
    PrefixRec& p = prefixes[s.prefix];
    if (prev == kNone) {
      p.head = s.next;
    } else {
      Slot(prev).next = s.next;
    }
    if (p.head == kNone) {
      tries[GroupOf(s.route.table)].Erase(p.dst, p.len);
      free_prefixes.push_back(s.prefix);
    }
    s = RouteSlot{};
    free_routes.push_back(id);
    --route_count;
    dirty = true;
  }

  void Commit() {
    if (!dirty) return;
    for (auto& t : tries) t.Commit();
    dirty = false;
  }

  bool Usable(const l3::Route& r, const l3::NextHop& nh) const {
    // Host-scope routes (local addresses) have nexthop scope "nowhere", which
    // fib_sync_down_dev never marks DEAD or LINKDOWN.
    bool exempt = r.scope >= l3::kScopeHost;
    auto it = links.find(nh.ifindex);
    if (it != links.end()) {
      // The live device state is newer than the flags of the last route message:
      // carrier and admin changes are never announced per route.
      if (exempt) return true;
      const FibLinkState& ls = it->second;
      return ls.admin_up && (ls.carrier || !ls.ignore_linkdown);
    }
    return (nh.flags & kNhDead) == 0;
  }

  // Which leg of a route serves `dst`. Single-path: the leg if usable. Multipath:
  // hash-threshold over the weights of the usable legs, as fib_select_multipath
  // does, but keyed by a fixed hash of the destination alone. The kernel keys a
  // per-boot random seed and (policy 0) the source too, so no userspace choice can
  // agree with it per flow; this one is deterministic across runs and machines,
  // gives the same leg to every lookup of one destination (so `route get` and the
  // ARP/rp_filter decisions agree with each other), and spreads destinations over
  // the legs in proportion to their weights, as the kernel spreads flows.
  const l3::NextHop* ChooseLeg(const l3::Route& r, uint32_t dst) const {
    const auto& nhs = r.nexthops;
    if (nhs.size() == 1) return Usable(r, nhs[0]) ? &nhs[0] : nullptr;
    uint64_t total = 0;
    for (const auto& nh : nhs) {
      if (Usable(r, nh)) total += static_cast<uint64_t>(nh.weight > 0 ? nh.weight : 1);
    }
    if (total == 0) return nullptr;
    uint64_t point = (static_cast<uint64_t>(MixDst(dst)) * total) >> 32;
    uint64_t acc = 0;
    for (const auto& nh : nhs) {
      if (!Usable(r, nh)) continue;
      acc += static_cast<uint64_t>(nh.weight > 0 ? nh.weight : 1);
      if (point < acc) return &nh;
    }
    return nullptr;  // unreachable: point < total
  }

  // fib_table_lookup over one group; table != 0 restricts it to that table.
  Outcome LookupGroup(Group g, uint32_t dst, uint8_t dsfield, uint32_t table,
                      FibResult* out) const {
    const PrefixTrie& t = tries[g];
    uint8_t tos = dsfield & kTosMask;
    for (uint32_t pid = t.Longest(dst); pid != 0;) {
      const PrefixRec& p = prefixes[pid];
      for (uint32_t id = p.head; id != kNone;) {
        const RouteSlot& s = Slot(id);
        id = s.next;
        const l3::Route& r = s.route;
        if (table != 0 && r.table != table) continue;
        if (r.tos != 0 && r.tos != tos) continue;
        if (r.type == RouteType::kThrow) return Outcome::kThrow;
        if (IsErrorType(r.type)) {
          *out = FibResult{r.type, &r, nullptr, r.table, 0, 0};
          return Outcome::kFound;
        }
        const l3::NextHop* nh = ChooseLeg(r, dst);
        if (nh == nullptr) continue;  // every leg unusable: next alias, then shorter
        *out = FibResult{r.type, &r, nh, r.table, nh->ifindex, nh->gateway};
        return Outcome::kFound;
      }
      pid = t.Parent(pid, p.dst, p.len);
    }
    return Outcome::kNone;
  }
};

Fib::Fib() : impl_(std::make_unique<Impl>()) {}
Fib::~Fib() = default;
Fib::Fib(Fib&&) noexcept = default;
Fib& Fib::operator=(Fib&&) noexcept = default;

bool Fib::Upsert(const l3::Route& in) {
  Impl& m = *impl_;
  l3::Route route = in;
  route.dst &= Mask(route.dst_len);
  PrefixTrie& trie = m.tries[GroupOf(route.table)];
  uint32_t pid = trie.Find(route.dst, route.dst_len);
  if (pid == 0) {
    pid = m.NewPrefix(route.dst, route.dst_len);
    trie.Insert(route.dst, route.dst_len, pid);
  }
  uint32_t prev = kNone;
  for (uint32_t id = m.prefixes[pid].head; id != kNone; id = m.Slot(id).next) {
    Impl::RouteSlot& s = m.Slot(id);
    if (SameIdentity(s.route, route)) {
      s.route = std::move(route);
      m.dirty = true;
      return false;
    }
    if (AliasBefore(route, s.route)) break;
    prev = id;
  }
  uint32_t id = m.NewRoute();
  Impl::RouteSlot& s = m.Slot(id);
  s.route = std::move(route);
  s.prefix = pid;
  s.used = true;
  if (prev == kNone) {
    s.next = m.prefixes[pid].head;
    m.prefixes[pid].head = id;
  } else {
    s.next = m.Slot(prev).next;
    m.Slot(prev).next = id;
  }
  ++m.route_count;
  m.dirty = true;
  return true;
}

bool Fib::Remove(const l3::Route& route) {
  Impl& m = *impl_;
  uint32_t pid = m.tries[GroupOf(route.table)].Find(route.dst, route.dst_len);
  if (pid == 0) return false;
  uint32_t prev = kNone;
  for (uint32_t id = m.prefixes[pid].head; id != kNone; id = m.Slot(id).next) {
    if (SameIdentity(m.Slot(id).route, route)) {
      m.Unlink(id, prev);
      return true;
    }
    prev = id;
  }
  return false;
}

size_t Fib::RemoveIf(absl::FunctionRef<bool(const l3::Route&)> pred) {
  Impl& m = *impl_;
  std::vector<l3::Route> doomed;
  for (uint32_t id = 0; id < m.route_hw; ++id) {
    const Impl::RouteSlot& s = m.Slot(id);
    if (s.used && pred(s.route)) doomed.push_back(s.route);
  }
  for (const auto& r : doomed) Remove(r);
  return doomed.size();
}

void Fib::Clear() {
  auto links = std::move(impl_->links);
  impl_ = std::make_unique<Impl>();
  impl_->links = std::move(links);
}

const l3::Route* Fib::Find(uint32_t table, l3::Ipv4 dst, uint8_t dst_len, uint8_t tos,
                           uint32_t priority) const {
  const Impl& m = *impl_;
  uint32_t pid = m.tries[GroupOf(table)].Find(dst & Mask(dst_len), dst_len);
  if (pid == 0) return nullptr;
  for (uint32_t id = m.prefixes[pid].head; id != kNone; id = m.Slot(id).next) {
    const l3::Route& r = m.Slot(id).route;
    if (r.table == table && r.tos == tos && r.priority == priority) return &r;
  }
  return nullptr;
}

void Fib::ForEach(absl::FunctionRef<void(const l3::Route&)> fn) const {
  const Impl& m = *impl_;
  for (uint32_t id = 0; id < m.route_hw; ++id) {
    if (m.Slot(id).used) fn(m.Slot(id).route);
  }
}

size_t Fib::size() const { return impl_->route_count; }

void Fib::SetLinkState(int ifindex, const FibLinkState& state) {
  impl_->links[ifindex] = state;
}

void Fib::ForgetLinkState(int ifindex) { impl_->links.erase(ifindex); }

std::optional<FibResult> Fib::Lookup(l3::Ipv4 dst, uint8_t dscp_tos, int /*iif*/) const {
  Impl& m = *impl_;
  m.Commit();
  FibResult r;
  // Merged local+main first; only "no match" or throw falls through to table 253
  // (the running kernel's behaviour, kernel-semantics.md §2.12.3).
  if (m.LookupGroup(kMerged, dst, dscp_tos, 0, &r) == Impl::Outcome::kFound) return r;
  if (m.LookupGroup(kDefaultTable, dst, dscp_tos, 0, &r) == Impl::Outcome::kFound) return r;
  return std::nullopt;
}

std::optional<FibResult> Fib::LookupTable(uint32_t table, l3::Ipv4 dst,
                                          uint8_t dscp_tos) const {
  Impl& m = *impl_;
  m.Commit();
  FibResult r;
  // In merged mode the kernel's local and main table objects share one trie, so a
  // lookup "in table local" sees main's routes too.
  Group g = GroupOf(table);
  uint32_t filter = g == kMerged ? 0 : table;
  if (m.LookupGroup(g, dst, dscp_tos, filter, &r) == Impl::Outcome::kFound) {
    return r;
  }
  return std::nullopt;
}

bool Fib::RouteUsesDev(const l3::Route& route, int ifindex) {
  for (const auto& nh : route.nexthops) {
    if (nh.ifindex == ifindex) return true;
  }
  return false;
}

size_t Fib::MemoryBytes() const {
  const Impl& m = *impl_;
  // glibc's malloc adds 8 bytes of header and rounds up to 16 (minimum chunk 32).
  auto heap = [](size_t n) { return n == 0 ? 0 : std::max<size_t>(32, (n + 8 + 15) & ~size_t{15}); };
  size_t b = sizeof(Impl);
  b += m.chunks.size() * heap(Impl::kChunk * sizeof(Impl::RouteSlot));
  b += m.chunks.capacity() * sizeof(m.chunks[0]);
  for (uint32_t id = 0; id < m.route_hw; ++id) {
    b += heap(m.Slot(id).route.nexthops.capacity() * sizeof(l3::NextHop));
  }
  b += m.free_routes.capacity() * 4 + m.free_prefixes.capacity() * 4;
  b += m.prefixes.capacity() * sizeof(Impl::PrefixRec);
  for (const auto& t : m.tries) b += t.MemoryBytes();
  b += m.links.capacity() * (sizeof(int) + sizeof(FibLinkState) + 1);
  return b;
}

void Fib::Commit() const { impl_->Commit(); }

}  // namespace pvland::netlink
