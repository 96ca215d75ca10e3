#include "daemon/kernel_state/fib.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "daemon/kernel_state/huge_region.h"
#include "daemon/kernel_state/prefix_trie.h"

namespace pvland::kernel_state {
namespace {

using ipv4::RouteType;

constexpr uint32_t kNone = 0xffffffff;
constexpr uint32_t kUnused = 0xfffffffe;  // RouteSlot::next of a free slot
constexpr uint8_t kNhDead = 1;      // RTNH_F_DEAD
constexpr uint8_t kTosMask = 0x1c;  // IPTOS_RT_MASK: what fib_dscp_masked_match keeps

// A trie value ("leaf") is [class:8][head route id:24]. Class 0 sends the lookup
// down the full alias walk; class 255 would collide with the trie's node tag.
constexpr unsigned kRidBits = 24;
constexpr uint32_t kRidMask = (1u << kRidBits) - 1;
constexpr uint32_t kMaxRoutes = 1u << kRidBits;
constexpr unsigned kMaxClasses = 255;  // ids 1..254
// Aux word of a leaf whose route's leg is too far from the anchor (see LegAux).
constexpr uint32_t kFarLeg = 0x80000000u;

// Lookup groups: the kernel's merged local+main trie, table 253, everything else.
enum Group : uint8_t { kMerged = 0, kDefaultTable = 1, kOtherTables = 2, kGroups = 3 };

Group GroupOf(uint32_t table) {
  if (table == ipv4::kTableLocal || table == ipv4::kTableMain) return kMerged;
  if (table == ipv4::kTableDefault) return kDefaultTable;
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
bool AliasBefore(const ipv4::Route& a, const ipv4::Route& b) {
  if (a.table != b.table) return a.table > b.table;
  if (a.tos != b.tos) return a.tos > b.tos;
  return a.priority < b.priority;
}

bool SameIdentity(const ipv4::Route& a, const ipv4::Route& b) {
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
  // One cache line per alias: the route and its successor in kernel order.
  struct alignas(64) RouteSlot {
    ipv4::Route route;
    uint32_t next = kUnused;
  };

  // What a lookup returns when a prefix's first alias decides it alone, shared by
  // every prefix whose first alias has the same answer (the way the kernel shares
  // one fib_info between routes). Lookups read it from a 4 KiB table that stays in
  // L1, so the common case touches the trie and the route's own cache line only.
  enum class Kind : uint8_t {
    kSlow = 0,  // tos, multipath, a nexthop-less unicast, or no class left: walk
    kForward,   // one nexthop: forward/deliver through it while it is usable
    kError,     // blackhole, unreachable, prohibit, nat, xresolve
    kThrow,
  };
  struct Class {
    Kind kind = Kind::kSlow;
    RouteType type = RouteType::kUnspec;
    // kForward and the nexthop is usable under the current link state. Link events
    // flip this flag instead of recompiling every prefix through the device; when
    // it is off the lookup takes the walk, which backtracks as the kernel does.
    bool usable = false;
    uint32_t table = 0;
    int oif = 0;
    ipv4::Ipv4 gateway = 0;
  };
  using ClassKey = std::pair<uint64_t, uint64_t>;
  struct ClassInfo {
    ClassKey key;
    uint32_t refs = 0;
    bool dead = false;    // RTNH_F_DEAD in the route message
    bool exempt = false;  // host-scope route: never DEAD/LINKDOWN (nexthop scope nowhere)
  };

  enum class Outcome { kFound, kThrow, kNone };

  // Route records in 2 MiB blocks that never move, so a Route* stays valid.
  BlockArray<RouteSlot> slots;
  // A result must point at the route's own leg (nexthops.data()), which lives
  // wherever the vector put it. The tries' entries carry it as their aux word, a
  // signed count of 16-byte steps from leg_anchor (malloc aligns to 16), so the
  // lookup reads one table entry and no route; a leg too far from the anchor is
  // kFarLeg and read from the route.
  intptr_t leg_anchor = 0;
  uint32_t route_hw = 1;  // ids below this have been constructed; id 0 is never used
  std::vector<uint32_t> free_routes;
  size_t route_count = 0;

  std::array<PrefixTrie, kGroups> tries;
  std::array<Class, kMaxClasses> classes{};
  std::array<ClassInfo, kMaxClasses> class_info{};
  absl::flat_hash_map<ClassKey, uint8_t> class_index;
  std::vector<uint8_t> free_classes;
  absl::flat_hash_map<int, FibLinkState> links;
  bool dirty = false;

  Impl() {
    for (unsigned c = kMaxClasses - 1; c >= 1; --c) free_classes.push_back(static_cast<uint8_t>(c));
    for (auto& t : tries) t.SetAux(&AuxOf, this);
  }
  ~Impl() {
    for (uint32_t id = 1; id < route_hw; ++id) slots[id].~RouteSlot();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  RouteSlot& Slot(uint32_t id) { return slots[id]; }
  const RouteSlot& Slot(uint32_t id) const { return slots[id]; }

  uint32_t NewRoute() {
    if (!free_routes.empty()) {
      uint32_t id = free_routes.back();
      free_routes.pop_back();
      return id;
    }
    if (route_hw >= kMaxRoutes) {
      std::fprintf(stderr, "Fib: more than %u routes\n", kMaxRoutes - 1);
      std::abort();
    }
    slots.Reserve(route_hw + 1);
    new (&slots[route_hw]) RouteSlot();
    return route_hw++;
  }

  void FreeRoute(uint32_t id) {
    RouteSlot& s = Slot(id);
    s.route = ipv4::Route{};  // releases the nexthop vector now
    s.next = kUnused;
    free_routes.push_back(id);
    --route_count;
  }

  // The aux word of a trie value: where its head route's first leg is (the only
  // one the fast path returns), relative to leg_anchor.
  uint32_t LegAux(uint32_t id) const {
    const ipv4::NextHop* p = Slot(id).route.nexthops.data();
    if (p == nullptr || leg_anchor == 0) return kFarLeg;
    intptr_t d = reinterpret_cast<intptr_t>(p) - leg_anchor;
    if (d % 16 != 0 || d / 16 <= INT32_MIN || d / 16 > INT32_MAX) return kFarLeg;
    return static_cast<uint32_t>(static_cast<int32_t>(d / 16));
  }
  static uint32_t AuxOf(const void* self, uint32_t leaf) {
    return static_cast<const Impl*>(self)->LegAux(leaf & kRidMask);
  }
  void AnchorLegs(uint32_t id) {
    const ipv4::NextHop* p = Slot(id).route.nexthops.data();
    if (leg_anchor == 0 && p != nullptr) leg_anchor = reinterpret_cast<intptr_t>(p) & ~intptr_t{15};
  }
  // The leg an entry's aux word points at: route id's nexthops.data().
  const ipv4::NextHop* Leg(uint32_t id, uint32_t aux) const {
    if (aux == kFarLeg) [[unlikely]] return Slot(id).route.nexthops.data();
    return reinterpret_cast<const ipv4::NextHop*>(leg_anchor +
                                                  intptr_t{static_cast<int32_t>(aux)} * 16);
  }

  void Commit() {
    if (!dirty) return;
    for (auto& t : tries) t.Commit();
    dirty = false;
  }

  bool Usable(const ipv4::Route& r, const ipv4::NextHop& nh) const {
    // Host-scope routes (local addresses) have nexthop scope "nowhere", which
    // fib_sync_down_dev never marks DEAD or LINKDOWN.
    bool exempt = r.scope >= ipv4::kScopeHost;
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

  // Usable() for the nexthop a class describes.
  bool ClassUsable(const ClassInfo& ci, const Class& c) const {
    auto it = links.find(c.oif);
    if (it != links.end()) {
      if (ci.exempt) return true;
      const FibLinkState& ls = it->second;
      return ls.admin_up && (ls.carrier || !ls.ignore_linkdown);
    }
    return !ci.dead;
  }

  void RefreshUsable(int ifindex) {
    for (unsigned c = 1; c < kMaxClasses; ++c) {
      if (classes[c].kind == Kind::kForward && classes[c].oif == ifindex) {
        classes[c].usable = ClassUsable(class_info[c], classes[c]);
      }
    }
  }

  // The class of a prefix whose first alias is `r`; takes a reference. 0 = walk.
  uint8_t AcquireClass(Group g, const ipv4::Route& r) {
    // The fast path answers "the first alias decides", which holds for any DS field
    // only if that alias has tos 0 (tos != 0 aliases sort first). Other tables are
    // only searched with a table filter, which the fast path does not apply.
    if (g == kOtherTables || r.tos != 0) return 0;
    Class c;
    ClassInfo ci;
    if (r.type == RouteType::kThrow) {
      c.kind = Kind::kThrow;
    } else if (IsErrorType(r.type)) {
      c.kind = Kind::kError;
      c.type = r.type;
      c.table = r.table;
    } else if (r.nexthops.size() == 1) {
      const ipv4::NextHop& nh = r.nexthops[0];
      c.kind = Kind::kForward;
      c.type = r.type;
      c.table = r.table;
      c.oif = nh.ifindex;
      c.gateway = nh.gateway;
      ci.dead = (nh.flags & kNhDead) != 0;
      ci.exempt = r.scope >= ipv4::kScopeHost;
    } else {
      return 0;  // multipath picks a leg per destination; no nexthops: never usable
    }
    ci.key = ClassKey{static_cast<uint64_t>(c.kind) | static_cast<uint64_t>(c.type) << 8 |
                          static_cast<uint64_t>(ci.dead) << 16 |
                          static_cast<uint64_t>(ci.exempt) << 17 | uint64_t{c.table} << 32,
                      uint64_t{static_cast<uint32_t>(c.oif)} << 32 | c.gateway};
    auto it = class_index.find(ci.key);
    if (it != class_index.end()) {
      ++class_info[it->second].refs;
      return it->second;
    }
    // Past 254 distinct answers the rest take the walk: still correct, just slower.
    if (free_classes.empty()) return 0;
    uint8_t id = free_classes.back();
    free_classes.pop_back();
    ci.refs = 1;
    if (c.kind == Kind::kForward) c.usable = ClassUsable(ci, c);
    classes[id] = c;
    class_info[id] = ci;
    class_index.emplace(ci.key, id);
    return id;
  }

  void ReleaseClass(uint8_t id) {
    if (id == 0 || --class_info[id].refs != 0) return;
    class_index.erase(class_info[id].key);
    classes[id] = Class{};
    class_info[id] = ClassInfo{};
    free_classes.push_back(id);
  }

  // Points prefix (dst, len) of group g, whose trie value was `old_leaf` (0 =
  // absent), at the alias list starting at `head` (kNone = remove the prefix).
  void SetHead(Group g, uint32_t dst, uint8_t len, uint32_t old_leaf, uint32_t head) {
    uint32_t leaf = 0;
    if (head != kNone) leaf = (uint32_t{AcquireClass(g, Slot(head).route)} << kRidBits) | head;
    if (old_leaf != 0) ReleaseClass(static_cast<uint8_t>(old_leaf >> kRidBits));
    PrefixTrie& t = tries[g];
    if (leaf == old_leaf) {
      // The head was replaced in place: same answer, but its leg moved.
      if (leaf != 0) {
        t.Touch(dst, len);
        dirty = true;
      }
      return;
    }
    if (old_leaf == 0) {
      t.Insert(dst, len, leaf);
    } else if (leaf == 0) {
      t.Erase(dst, len);
    } else {
      t.Set(dst, len, leaf);
    }
    dirty = true;
  }

  // Which leg of a route serves `dst`. Single-path: the leg if usable. Multipath:
  // hash-threshold over the weights of the usable legs, as fib_select_multipath
  // does, but keyed by a fixed hash of the destination alone. The kernel keys a
  // per-boot random seed and (policy 0) the source too, so no userspace choice can
  // agree with it per flow; this one is deterministic across runs and machines,
  // gives the same leg to every lookup of one destination (so `route get` and the
  // ARP/rp_filter decisions agree with each other), and spreads destinations over
  // the legs in proportion to their weights, as the kernel spreads flows.
  const ipv4::NextHop* ChooseLeg(const ipv4::Route& r, uint32_t dst) const {
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

  // fib_table_lookup over one group from the prefix `leaf` matched: every alias in
  // kernel order, then shorter covering prefixes. table != 0 restricts it to that
  // table.
  Outcome Walk(Group g, uint32_t leaf, uint32_t dst, uint8_t dsfield, uint32_t table,
               FibResult* out) const {
    const PrefixTrie& t = tries[g];
    uint8_t tos = dsfield & kTosMask;
    while (leaf != 0) {
      uint32_t head = leaf & kRidMask;
      for (uint32_t id = head; id != kNone;) {
        const RouteSlot& s = Slot(id);
        id = s.next;
        const ipv4::Route& r = s.route;
        if (table != 0 && r.table != table) continue;
        if (r.tos != 0 && r.tos != tos) continue;
        if (r.type == RouteType::kThrow) return Outcome::kThrow;
        if (IsErrorType(r.type)) {
          *out = FibResult{r.type, &r, nullptr, r.table, 0, 0};
          return Outcome::kFound;
        }
        const ipv4::NextHop* nh = ChooseLeg(r, dst);
        if (nh == nullptr) continue;  // every leg unusable: next alias, then shorter
        *out = FibResult{r.type, &r, nh, r.table, nh->ifindex, nh->gateway};
        return Outcome::kFound;
      }
      const ipv4::Route& h = Slot(head).route;
      leaf = t.Parent(leaf, h.dst, h.dst_len);
    }
    return Outcome::kNone;
  }

  // fib_table_lookup over the merged or default group, without a table filter.
  Outcome LookupGroup(Group g, uint32_t dst, uint8_t dsfield, FibResult* out) const {
    const PrefixTrie::Entry e = tries[g].LongestEntry(dst);
    const uint32_t leaf = e.value;
    if (leaf == 0) return Outcome::kNone;
    const Class& c = classes[leaf >> kRidBits];
    const RouteSlot& s = Slot(leaf & kRidMask);
    if (c.usable) [[likely]] {
      // Everything but the leg's address comes from the class; the route's own
      // line is not read, only its address computed.
      *out = FibResult{c.type, &s.route, Leg(leaf & kRidMask, e.aux), c.table, c.oif, c.gateway};
      return Outcome::kFound;
    }
    if (c.kind == Kind::kError) {
      *out = FibResult{c.type, &s.route, nullptr, c.table, 0, 0};
      return Outcome::kFound;
    }
    if (c.kind == Kind::kThrow) return Outcome::kThrow;
    return Walk(g, leaf, dst, dsfield, 0, out);
  }

  // Fib::Lookup for everything but the common answer, out of line so the fast
  // path needs no stack frame and stays a few dozen instructions: lookups of a
  // packet batch are independent, and the fewer instructions each takes the more
  // of their cache misses the CPU overlaps.
  [[gnu::noinline]] std::optional<FibResult> LookupSlow(ipv4::Ipv4 dst, uint8_t dscp_tos) {
    Commit();
    FibResult r;
    // Merged local+main first; only "no match" or throw falls through to table 253
    // (the running kernel's behaviour, docs/kernel-semantics.md §2.12.3).
    if (LookupGroup(kMerged, dst, dscp_tos, &r) == Outcome::kFound) return r;
    if (!tries[kDefaultTable].empty() &&
        LookupGroup(kDefaultTable, dst, dscp_tos, &r) == Outcome::kFound) {
      return r;
    }
    return std::nullopt;
  }
};

Fib::Fib() : impl_(std::make_unique<Impl>()) {}
Fib::~Fib() = default;
Fib::Fib(Fib&&) noexcept = default;
Fib& Fib::operator=(Fib&&) noexcept = default;

bool Fib::Upsert(const ipv4::Route& in) {
  Impl& m = *impl_;
  ipv4::Route route = in;
  route.dst &= Mask(route.dst_len);
  Group g = GroupOf(route.table);
  uint32_t leaf = m.tries[g].Find(route.dst, route.dst_len);
  uint32_t head = leaf != 0 ? leaf & kRidMask : kNone;
  uint32_t prev = kNone;
  for (uint32_t id = head; id != kNone; id = m.Slot(id).next) {
    Impl::RouteSlot& s = m.Slot(id);
    if (SameIdentity(s.route, route)) {
      s.route = std::move(route);
      m.AnchorLegs(id);
      // Only the first alias is cached in the trie value; the walk reads the rest.
      if (id == head) m.SetHead(g, s.route.dst, s.route.dst_len, leaf, head);
      return false;
    }
    if (AliasBefore(route, s.route)) break;
    prev = id;
  }
  uint32_t id = m.NewRoute();
  Impl::RouteSlot& s = m.Slot(id);
  s.route = std::move(route);
  m.AnchorLegs(id);
  if (prev == kNone) {
    s.next = head;
    head = id;
  } else {
    s.next = m.Slot(prev).next;
    m.Slot(prev).next = id;
  }
  ++m.route_count;
  if (head == id) m.SetHead(g, s.route.dst, s.route.dst_len, leaf, head);
  return true;
}

bool Fib::Remove(const ipv4::Route& route) {
  Impl& m = *impl_;
  Group g = GroupOf(route.table);
  uint32_t dst = route.dst & Mask(route.dst_len);
  uint32_t leaf = m.tries[g].Find(dst, route.dst_len);
  if (leaf == 0) return false;
  uint32_t head = leaf & kRidMask;
  uint32_t prev = kNone;
  for (uint32_t id = head; id != kNone; id = m.Slot(id).next) {
    if (SameIdentity(m.Slot(id).route, route)) {
      uint32_t next = m.Slot(id).next;
      if (prev == kNone) {
        m.SetHead(g, dst, route.dst_len, leaf, next);
      } else {
        m.Slot(prev).next = next;
      }
      m.FreeRoute(id);
      return true;
    }
    prev = id;
  }
  return false;
}

size_t Fib::RemoveIf(absl::FunctionRef<bool(const ipv4::Route&)> pred) {
  Impl& m = *impl_;
  std::vector<ipv4::Route> doomed;
  for (uint32_t id = 1; id < m.route_hw; ++id) {
    const Impl::RouteSlot& s = m.Slot(id);
    if (s.next != kUnused && pred(s.route)) doomed.push_back(s.route);
  }
  for (const auto& r : doomed) Remove(r);
  return doomed.size();
}

void Fib::Clear() {
  auto links = std::move(impl_->links);
  impl_ = std::make_unique<Impl>();
  impl_->links = std::move(links);
}

const ipv4::Route* Fib::Find(uint32_t table, ipv4::Ipv4 dst, uint8_t dst_len, uint8_t tos,
                           uint32_t priority) const {
  const Impl& m = *impl_;
  uint32_t leaf = m.tries[GroupOf(table)].Find(dst & Mask(dst_len), dst_len);
  if (leaf == 0) return nullptr;
  for (uint32_t id = leaf & kRidMask; id != kNone; id = m.Slot(id).next) {
    const ipv4::Route& r = m.Slot(id).route;
    if (r.table == table && r.tos == tos && r.priority == priority) return &r;
  }
  return nullptr;
}

void Fib::ForEach(absl::FunctionRef<void(const ipv4::Route&)> fn) const {
  const Impl& m = *impl_;
  for (uint32_t id = 1; id < m.route_hw; ++id) {
    if (m.Slot(id).next != kUnused) fn(m.Slot(id).route);
  }
}

size_t Fib::size() const { return impl_->route_count; }

void Fib::SetLinkState(int ifindex, const FibLinkState& state) {
  impl_->links[ifindex] = state;
  impl_->RefreshUsable(ifindex);
}

void Fib::ForgetLinkState(int ifindex) {
  impl_->links.erase(ifindex);
  impl_->RefreshUsable(ifindex);
}

std::optional<FibResult> Fib::Lookup(ipv4::Ipv4 dst, uint8_t dscp_tos, int /*iif*/) const {
  const Impl& m = *impl_;
  if (!m.dirty) [[likely]] {
    // One read of the table: the answer's id, the route's id and its leg.
    const PrefixTrie::Entry e = m.tries[kMerged].LongestEntry(dst);
    const uint32_t leaf = e.value;
    const Impl::Class& c = m.classes[leaf >> kRidBits];  // no prefix: class 0, not usable
    if (c.usable) [[likely]] {
      uint32_t id = leaf & kRidMask;
      return FibResult{c.type, &m.Slot(id).route, m.Leg(id, e.aux), c.table, c.oif, c.gateway};
    }
    // No prefix of local or main covers dst, and table 253 is empty.
    if (leaf == 0 && m.tries[kDefaultTable].empty()) return std::nullopt;
  }
  return impl_->LookupSlow(dst, dscp_tos);
}

void Fib::Prefetch(ipv4::Ipv4 dst) const { impl_->tries[kMerged].Prefetch(dst); }

void Fib::LookupBatch(absl::Span<const ipv4::Ipv4> dst, absl::Span<const uint8_t> dscp_tos,
                      absl::Span<std::optional<FibResult>> out) const {
  const Impl& m = *impl_;
  auto ds = [&](size_t i) -> uint8_t { return dscp_tos.empty() ? 0 : dscp_tos[i]; };
  if (m.dirty) {
    for (size_t i = 0; i < dst.size(); ++i) out[i] = Lookup(dst[i], ds(i));
    return;
  }
  // Two passes over up to kStep lookups (a packet batch): start loading each
  // one's table entry, then answer them, so the batch waits for its misses about
  // once instead of once per lookup.
  constexpr size_t kStep = 32;
  const PrefixTrie& t = m.tries[kMerged];
  for (size_t base = 0; base < dst.size(); base += kStep) {
    const size_t k = std::min(kStep, dst.size() - base);
    const ipv4::Ipv4* d = dst.data() + base;
    for (size_t i = 0; i < k; ++i) t.Prefetch(d[i]);
    for (size_t i = 0; i < k; ++i) {
      const PrefixTrie::Entry e = t.LongestEntry(d[i]);
      const Impl::Class& c = m.classes[e.value >> kRidBits];
      if (c.usable) [[likely]] {
        uint32_t id = e.value & kRidMask;
        out[base + i] = FibResult{c.type, &m.Slot(id).route, m.Leg(id, e.aux), c.table, c.oif, c.gateway};
      } else if (e.value == 0 && m.tries[kDefaultTable].empty()) {
        out[base + i] = std::nullopt;
      } else {
        out[base + i] = impl_->LookupSlow(d[i], ds(base + i));
      }
    }
  }
}

std::optional<FibResult> Fib::LookupTable(uint32_t table, ipv4::Ipv4 dst,
                                          uint8_t dscp_tos) const {
  Impl& m = *impl_;
  m.Commit();
  FibResult r;
  // In merged mode the kernel's local and main table objects share one trie, so a
  // lookup "in table local" sees main's routes too. Group 253 holds table 253 only.
  Group g = GroupOf(table);
  Impl::Outcome o =
      g == kOtherTables ? m.Walk(g, m.tries[g].Longest(dst), dst, dscp_tos, table, &r)
                        : m.LookupGroup(g, dst, dscp_tos, &r);
  if (o == Impl::Outcome::kFound) return r;
  return std::nullopt;
}

bool Fib::RouteUsesDev(const ipv4::Route& route, int ifindex) {
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
  b += m.slots.bytes();
  for (uint32_t id = 1; id < m.route_hw; ++id) {
    b += heap(m.Slot(id).route.nexthops.capacity() * sizeof(ipv4::NextHop));
  }
  b += heap(m.free_routes.capacity() * 4) + heap(m.free_classes.capacity());
  for (const auto& t : m.tries) b += t.MemoryBytes();
  b += m.class_index.capacity() * (sizeof(Impl::ClassKey) + 2);
  b += m.links.capacity() * (sizeof(int) + sizeof(FibLinkState) + 1);
  return b;
}

void Fib::Commit() const { impl_->Commit(); }

}  // namespace pvland::kernel_state
