// fib_validate_source (§2.3): the rp_filter truth table, the fast path and its
// sticky escapes, and the reverse-route shapes of cases 24 and 25 of §4.
#include "daemon/ipv4/validate_source.h"

#include "gtest/gtest.h"
#include "tests/unit/ipv4/topo.h"

namespace pvland::ipv4 {
namespace {

using testing::BuildT1;
using testing::Ip;
using testing::kEth1;
using testing::kEth2;
using testing::kH1;
using testing::kH2;
using testing::kR1;
using testing::kR2;
using testing::Topo;

SourceCheck Check(Topo& t, Ipv4 src, int oif = 0, Ipv4 dst = kR1) {
  return ValidateSource(t.state, t.flags, t.Conf(kEth1), {src, dst, 0, oif, kEth1});
}

// Source shapes of the §2.3 truth table, set up on T1 (+ routes below).
enum class Src { kViaIngress, kViaOther, kViaDefault, kNoRoute, kBlackhole, kOwn, kBroadcast };
struct TruthRow {
  Src src;
  int rp;
  bool accept;
};

Ipv4 Prepare(Topo& t, Src s) {
  switch (s) {
    case Src::kViaIngress:
      return kH1;
    case Src::kViaOther:
      return Ip(10, 0, 2, 50);
    case Src::kViaDefault:
      t.AddVia(0, 0, kEth2, kH2);
      return Ip(192, 168, 9, 9);
    case Src::kNoRoute:
      return Ip(192, 168, 9, 9);
    case Src::kBlackhole:
      t.AddVia(0, 0, kEth2, kH2);  // the default route does not help
      t.AddTyped(Ip(10, 0, 8, 0), 24, RouteType::kBlackhole);
      return Ip(10, 0, 8, 5);
    case Src::kOwn:
      return kR2;
    case Src::kBroadcast:
      return Ip(10, 0, 1, 255);
  }
  return 0;
}

class RpTruthTableTest : public ::testing::TestWithParam<TruthRow> {};

TEST_P(RpTruthTableTest, LocalDelivery) {
  const TruthRow& r = GetParam();
  Topo t;
  BuildT1(t);
  const Ipv4 src = Prepare(t, r.src);
  t.Sysctl("net.ipv4.conf.eth1.rp_filter=" + std::to_string(r.rp));
  const SourceCheck c = Check(t, src);
  EXPECT_EQ(c.ok, r.accept) << "src " << static_cast<int>(r.src) << " rp " << r.rp << " "
                            << c.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Section2_3, RpTruthTableTest,
    ::testing::Values(
        TruthRow{Src::kViaIngress, 0, true}, TruthRow{Src::kViaIngress, 1, true},
        TruthRow{Src::kViaIngress, 2, true}, TruthRow{Src::kViaOther, 0, true},
        TruthRow{Src::kViaOther, 1, false}, TruthRow{Src::kViaOther, 2, true},
        TruthRow{Src::kViaDefault, 0, true}, TruthRow{Src::kViaDefault, 1, false},
        TruthRow{Src::kViaDefault, 2, true}, TruthRow{Src::kNoRoute, 0, true},
        TruthRow{Src::kNoRoute, 1, false}, TruthRow{Src::kNoRoute, 2, false},
        TruthRow{Src::kBlackhole, 0, true}, TruthRow{Src::kBlackhole, 1, false},
        TruthRow{Src::kBlackhole, 2, false}, TruthRow{Src::kOwn, 0, false},
        TruthRow{Src::kOwn, 1, false}, TruthRow{Src::kOwn, 2, false},
        TruthRow{Src::kBroadcast, 0, true}, TruthRow{Src::kBroadcast, 1, false},
        TruthRow{Src::kBroadcast, 2, false},
        // Any other non-zero value behaves as loose, only 1 is strict.
        TruthRow{Src::kViaOther, 3, true}, TruthRow{Src::kNoRoute, 5, false}));

TEST(ValidateSourceTest, OwnSourceWithAcceptLocal) {
  Topo t;
  BuildT1(t);
  t.Sysctl("net.ipv4.conf.eth1.accept_local=1");
  EXPECT_EQ(Check(t, kR2).reason, "accept_local");  // fast path
  t.Sysctl("net.ipv4.conf.eth1.rp_filter=1");
  // Strict: the local route of 10.0.2.1 is on eth2, not the ingress device.
  EXPECT_FALSE(Check(t, kR2).ok);
  // ...but the address of the ingress device itself passes.
  EXPECT_TRUE(Check(t, kR1).ok);
  t.Sysctl("net.ipv4.conf.eth1.rp_filter=2");
  EXPECT_TRUE(Check(t, kR2).ok);
}

TEST(ValidateSourceTest, Case24ReverseRouteShapesUnderStrictMode) {
  Topo t;
  BuildT1(t);
  t.Sysctl("net.ipv4.conf.eth1.rp_filter=1");
  t.AddVia(Ip(10, 0, 3, 0), 24, kEth1, kH1);  // via gateway on eth1
  t.AddVia(Ip(10, 0, 4, 0), 24, kEth1, 0);    // scope link on eth1
  Route ecmp = Topo::MakeRoute(kTableMain, Ip(10, 0, 5, 0), 24, RouteType::kUnicast,
                               kScopeUniverse, kEth2, kH2);
  ecmp.nexthops.push_back(NextHop{kEth1, kH1, 0, 1});
  t.AddRoute(ecmp);
  t.AddVia(Ip(10, 0, 6, 0), 24, kEth2, kH2, 10);  // best: metric 10 via eth2
  t.AddVia(Ip(10, 0, 6, 0), 24, kEth1, kH1, 20);  // a worse route via eth1 does not help
  EXPECT_TRUE(Check(t, Ip(10, 0, 3, 5)).ok);
  EXPECT_TRUE(Check(t, Ip(10, 0, 4, 5)).ok);
  EXPECT_TRUE(Check(t, Ip(10, 0, 5, 5)).ok);
  const SourceCheck c = Check(t, Ip(10, 0, 6, 5));
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.reason, "rp_filter_strict");
}

TEST(ValidateSourceTest, Case25ErrorRoutesRejectUnderAnyFilter) {
  for (RouteType type : {RouteType::kBlackhole, RouteType::kUnreachable, RouteType::kProhibit}) {
    for (int rp : {0, 1, 2}) {
      Topo t;
      BuildT1(t);
      t.AddVia(0, 0, kEth2, kH2);
      t.AddTyped(Ip(10, 0, 8, 0), 24, type);
      t.Sysctl("net.ipv4.conf.eth1.rp_filter=" + std::to_string(rp));
      EXPECT_EQ(Check(t, Ip(10, 0, 8, 5)).ok, rp == 0)
          << "type " << static_cast<int>(type) << " rp " << rp;
    }
  }
}

TEST(ValidateSourceTest, StickyFlagsForceTheFullCheck) {
  Topo t;
  BuildT1(t);
  EXPECT_EQ(Check(t, Ip(10, 0, 1, 255)).reason, "fast_path");
  t.flags.custom_rules = true;
  EXPECT_EQ(Check(t, Ip(10, 0, 1, 255)).reason, "invalid_source");
  // Full check with rp_filter 0: a source routed elsewhere is still accepted.
  EXPECT_TRUE(Check(t, Ip(10, 0, 2, 50)).ok);
  EXPECT_EQ(Check(t, Ip(10, 0, 2, 50)).reason, "full_check_rp_filter_off");

  Topo u;
  BuildT1(u);
  EXPECT_FALSE(u.flags.custom_local_routes);
  u.AddRoute(Topo::MakeRoute(kTableLocal, Ip(10, 200, 0, 1), 32, RouteType::kLocal, kScopeHost,
                             kEth2, 0, /*protocol=*/3));
  EXPECT_TRUE(u.flags.custom_local_routes);
  EXPECT_FALSE(Check(u, Ip(10, 0, 1, 255)).ok);
}

TEST(ValidateSourceTest, RealmsDisableTheFastPath) {
  Topo t;
  BuildT1(t);
  Route r = Topo::MakeRoute(kTableMain, Ip(10, 0, 20, 0), 24, RouteType::kUnicast,
                            kScopeUniverse, kEth2, kH2);
  r.has_realms = true;
  t.AddRoute(r);
  EXPECT_TRUE(t.flags.tclassid_users);
  EXPECT_EQ(Check(t, Ip(10, 0, 1, 255)).reason, "invalid_source");
}

TEST(ValidateSourceTest, SameDeviceWithSendRedirectsTakesTheFullCheck) {
  // Forwarding back out the ingress device (pvlan) with send_redirects on: no fast
  // path, so an own address is refused as a LOCAL reverse route and a directly
  // connected source reports "direct".
  Topo t;
  BuildT1(t);
  SourceCheck c = Check(t, kH1, /*oif=*/kEth1, Ip(10, 0, 1, 99));
  EXPECT_TRUE(c.ok);
  EXPECT_TRUE(c.directly_connected);
  EXPECT_EQ(c.reason, "reverse_route_via_ingress");
  t.Sysctl("net.ipv4.conf.all.send_redirects=0");
  t.Sysctl("net.ipv4.conf.eth1.send_redirects=0");
  c = Check(t, kH1, kEth1, Ip(10, 0, 1, 99));
  EXPECT_EQ(c.reason, "fast_path");
  EXPECT_FALSE(c.directly_connected);
}

}  // namespace
}  // namespace pvland::ipv4
