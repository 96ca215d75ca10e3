// The Fib against a brute-force model of the same semantics (fib.h): every route
// kept in a map by identity, a lookup sorts every covering alias of the group by
// (prefix length desc, table desc, tos desc, priority asc) and applies the
// kernel's rules one by one. Random churn of routes (aliases, tos, error types,
// throw, multipath, dead legs, host scope) and of link state exercises both the
// compiled fast path (the shared answer per prefix) and the full alias walk, and
// the switches between them.
#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "daemon/kernel_state/fib.h"

namespace pvland::kernel_state {
namespace {

using ipv4::Ipv4;
using ipv4::Route;
using ipv4::RouteType;

uint32_t Mask(int len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

bool IsError(RouteType t) {
  return t == RouteType::kBlackhole || t == RouteType::kUnreachable ||
         t == RouteType::kProhibit || t == RouteType::kNat;
}

// The fixed destination hash fib.cc documents for choosing a multipath leg.
uint32_t MixDst(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

struct RefResult {
  const Route* route;
  int leg;  // -1 for error types
};

struct Model {
  using Key = std::tuple<uint32_t, Ipv4, int, int, uint32_t>;  // table, dst, len, tos, prio
  std::map<Key, Route> routes;
  std::map<int, FibLinkState> links;

  static Key KeyOf(const Route& r) {
    return {r.table, r.dst & Mask(r.dst_len), r.dst_len, r.tos, r.priority};
  }
  static int GroupOf(uint32_t t) {
    return t == ipv4::kTableLocal || t == ipv4::kTableMain ? 0 : t == ipv4::kTableDefault ? 1 : 2;
  }

  bool Usable(const Route& r, const ipv4::NextHop& nh) const {
    auto it = links.find(nh.ifindex);
    if (it != links.end()) {
      if (r.scope >= ipv4::kScopeHost) return true;
      return it->second.admin_up && (it->second.carrier || !it->second.ignore_linkdown);
    }
    return (nh.flags & 1) == 0;
  }

  int ChooseLeg(const Route& r, uint32_t dst) const {
    uint64_t total = 0;
    for (const auto& nh : r.nexthops) {
      if (Usable(r, nh)) total += nh.weight > 0 ? nh.weight : 1;
    }
    if (total == 0) return -1;
    if (r.nexthops.size() == 1) return 0;
    uint64_t point = (uint64_t{MixDst(dst)} * total) >> 32, acc = 0;
    for (size_t i = 0; i < r.nexthops.size(); ++i) {
      if (!Usable(r, r.nexthops[i])) continue;
      acc += r.nexthops[i].weight > 0 ? r.nexthops[i].weight : 1;
      if (point < acc) return static_cast<int>(i);
    }
    return -1;
  }

  enum Outcome { kFound, kThrow, kNone };
  Outcome Group(int g, uint32_t dst, uint8_t ds, uint32_t filter, RefResult* out) const {
    std::vector<const Route*> c;
    for (const auto& [k, r] : routes) {
      if (GroupOf(r.table) == g && (dst & Mask(r.dst_len)) == r.dst) c.push_back(&r);
    }
    std::sort(c.begin(), c.end(), [](const Route* a, const Route* b) {
      if (a->dst_len != b->dst_len) return a->dst_len > b->dst_len;
      if (a->table != b->table) return a->table > b->table;
      if (a->tos != b->tos) return a->tos > b->tos;
      return a->priority < b->priority;
    });
    for (const Route* r : c) {
      if (filter != 0 && r->table != filter) continue;
      if (r->tos != 0 && r->tos != (ds & 0x1c)) continue;
      if (r->type == RouteType::kThrow) return kThrow;
      if (IsError(r->type)) {
        *out = {r, -1};
        return kFound;
      }
      int leg = ChooseLeg(*r, dst);
      if (leg < 0) continue;
      *out = {r, leg};
      return kFound;
    }
    return kNone;
  }

  std::optional<RefResult> Lookup(uint32_t dst, uint8_t ds) const {
    RefResult r;
    if (Group(0, dst, ds, 0, &r) == kFound) return r;
    if (Group(1, dst, ds, 0, &r) == kFound) return r;
    return std::nullopt;
  }
  std::optional<RefResult> LookupTable(uint32_t table, uint32_t dst, uint8_t ds) const {
    RefResult r;
    int g = GroupOf(table);
    if (Group(g, dst, ds, g == 0 ? 0 : table, &r) == kFound) return r;
    return std::nullopt;
  }
};

void ExpectSame(const std::optional<FibResult>& got, const std::optional<RefResult>& want,
                const char* what, uint32_t dst, int ds) {
  SCOPED_TRACE(testing::Message() << what << " dst=" << std::hex << dst << " ds=" << ds);
  ASSERT_EQ(got.has_value(), want.has_value());
  if (!got) return;
  const Route& w = *want->route;
  ASSERT_NE(got->route, nullptr);
  EXPECT_EQ(Model::KeyOf(*got->route), Model::KeyOf(w));
  EXPECT_EQ(got->type, w.type);
  EXPECT_EQ(got->table, w.table);
  if (want->leg < 0) {
    EXPECT_EQ(got->nexthop, nullptr);
    EXPECT_EQ(got->oif, 0);
    EXPECT_EQ(got->gateway, 0u);
  } else {
    // The leg must be the route's own NextHop, not an equal copy.
    EXPECT_EQ(got->nexthop, &got->route->nexthops[want->leg]);
    EXPECT_EQ(got->oif, w.nexthops[want->leg].ifindex);
    EXPECT_EQ(got->gateway, w.nexthops[want->leg].gateway);
  }
}

class FibReferenceTest : public testing::Test {
 protected:
  std::mt19937 rng{11};
  Fib fib;
  Model model;

  uint32_t Pick(uint32_t n) { return rng() % n; }

  // Addresses concentrate on a few /16s (so prefixes nest, alias and share nodes)
  // with some spread over the whole space.
  uint32_t Addr() {
    static const uint32_t kBases[] = {0x0a000000, 0x0a010000, 0xc0a80000, 0x7f000000, 0xc6336400};
    if (Pick(5) == 0) return static_cast<uint32_t>(rng());
    return kBases[Pick(5)] | (rng() & 0xffff);
  }

  Route RandomRoute() {
    static const uint32_t kTables[] = {ipv4::kTableMain, ipv4::kTableMain, ipv4::kTableMain,
                                       ipv4::kTableLocal, ipv4::kTableDefault, 100};
    static const uint8_t kLens[] = {0, 8, 12, 16, 17, 18, 19, 20, 22, 23, 24, 24, 24, 25, 26, 28, 30, 31, 32, 32};
    Route r;
    r.table = kTables[Pick(6)];
    r.dst_len = kLens[Pick(sizeof kLens)];
    r.dst = Addr() & Mask(r.dst_len);
    r.tos = Pick(6) == 0 ? static_cast<uint8_t>(4 << Pick(3)) : 0;  // 4, 8, 16
    r.priority = Pick(3) * 10;
    uint32_t t = Pick(20);
    if (t == 0) {
      r.type = RouteType::kBlackhole;
    } else if (t == 1) {
      r.type = Pick(2) ? RouteType::kUnreachable : RouteType::kProhibit;
    } else if (t == 2) {
      r.type = RouteType::kThrow;
    } else {
      r.type = t == 3 ? RouteType::kLocal : t == 4 ? RouteType::kBroadcast : RouteType::kUnicast;
      r.scope = t == 3 ? ipv4::kScopeHost : Pick(2) ? ipv4::kScopeLink : ipv4::kScopeUniverse;
      int legs = Pick(6) == 0 ? 2 + Pick(2) : 1;
      for (int i = 0; i < legs; ++i) {
        // Few distinct devices and gateways, so many prefixes share one answer.
        ipv4::NextHop nh{1 + static_cast<int>(Pick(4)), Pick(3) == 0 ? 0 : 0xc0000200u + Pick(3),
                       static_cast<uint8_t>(Pick(8) == 0 ? 1 : 0), 1 + static_cast<int>(Pick(3))};
        r.nexthops.push_back(nh);
      }
    }
    return r;
  }

  void Upsert(const Route& r) {
    Route stored = r;
    stored.dst &= Mask(r.dst_len);
    bool is_new = model.routes.insert_or_assign(Model::KeyOf(r), stored).second;
    ASSERT_EQ(fib.Upsert(r), is_new);
  }

  void RemoveRandom() {
    if (model.routes.empty()) return;
    auto it = std::next(model.routes.begin(), Pick(static_cast<uint32_t>(model.routes.size())));
    ASSERT_TRUE(fib.Remove(it->second));
    model.routes.erase(it);
  }

  void ChangeLink() {
    int dev = 1 + static_cast<int>(Pick(4));
    if (Pick(4) == 0) {
      fib.ForgetLinkState(dev);
      model.links.erase(dev);
      return;
    }
    FibLinkState s{Pick(4) != 0, Pick(3) != 0, Pick(2) != 0};
    fib.SetLinkState(dev, s);
    model.links[dev] = s;
  }

  void CheckLookups(int n) {
    static const uint8_t kDs[] = {0, 0, 0x04, 0x08, 0x10, 0x1c, 0xff};
    static const uint32_t kTables[] = {ipv4::kTableLocal, ipv4::kTableMain, ipv4::kTableDefault, 100, 101};
    // A batch first (so after an update it meets uncompiled changes), of a length
    // that is not a multiple of its internal step.
    std::vector<Ipv4> dst(53);
    std::vector<uint8_t> ds(dst.size());
    std::vector<std::optional<FibResult>> out(dst.size());
    for (size_t i = 0; i < dst.size(); ++i) {
      dst[i] = Addr();
      ds[i] = kDs[Pick(sizeof kDs)];
    }
    fib.LookupBatch(dst, ds, absl::MakeSpan(out));
    for (size_t i = 0; i < dst.size(); ++i) {
      ExpectSame(out[i], model.Lookup(dst[i], ds[i]), "LookupBatch", dst[i], ds[i]);
    }
    fib.LookupBatch(dst, {}, absl::MakeSpan(out));
    for (size_t i = 0; i < dst.size(); ++i) {
      ExpectSame(out[i], model.Lookup(dst[i], 0), "LookupBatch ds 0", dst[i], 0);
    }
    for (int q = 0; q < n; ++q) {
      uint32_t a = Addr();
      uint8_t ds = kDs[Pick(sizeof kDs)];
      ExpectSame(fib.Lookup(a, ds), model.Lookup(a, ds), "Lookup", a, ds);
      if (q % 4 == 0) {
        uint32_t t = kTables[Pick(5)];
        ExpectSame(fib.LookupTable(t, a, ds), model.LookupTable(t, a, ds), "LookupTable", a, ds);
      }
      if (HasFailure()) return;
    }
  }

  void CheckStore() {
    ASSERT_EQ(fib.size(), model.routes.size());
    size_t seen = 0;
    fib.ForEach([&](const Route& r) {
      ++seen;
      auto it = model.routes.find(Model::KeyOf(r));
      ASSERT_NE(it, model.routes.end());
      EXPECT_EQ(it->second.nexthops.size(), r.nexthops.size());
    });
    EXPECT_EQ(seen, model.routes.size());
    for (const auto& [k, r] : model.routes) {
      const Route* f = fib.Find(r.table, r.dst, r.dst_len, r.tos, r.priority);
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(f->type, r.type);
    }
  }
};

TEST_F(FibReferenceTest, MatchesBruteForceUnderRouteAndLinkChurn) {
  for (int round = 0; round < 60; ++round) {
    for (int i = 0; i < 40; ++i) Upsert(RandomRoute());
    for (int i = 0; i < 20; ++i) RemoveRandom();
    // Replace some existing identities in place (a new answer for a cached head).
    for (int i = 0; i < 5 && !model.routes.empty(); ++i) {
      auto it = std::next(model.routes.begin(), Pick(static_cast<uint32_t>(model.routes.size())));
      Route r = RandomRoute();
      r.table = it->second.table;
      r.dst = it->second.dst;
      r.dst_len = it->second.dst_len;
      r.tos = it->second.tos;
      r.priority = it->second.priority;
      Upsert(r);
    }
    if (round % 3 == 0) ChangeLink();
    // Half the rounds look up right away (lazy compile), half after a Commit.
    if (round % 2) fib.Commit();
    CheckLookups(400);
    CheckStore();
    if (HasFailure()) FAIL() << "round " << round;
  }
}

// More distinct answers than the shared table holds: the rest must fall back to
// the full walk, and freed answers must be reused correctly.
TEST_F(FibReferenceTest, ManyDistinctNexthopsOverflowTheSharedAnswers) {
  for (int i = 0; i < 1200; ++i) {
    Route r;
    r.dst = 0x0a000000u | (static_cast<uint32_t>(i) << 8);
    r.dst_len = 24;
    r.nexthops.push_back(ipv4::NextHop{1 + i % 7, 0xc0000000u + static_cast<uint32_t>(i), 0, 1});
    Upsert(r);
  }
  CheckLookups(2000);
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 300; ++i) RemoveRandom();
    for (int i = 0; i < 300; ++i) {
      Route r;
      r.dst = 0x0a000000u | (Pick(1 << 16) << 8);
      r.dst_len = 24;
      r.nexthops.push_back(ipv4::NextHop{1 + static_cast<int>(Pick(7)), 0xc1000000u + Pick(5000), 0, 1});
      Upsert(r);
    }
    ChangeLink();
    CheckLookups(1000);
    if (HasFailure()) FAIL() << "round " << round;
  }
  CheckStore();
}

TEST_F(FibReferenceTest, ClearKeepsLinkStateAndForgetsRoutes) {
  for (int i = 0; i < 200; ++i) Upsert(RandomRoute());
  ChangeLink();
  fib.Clear();
  model.routes.clear();
  EXPECT_EQ(fib.size(), 0u);
  CheckLookups(200);
  for (int i = 0; i < 200; ++i) Upsert(RandomRoute());
  CheckLookups(500);
  CheckStore();
}

}  // namespace
}  // namespace pvland::kernel_state
