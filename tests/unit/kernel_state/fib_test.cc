#include "daemon/kernel_state/fib.h"

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace pvland::kernel_state {
namespace {

using ipv4::Ipv4;
using ipv4::Route;
using ipv4::RouteType;

constexpr Ipv4 A(int a, int b, int c, int d) {
  return (static_cast<Ipv4>(a) << 24) | (b << 16) | (c << 8) | d;
}

Route Via(Ipv4 dst, uint8_t len, int dev, Ipv4 gw = 0, uint32_t prio = 0, uint8_t tos = 0,
          uint32_t table = ipv4::kTableMain) {
  Route r;
  r.table = table;
  r.dst = dst;
  r.dst_len = len;
  r.priority = prio;
  r.tos = tos;
  r.scope = gw == 0 ? ipv4::kScopeLink : ipv4::kScopeUniverse;
  r.nexthops.push_back(ipv4::NextHop{dev, gw, 0, 1});
  return r;
}

Route Typed(RouteType type, Ipv4 dst, uint8_t len, uint32_t table = ipv4::kTableMain,
            uint32_t prio = 0) {
  Route r;
  r.type = type;
  r.table = table;
  r.dst = dst;
  r.dst_len = len;
  r.priority = prio;
  return r;
}

Route LocalRoute(Ipv4 addr, int dev) {
  Route r = Via(addr, 32, dev, 0, 0, 0, ipv4::kTableLocal);
  r.type = RouteType::kLocal;
  r.scope = ipv4::kScopeHost;
  return r;
}

int Oif(const Fib& fib, Ipv4 dst, uint8_t tos = 0) {
  auto r = fib.Lookup(dst, tos);
  return r ? r->oif : -1;
}

TEST(FibTest, NoRouteIsNullopt) {
  Fib fib;
  EXPECT_FALSE(fib.Lookup(A(10, 0, 0, 1)).has_value());
}

TEST(FibTest, LongestPrefixWins) {
  Fib fib;
  fib.Upsert(Via(0, 0, 1, A(192, 0, 2, 1)));
  fib.Upsert(Via(A(10, 0, 0, 0), 8, 2));
  fib.Upsert(Via(A(10, 1, 0, 0), 16, 3));
  fib.Upsert(Via(A(10, 1, 2, 0), 24, 4));
  fib.Upsert(Via(A(10, 1, 2, 3), 32, 5));
  EXPECT_EQ(Oif(fib, A(10, 1, 2, 3)), 5);
  EXPECT_EQ(Oif(fib, A(10, 1, 2, 4)), 4);
  EXPECT_EQ(Oif(fib, A(10, 1, 3, 4)), 3);
  EXPECT_EQ(Oif(fib, A(10, 2, 3, 4)), 2);
  auto d = fib.Lookup(A(8, 8, 8, 8));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->oif, 1);
  EXPECT_EQ(d->gateway, A(192, 0, 2, 1));
  EXPECT_EQ(d->table, ipv4::kTableMain);
  EXPECT_EQ(d->type, RouteType::kUnicast);
  EXPECT_EQ(d->route->dst_len, 0);
  EXPECT_EQ(d->nexthop, &d->route->nexthops[0]);
}

TEST(FibTest, LocalTableBeforeMainAtEqualLength) {
  Fib fib;
  fib.Upsert(Via(A(10, 0, 0, 1), 32, 7));  // main /32 for our own address
  fib.Upsert(LocalRoute(A(10, 0, 0, 1), 2));
  auto r = fib.Lookup(A(10, 0, 0, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, RouteType::kLocal);
  EXPECT_EQ(r->table, ipv4::kTableLocal);
  EXPECT_EQ(r->oif, 2);
}

TEST(FibTest, MergedModeMoreSpecificMainBeatsShorterLocal) {
  // Without policy rules the kernel searches local and main as one trie.
  Fib fib;
  Route local8 = LocalRoute(A(127, 0, 0, 0), 1);
  local8.dst_len = 8;
  fib.Upsert(local8);
  fib.Upsert(Via(A(127, 1, 0, 0), 16, 9));
  EXPECT_EQ(fib.Lookup(A(127, 1, 2, 3))->type, RouteType::kUnicast);
  EXPECT_EQ(fib.Lookup(A(127, 2, 2, 3))->type, RouteType::kLocal);
}

TEST(FibTest, TosRoutesMatchOnlyTheirMaskedDsfield) {
  Fib fib;
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 1));
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 2, 0, 0, 0x10));
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 9), 0), 1);
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 9), 0x10), 2);
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 9), 0x12), 2);  // ECN-ish low bits are masked off
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 9), 0xb0), 2);  // so are the high DSCP bits
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 9), 0x08), 1);
}

TEST(FibTest, TosMismatchBacktracksToShorterPrefix) {
  Fib fib;
  fib.Upsert(Via(A(10, 0, 0, 0), 8, 1));
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 2, 0, 0, 0x08));
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 9), 0), 1);
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 9), 0x08), 2);
}

TEST(FibTest, LowestMetricFirstAndDeadLegFallsToNextMetric) {
  Fib fib;
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 3, 0, 300));
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 1, 0, 100));
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 2, 0, 200));
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 1)), 1);
  fib.SetLinkState(1, FibLinkState{false, false, false});  // admin down: DEAD
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 1)), 2);
  fib.SetLinkState(2, FibLinkState{true, false, true});  // no carrier, ignored
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 1)), 3);
  fib.SetLinkState(3, FibLinkState{true, false, false});  // no carrier, not ignored
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 1)), 3);
  fib.SetLinkState(3, FibLinkState{true, false, true});
  EXPECT_FALSE(fib.Lookup(A(10, 0, 0, 1)).has_value());
  fib.ForgetLinkState(1);
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 1)), 1);
}

TEST(FibTest, StoredDeadFlagCountsWhenDeviceStateUnknown) {
  Fib fib;
  fib.Upsert(Via(A(10, 0, 0, 0), 16, 1));
  Route r = Via(A(10, 0, 1, 0), 24, 2);
  r.nexthops[0].flags = 1;  // RTNH_F_DEAD
  fib.Upsert(r);
  EXPECT_EQ(Oif(fib, A(10, 0, 1, 1)), 1);
  r.nexthops[0].flags = 16;  // LINKDOWN alone: usable unless ignored
  fib.Upsert(r);
  EXPECT_EQ(Oif(fib, A(10, 0, 1, 1)), 2);
}

TEST(FibTest, HostScopeLocalRouteSurvivesLinkDown) {
  Fib fib;
  fib.Upsert(LocalRoute(A(10, 0, 0, 1), 4));
  fib.SetLinkState(4, FibLinkState{false, false, true});
  auto r = fib.Lookup(A(10, 0, 0, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, RouteType::kLocal);
}

TEST(FibTest, ErrorTypesAreFinal) {
  for (RouteType t : {RouteType::kBlackhole, RouteType::kUnreachable, RouteType::kProhibit}) {
    Fib fib;
    fib.Upsert(Via(A(10, 0, 0, 0), 8, 1));
    fib.Upsert(Typed(t, A(10, 1, 0, 0), 16));
    fib.Upsert(Via(0, 0, 2, A(10, 9, 9, 9), 0, 0, ipv4::kTableDefault));
    auto r = fib.Lookup(A(10, 1, 0, 5));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, t);
    EXPECT_TRUE(r->IsError());
    EXPECT_EQ(r->nexthop, nullptr);
    EXPECT_EQ(r->oif, 0);
    EXPECT_EQ(Oif(fib, A(10, 2, 0, 5)), 1);
  }
}

TEST(FibTest, NonUnicastTypesReportTheirType) {
  Fib fib;
  Route bc = Via(A(10, 0, 0, 255), 32, 3, 0, 0, 0, ipv4::kTableLocal);
  bc.type = RouteType::kBroadcast;
  fib.Upsert(bc);
  Route mc = Via(A(239, 0, 0, 0), 8, 3);
  mc.type = RouteType::kMulticast;
  fib.Upsert(mc);
  Route any = Via(A(10, 0, 0, 7), 32, 3, 0, 0, 0, ipv4::kTableLocal);
  any.type = RouteType::kAnycast;
  fib.Upsert(any);
  EXPECT_EQ(fib.Lookup(A(10, 0, 0, 255))->type, RouteType::kBroadcast);
  EXPECT_EQ(fib.Lookup(A(239, 1, 1, 1))->type, RouteType::kMulticast);
  EXPECT_EQ(fib.Lookup(A(10, 0, 0, 7))->type, RouteType::kAnycast);
  EXPECT_FALSE(fib.Lookup(A(10, 0, 0, 255))->IsError());
}

TEST(FibTest, ThrowContinuesInTableDefault) {
  Fib fib;
  fib.Upsert(Via(A(10, 0, 0, 0), 8, 1));
  fib.Upsert(Typed(RouteType::kThrow, A(10, 1, 0, 0), 16));
  EXPECT_FALSE(fib.Lookup(A(10, 1, 0, 1)).has_value());  // throw is not backtracked
  EXPECT_EQ(Oif(fib, A(10, 2, 0, 1)), 1);
  fib.Upsert(Via(A(10, 0, 0, 0), 8, 6, 0, 0, 0, ipv4::kTableDefault));
  auto r = fib.Lookup(A(10, 1, 0, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->oif, 6);
  EXPECT_EQ(r->table, ipv4::kTableDefault);
}

TEST(FibTest, DefaultTableOnlyWhenMergedTrieHasNoMatch) {
  Fib fib;
  fib.Upsert(Via(0, 0, 5, A(1, 1, 1, 1), 0, 0, ipv4::kTableDefault));
  EXPECT_EQ(Oif(fib, A(8, 8, 8, 8)), 5);
  fib.Upsert(Via(A(8, 0, 0, 0), 8, 6));
  EXPECT_EQ(Oif(fib, A(8, 8, 8, 8)), 6);
}

TEST(FibTest, OtherTablesAreStoredButNotUsedWithoutRules) {
  Fib fib;
  fib.Upsert(Via(A(10, 0, 0, 0), 8, 1, 0, 0, 0, 100));
  EXPECT_FALSE(fib.Lookup(A(10, 0, 0, 1)).has_value());
  auto r = fib.LookupTable(100, A(10, 0, 0, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->oif, 1);
  EXPECT_FALSE(fib.LookupTable(101, A(10, 0, 0, 1)).has_value());
  EXPECT_NE(fib.Find(100, A(10, 0, 0, 0), 8, 0, 0), nullptr);
}

TEST(FibTest, MultipathIsDeterministicWeightedAndSkipsDeadLegs) {
  Fib fib;
  Route r = Via(A(10, 0, 0, 0), 8, 1, A(192, 0, 2, 1));
  r.nexthops.push_back(ipv4::NextHop{2, A(192, 0, 2, 2), 0, 3});  // weight 3
  fib.Upsert(r);
  std::map<int, int> count;
  for (uint32_t i = 0; i < 40000; ++i) {
    Ipv4 dst = A(10, 0, 0, 0) | (i * 2654435761u >> 8);
    auto a = fib.Lookup(dst);
    ASSERT_TRUE(a);
    EXPECT_EQ(fib.Lookup(dst)->oif, a->oif);  // same destination, same leg
    EXPECT_EQ(a->gateway, a->oif == 1 ? A(192, 0, 2, 1) : A(192, 0, 2, 2));
    ++count[a->oif];
  }
  EXPECT_NEAR(count[2] / 40000.0, 0.75, 0.02);
  fib.SetLinkState(2, FibLinkState{false, false, false});
  for (uint32_t i = 0; i < 1000; ++i) EXPECT_EQ(Oif(fib, A(10, 0, 0, 0) | i * 977), 1);
  fib.SetLinkState(1, FibLinkState{false, false, false});
  EXPECT_FALSE(fib.Lookup(A(10, 0, 0, 1)).has_value());
}

TEST(FibTest, UpsertReplacesByIdentityAndRemoveDeletes) {
  Fib fib;
  EXPECT_TRUE(fib.Upsert(Via(A(10, 0, 0, 0), 24, 1, 0, 10)));
  EXPECT_FALSE(fib.Upsert(Via(A(10, 0, 0, 99), 24, 2, 0, 10)));  // same identity
  EXPECT_TRUE(fib.Upsert(Via(A(10, 0, 0, 0), 24, 3, 0, 20)));
  EXPECT_EQ(fib.size(), 2u);
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 1)), 2);
  EXPECT_TRUE(fib.Remove(Via(A(10, 0, 0, 0), 24, 0, 0, 10)));
  EXPECT_FALSE(fib.Remove(Via(A(10, 0, 0, 0), 24, 0, 0, 10)));
  EXPECT_EQ(Oif(fib, A(10, 0, 0, 1)), 3);
  EXPECT_EQ(fib.RemoveIf([](const Route& r) { return Fib::RouteUsesDev(r, 3); }), 1u);
  EXPECT_EQ(fib.size(), 0u);
  EXPECT_FALSE(fib.Lookup(A(10, 0, 0, 1)).has_value());
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 1));
  fib.Clear();
  EXPECT_EQ(fib.size(), 0u);
  EXPECT_FALSE(fib.Lookup(A(10, 0, 0, 1)).has_value());
}

// A route replaced by an identical one gets a new nexthop vector; the result must
// point at the stored route's leg, at every prefix length the table stores
// differently (a /8 alone in a shared chunk, a /16 slot default, a /24 entry, a
// longer prefix in a /24 group), one lookup at a time and in a batch.
TEST(FibTest, ReplacingARouteInPlaceMovesTheResultToItsNewLeg) {
  Fib fib;
  const std::pair<Ipv4, uint8_t> prefixes[] = {
      {A(30, 0, 0, 0), 8}, {A(40, 1, 0, 0), 16}, {A(40, 2, 3, 0), 24}, {A(40, 2, 4, 16), 28}};
  for (auto [dst, len] : prefixes) fib.Upsert(Via(dst, len, 2, A(192, 0, 2, 1)));
  for (int round = 0; round < 3; ++round) {
    for (auto [dst, len] : prefixes) {
      EXPECT_FALSE(fib.Upsert(Via(dst, len, 2, A(192, 0, 2, 1))));
      for (int batch = 0; batch < 2; ++batch) {
        std::optional<FibResult> r;
        if (batch) {
          fib.LookupBatch({&dst, 1}, {}, {&r, 1});
        } else {
          r = fib.Lookup(dst);
        }
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->route, fib.Find(ipv4::kTableMain, dst, len, 0, 0));
        EXPECT_EQ(r->nexthop, &r->route->nexthops[0]) << "/" << int{len} << " batch " << batch;
      }
    }
  }
}

long VmSizeKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stol(line.substr(7));
  }
  return -1;
}

// Issue 12: under vm.overcommit_memory=2 every mapped byte is charged, so the FIB
// maps what it uses and nothing ahead (it used to reserve 1.8 GiB per Fib).
TEST(FibTest, MapsNoAddressSpaceAhead) {
  long vm0 = VmSizeKiB();
  std::vector<std::unique_ptr<Fib>> fibs;
  for (int i = 0; i < 4; ++i) fibs.push_back(std::make_unique<Fib>());
  long vm1 = VmSizeKiB();
  EXPECT_LT(vm1 - vm0, 4 * 1024) << "KiB for four empty Fibs";
  // A namespace's usual routes: local addresses, broadcasts, a connected subnet,
  // a default route.
  Fib& fib = *fibs[0];
  fib.Upsert(LocalRoute(A(127, 0, 0, 1), 1));
  fib.Upsert(LocalRoute(A(10, 0, 0, 1), 2));
  fib.Upsert(Via(A(10, 0, 0, 0), 24, 2));
  fib.Upsert(Via(0, 0, 2, A(10, 0, 0, 254)));
  EXPECT_EQ(Oif(fib, A(8, 8, 8, 8)), 2);
  long vm2 = VmSizeKiB();
  EXPECT_LT(vm2 - vm1, 16 * 1024) << "KiB for a Fib of four routes";
}

TEST(FibTest, RouteUsesDevLooksAtEveryLeg) {
  Route r = Via(A(10, 0, 0, 0), 8, 1, A(192, 0, 2, 1));
  r.nexthops.push_back(ipv4::NextHop{2, A(192, 0, 2, 2), 1 /*dead*/, 1});
  EXPECT_TRUE(Fib::RouteUsesDev(r, 1));
  EXPECT_TRUE(Fib::RouteUsesDev(r, 2));
  EXPECT_FALSE(Fib::RouteUsesDev(r, 3));
}

TEST(FibTest, ForEachVisitsEveryAliasAndMemoryIsCounted) {
  Fib fib;
  size_t before = fib.MemoryBytes();
  for (int i = 0; i < 1000; ++i) fib.Upsert(Via(A(20, 0, 0, 0) | (i << 8), 24, 1));
  fib.Commit();
  int n = 0;
  fib.ForEach([&](const Route&) { ++n; });
  EXPECT_EQ(n, 1000);
  EXPECT_GT(fib.MemoryBytes(), before + 1000 * sizeof(Route));
}

}  // namespace
}  // namespace pvland::kernel_state
