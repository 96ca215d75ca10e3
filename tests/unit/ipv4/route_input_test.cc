// The route-input check for ARP (§2.2 rows 1-14, in order) and the IP input
// martian checks (§2.9).
#include "daemon/ipv4/route_input.h"

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
using testing::Topo;

struct ArpRow {
  std::string_view name;
  std::string_view knob;  // one sysctl assignment, or empty
  Ipv4 dst, src;
  bool ok;
  RouteType type;
  MartianKind martian;
};
void PrintTo(const ArpRow& r, std::ostream* os) { *os << r.name; }

class ArpRouteRowsTest : public ::testing::TestWithParam<ArpRow> {};

TEST_P(ArpRouteRowsTest, Row) {
  const ArpRow& r = GetParam();
  Topo t;
  BuildT1(t);
  t.AddTyped(Ip(10, 0, 11, 0), 24, RouteType::kMulticast, kEth2);
  t.AddTyped(Ip(10, 0, 9, 0), 24, RouteType::kUnreachable);
  if (!r.knob.empty()) t.Sysctl(std::string(r.knob));
  const ArpRouteResult res = RouteInputForArp(t.state, t.flags, t.Conf(kEth1), {r.dst, r.src, 0, kEth1});
  EXPECT_EQ(res.ok, r.ok) << res.reason;
  if (r.ok) {
    EXPECT_EQ(res.type, r.type) << res.reason;
  }
  EXPECT_EQ(res.martian, r.martian) << res.reason;
}

constexpr auto kNone = MartianKind::kNone;
constexpr auto kMSrc = MartianKind::kSource;
constexpr auto kMDst = MartianKind::kDestination;

INSTANTIATE_TEST_SUITE_P(
    Section2_2, ArpRouteRowsTest,
    ::testing::Values(
        ArpRow{"r1_src_multicast", "", kH2, Ip(224, 0, 0, 5), false, {}, kMSrc},
        ArpRow{"r1_src_lbcast", "", kH2, Ip(255, 255, 255, 255), false, {}, kMSrc},
        ArpRow{"r1_beats_r2", "", Ip(255, 255, 255, 255), Ip(224, 0, 0, 5), false, {}, kMSrc},
        ArpRow{"r2_dst_lbcast_silent", "", Ip(255, 255, 255, 255), kH1, false, {}, kNone},
        ArpRow{"r4_dst_zero", "", 0, kH1, false, {}, kMDst},
        ArpRow{"r5_dst_loopback", "", Ip(127, 0, 0, 1), kH1, false, {}, kMDst},
        ArpRow{"r6_src_loopback", "", kR1, Ip(127, 0, 0, 5), false, {}, kMSrc},
        ArpRow{"r6_src_loopback_route_localnet", "net.ipv4.conf.eth1.route_localnet=1", kR1,
               Ip(127, 0, 0, 5), true, RouteType::kLocal, kNone},
        ArpRow{"r7_no_route", "", Ip(8, 8, 8, 8), kH1, true, RouteType::kUnreachable, kNone},
        ArpRow{"r7_unreachable_route", "", Ip(10, 0, 9, 5), kH1, true, RouteType::kUnreachable,
               kNone},
        ArpRow{"r8_broadcast_route", "", Ip(10, 0, 1, 255), kH1, false, {}, kNone},
        ArpRow{"r8_bc_forwarding_needs_all_and_dev", "net.ipv4.conf.eth1.bc_forwarding=1",
               Ip(10, 0, 1, 255), kH1, false, {}, kNone},
        ArpRow{"r9_local", "", kR1, kH1, true, RouteType::kLocal, kNone},
        ArpRow{"r9_local_bad_source", "net.ipv4.conf.eth1.rp_filter=1", kR1, Ip(10, 0, 2, 50),
               false, {}, kMSrc},
        ArpRow{"r10_forwarding_off", "net.ipv4.conf.eth1.forwarding=0", kH2, kH1, true,
               RouteType::kUnreachable, kNone},
        ArpRow{"r11_multicast_route", "", Ip(10, 0, 11, 5), kH1, false, {}, kMDst},
        ArpRow{"r12_unicast_bad_source", "net.ipv4.conf.eth1.rp_filter=1", kH2,
               Ip(10, 0, 2, 50), false, {}, kMSrc},
        ArpRow{"r13_same_dev_without_pvlan", "", Ip(10, 0, 1, 99), kH1, false, {}, kNone},
        ArpRow{"r13_same_dev_with_pvlan", "net.ipv4.conf.all.proxy_arp_pvlan=1",
               Ip(10, 0, 1, 99), kH1, true, RouteType::kUnicast, kNone},
        ArpRow{"r14_unicast", "", kH2, kH1, true, RouteType::kUnicast, kNone}),
    [](const ::testing::TestParamInfo<ArpRow>& i) { return std::string(i.param.name); });

TEST(ArpRouteTest, BcForwardingOnBothKeepsTypeBroadcast) {
  Topo t;
  BuildT1(t);
  t.Sysctl("net.ipv4.conf.all.bc_forwarding=1");
  t.Sysctl("net.ipv4.conf.eth1.bc_forwarding=1");
  t.Sysctl("net.ipv4.conf.eth1.proxy_arp_pvlan=1");
  const ArpRouteResult r = RouteInputForArp(t.state, t.flags, t.Conf(kEth1),
                                            {Ip(10, 0, 1, 255), kH1, 0, kEth1});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.type, RouteType::kBroadcast);  // arp_process answers only UNICAST
}

TEST(ArpRouteTest, UnicastReportsOutDevice) {
  Topo t;
  BuildT1(t);
  const ArpRouteResult r = RouteInputForArp(t.state, t.flags, t.Conf(kEth1), {kH2, kH1, 0, kEth1});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.oif, kEth2);
}

struct IpRow {
  std::string_view name;
  std::string_view knob;
  Ipv4 dst, src;
  IpRouteAction action;
};
void PrintTo(const IpRow& r, std::ostream* os) { *os << r.name; }

class IpRouteRowsTest : public ::testing::TestWithParam<IpRow> {};

TEST_P(IpRouteRowsTest, Row) {
  const IpRow& r = GetParam();
  Topo t;
  BuildT1(t);
  t.AddTyped(Ip(10, 0, 11, 0), 24, RouteType::kMulticast, kEth2);
  t.AddTyped(Ip(10, 0, 9, 0), 24, RouteType::kProhibit);
  if (!r.knob.empty()) t.Sysctl(std::string(r.knob));
  const IpRouteResult res = RouteInputForIp(t.state, t.flags, t.Conf(kEth1), {r.dst, r.src, 0, kEth1});
  EXPECT_EQ(res.action, r.action) << res.reason;
  const bool martian = r.action == IpRouteAction::kMartianSource ||
                       r.action == IpRouteAction::kMartianDestination;
  EXPECT_EQ(res.martian != MartianKind::kNone, martian);
}

using A = IpRouteAction;
INSTANTIATE_TEST_SUITE_P(
    Section2_9, IpRouteRowsTest,
    ::testing::Values(
        IpRow{"s1_dst_multicast", "", Ip(224, 0, 0, 1), Ip(10, 0, 2, 50), A::kMulticastPath},
        IpRow{"s2_src_multicast", "", kR1, Ip(224, 0, 0, 5), A::kMartianSource},
        IpRow{"s3_limited_broadcast", "", Ip(255, 255, 255, 255), kH1, A::kBroadcastDeliver},
        IpRow{"s3_dhcp_discover", "", Ip(255, 255, 255, 255), 0, A::kBroadcastDeliver},
        IpRow{"s3_zero_to_zero", "", 0, 0, A::kBroadcastDeliver},
        IpRow{"s3_broadcast_bad_source", "net.ipv4.conf.eth1.rp_filter=1",
              Ip(255, 255, 255, 255), Ip(10, 0, 2, 50), A::kMartianSource},
        IpRow{"s4_src_zero", "", kR1, 0, A::kMartianSource},
        IpRow{"s4_dst_zero", "", 0, kH1, A::kMartianDestination},
        IpRow{"s5_dst_loopback", "", Ip(127, 0, 0, 1), kH1, A::kMartianDestination},
        IpRow{"s5_src_loopback", "", kR1, Ip(127, 0, 0, 1), A::kMartianSource},
        IpRow{"s6_no_route_forwarding", "", Ip(8, 8, 8, 8), kH1, A::kNoRoute},
        IpRow{"s6_no_route_host", "net.ipv4.conf.eth1.forwarding=0", Ip(8, 8, 8, 8), kH1,
              A::kForwardingOff},
        IpRow{"s6_prohibit", "", Ip(10, 0, 9, 1), kH1, A::kNoRoute},
        IpRow{"s7_directed_broadcast", "", Ip(10, 0, 1, 255), kH1, A::kBroadcastDeliver},
        IpRow{"c53_directed_broadcast_rp1", "net.ipv4.conf.eth1.rp_filter=1",
              Ip(10, 0, 1, 255), Ip(10, 0, 2, 50), A::kMartianSource},
        IpRow{"s8_local", "", kR1, kH1, A::kLocalDeliver},
        IpRow{"s8_local_own_source", "", kR1, Ip(10, 0, 2, 1), A::kMartianSource},
        IpRow{"s9_forwarding_off", "net.ipv4.conf.eth1.forwarding=0", kH2, kH1,
              A::kForwardingOff},
        IpRow{"s9_multicast_route", "", Ip(10, 0, 11, 5), kH1, A::kMartianDestination},
        IpRow{"s9_forward", "", kH2, kH1, A::kForward},
        IpRow{"c53_forward_rp1", "net.ipv4.conf.eth1.rp_filter=1", kH2, Ip(10, 0, 2, 50),
              A::kMartianSource},
        // IP is not ARP: routing back out the ingress device is allowed (redirect).
        IpRow{"s9_hairpin_forward", "", Ip(10, 0, 1, 99), kH1, A::kForward}),
    [](const ::testing::TestParamInfo<IpRow>& i) { return std::string(i.param.name); });

TEST(IpRouteTest, HairpinReportsDirectlyConnectedSource) {
  Topo t;
  BuildT1(t);
  const IpRouteResult r =
      RouteInputForIp(t.state, t.flags, t.Conf(kEth1), {Ip(10, 0, 1, 99), kH1, 0, kEth1});
  ASSERT_EQ(r.action, IpRouteAction::kForward);
  EXPECT_EQ(r.oif, kEth1);
  EXPECT_TRUE(r.source_directly_connected);
}

}  // namespace
}  // namespace pvland::ipv4
