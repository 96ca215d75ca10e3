// The IP guard's decision (ip_input.h): ip_rcv_core's header checks, ip_route_input's
// martian and rp_filter verdicts as drops with the line to log (§2.3, §2.9, §2.10), and
// the source guard's (§2.16), on topology T1 (eth1 is the internal port).
#include "daemon/ipv4/ip_input.h"

#include <vector>

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

constexpr auto kPass = IpDropKind::kNone;
constexpr auto kRp = IpDropKind::kRpFilter;
constexpr auto kMSrc = IpDropKind::kMartianSource;
constexpr auto kMDst = IpDropKind::kMartianDestination;

struct Row {
  std::string_view name;
  std::vector<std::string_view> knobs;
  Ipv4 dst, src;
  IpDropKind drop;
  MartianKind log;  // the line the kernel prints (with log_martians)
  uint8_t protocol = 17;
};
void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

// T1 plus: 10.0.3.0/24 via eth1 (a second subnet behind the host side), a default route
// only where a row asks for it, blackhole 10.0.8.0/24, unreachable 10.0.9.0/24.
void BuildGuardTopo(Topo& t) {
  BuildT1(t);
  t.AddVia(Ip(10, 0, 3, 0), 24, kEth1, kH1);
  t.AddTyped(Ip(10, 0, 8, 0), 24, RouteType::kBlackhole);
  t.AddTyped(Ip(10, 0, 9, 0), 24, RouteType::kUnreachable);
}

IpPacketInfo Packet(Ipv4 dst, Ipv4 src, uint8_t protocol = 17) {
  IpPacketInfo in;
  in.dst = dst;
  in.src = src;
  in.protocol = protocol;
  in.ifindex = kEth1;
  return in;
}

class IpInputRowsTest : public ::testing::TestWithParam<Row> {};

TEST_P(IpInputRowsTest, Row) {
  const Row& r = GetParam();
  Topo t;
  BuildGuardTopo(t);
  for (std::string_view k : r.knobs) {
    if (k == "+dflt") t.AddVia(0, 0, kEth2, kH2);
    else t.Sysctl(std::string(k));
  }
  const IpInputDecision d = DecideIpInput(t.state, t.flags, t.Conf(kEth1), Packet(r.dst, r.src, r.protocol));
  EXPECT_EQ(d.drop, r.drop) << d.reason;
  EXPECT_EQ(d.log, r.log) << d.reason;
}

constexpr auto kNoLog = MartianKind::kNone;
constexpr auto kLogSrc = MartianKind::kSource;
constexpr auto kLogDst = MartianKind::kDestination;
const Ipv4 kWrongPath = Ip(10, 0, 2, 50);  // routed back via eth2
const Ipv4 kRightPath = Ip(10, 0, 3, 7);   // routed back via eth1 (through H1)
const Ipv4 kNowhere = Ip(192, 168, 9, 9);  // no route unless +dflt

INSTANTIATE_TEST_SUITE_P(
    Guard, IpInputRowsTest,
    ::testing::Values(
        // rp_filter = max(all, dev), to the router and forwarded.
        Row{"rp0_wrong_path_local", {}, kR1, kWrongPath, kPass, kNoLog},
        Row{"rp1_wrong_path_local", {"net.ipv4.conf.eth1.rp_filter=1"}, kR1, kWrongPath, kRp, kLogSrc},
        Row{"rp1_wrong_path_forward", {"net.ipv4.conf.eth1.rp_filter=1"}, kH2, kWrongPath, kRp, kLogSrc},
        Row{"rp1_right_path", {"net.ipv4.conf.eth1.rp_filter=1"}, kH2, kRightPath, kPass, kNoLog},
        Row{"rp1_via_all", {"net.ipv4.conf.all.rp_filter=1"}, kH2, kWrongPath, kRp, kLogSrc},
        Row{"rp_all2_dev1_is_loose", {"net.ipv4.conf.all.rp_filter=2", "net.ipv4.conf.eth1.rp_filter=1"}, kH2,
            kWrongPath, kPass, kNoLog},
        Row{"rp2_wrong_path", {"net.ipv4.conf.eth1.rp_filter=2"}, kH2, kWrongPath, kPass, kNoLog},
        Row{"rp0_no_route", {}, kH2, kNowhere, kPass, kNoLog},
        Row{"rp1_no_route", {"net.ipv4.conf.eth1.rp_filter=1"}, kH2, kNowhere, kRp, kLogSrc},
        Row{"rp2_no_route", {"net.ipv4.conf.eth1.rp_filter=2"}, kH2, kNowhere, kRp, kLogSrc},
        Row{"rp2_default_route", {"net.ipv4.conf.eth1.rp_filter=2", "+dflt"}, kH2, kNowhere, kPass, kNoLog},
        Row{"rp1_default_route", {"net.ipv4.conf.eth1.rp_filter=1", "+dflt"}, kH2, kNowhere, kRp, kLogSrc},
        Row{"rp2_blackhole", {"net.ipv4.conf.eth1.rp_filter=2", "+dflt"}, kH2, Ip(10, 0, 8, 5), kRp, kLogSrc},
        Row{"rp2_unreachable", {"net.ipv4.conf.eth1.rp_filter=2", "+dflt"}, kH2, Ip(10, 0, 9, 5), kRp, kLogSrc},
        Row{"rp0_blackhole", {"+dflt"}, kH2, Ip(10, 0, 8, 5), kPass, kNoLog},
        // accept_local: our own addresses as sources.
        Row{"own_address_source", {}, kR1, Ip(10, 0, 2, 1), kMSrc, kLogSrc},
        Row{"own_address_source_accept_local", {"net.ipv4.conf.eth1.accept_local=1"}, kR1, Ip(10, 0, 2, 1), kPass,
            kNoLog},
        Row{"own_address_on_other_dev_rp1_accept_local",
            {"net.ipv4.conf.eth1.accept_local=1", "net.ipv4.conf.eth1.rp_filter=1"}, kR1, Ip(10, 0, 2, 1), kRp,
            kLogSrc},
        Row{"own_address_on_ingress_rp1_accept_local",
            {"net.ipv4.conf.eth1.accept_local=1", "net.ipv4.conf.eth1.rp_filter=1"}, kH2, kR1, kPass, kNoLog},
        // Martian sources, in the kernel's order, logged; martian destinations.
        Row{"src_loopback", {}, kR1, Ip(127, 0, 0, 1), kMSrc, kLogSrc},
        Row{"src_loopback_route_localnet", {"net.ipv4.conf.eth1.route_localnet=1"}, kR1, Ip(127, 0, 0, 5), kPass,
            kNoLog},
        // 127.0.0.1 itself is an address of lo: the fast path refuses it as our own.
        Row{"src_own_loopback_route_localnet", {"net.ipv4.conf.eth1.route_localnet=1"}, kR1, Ip(127, 0, 0, 1), kMSrc,
            kLogSrc},
        Row{"src_zero", {}, kR1, 0, kMSrc, kLogSrc},
        Row{"src_multicast", {}, kR1, Ip(224, 0, 0, 5), kMSrc, kLogSrc},
        Row{"src_limited_broadcast", {}, kR1, Ip(255, 255, 255, 255), kMSrc, kLogSrc},
        Row{"src_subnet_broadcast_fast_path", {}, kR1, Ip(10, 0, 1, 255), kPass, kNoLog},
        Row{"src_subnet_broadcast_rp2", {"net.ipv4.conf.eth1.rp_filter=2"}, kR1, Ip(10, 0, 1, 255), kMSrc, kLogSrc},
        Row{"dst_loopback", {}, Ip(127, 0, 0, 1), kH1, kMDst, kLogDst},
        Row{"dst_loopback_route_localnet", {"net.ipv4.conf.eth1.route_localnet=1"}, Ip(127, 0, 0, 1), kH1, kPass,
            kNoLog},
        Row{"dst_zero", {}, 0, kH1, kMDst, kLogDst},
        // Broadcast path: DHCP passes, a wrong-path source on a broadcast is a martian.
        Row{"dhcp_discover", {"net.ipv4.conf.eth1.rp_filter=1"}, Ip(255, 255, 255, 255), 0, kPass, kNoLog},
        Row{"broadcast_wrong_path_rp1", {"net.ipv4.conf.eth1.rp_filter=1"}, Ip(255, 255, 255, 255), kWrongPath, kRp,
            kLogSrc},
        Row{"directed_broadcast_wrong_path_rp1", {"net.ipv4.conf.eth1.rp_filter=1"}, Ip(10, 0, 1, 255), kWrongPath,
            kRp, kLogSrc},
        // Multicast: the same source rules, silently (§2.10).
        Row{"mcast_wrong_path_rp1", {"net.ipv4.conf.eth1.rp_filter=1"}, Ip(224, 0, 0, 1), kWrongPath, kRp, kNoLog},
        Row{"mcast_right_path_rp1", {"net.ipv4.conf.eth1.rp_filter=1"}, Ip(224, 0, 0, 1), kH1, kPass, kNoLog},
        Row{"mcast_src_zero_local_group", {}, Ip(224, 0, 0, 22), 0, kPass, kNoLog},
        Row{"mcast_src_zero_igmp", {}, Ip(239, 1, 1, 1), 0, kPass, kNoLog, 2},
        Row{"mcast_src_zero_udp", {}, Ip(239, 1, 1, 1), 0, kMSrc, kNoLog},
        Row{"mcast_src_loopback", {}, Ip(224, 0, 0, 1), Ip(127, 0, 0, 1), kMSrc, kNoLog},
        // What the kernel goes on with: no route (ICMP), forwarding off (silent) are not ours.
        Row{"no_route_passes", {}, Ip(8, 8, 8, 8), kH1, kPass, kNoLog},
        Row{"forwarding_off_passes", {"net.ipv4.conf.eth1.forwarding=0"}, kH2, kH1, kPass, kNoLog}),
    [](const ::testing::TestParamInfo<Row>& i) { return std::string(i.param.name); });

TEST(IpInputTest, FastPathSwitchesToFullCheckAfterACustomLocalRoute) {
  Topo t;
  BuildGuardTopo(t);
  // rp_filter 0: the subnet broadcast source passes the fast path...
  EXPECT_EQ(DecideIpInput(t.state, t.flags, t.Conf(kEth1), Packet(kR1, Ip(10, 0, 1, 255))).drop, kPass);
  // ...and fails the full check, which a user-added local route forces from then on.
  t.flags.custom_local_routes = true;
  EXPECT_EQ(DecideIpInput(t.state, t.flags, t.Conf(kEth1), Packet(kR1, Ip(10, 0, 1, 255))).drop, kMSrc);
}

TEST(IpInputTest, AddresslessDeviceFailsLooseMode) {
  Topo t;
  BuildT1(t);
  t.AddVia(0, 0, kEth2, kH2);
  t.Sysctl("net.ipv4.conf.eth1.rp_filter=2");
  const IpPacketInfo in = Packet(kH2, kWrongPath);
  EXPECT_EQ(DecideIpInput(t.state, t.flags, t.Conf(kEth1), in).drop, kPass);
  Topo bare;
  bare.AddLink(kEth1, "eth1", testing::kEth1Mac, true);
  bare.AddLink(kEth2, "eth2", testing::kEth2Mac, true);
  bare.AddAddress(kEth2, Ip(10, 0, 2, 1), 24);
  bare.AddVia(0, 0, kEth2, kH2);
  bare.Sysctl("net.ipv4.conf.eth1.forwarding=1");
  bare.Sysctl("net.ipv4.conf.eth1.rp_filter=2");
  EXPECT_EQ(DecideIpInput(bare.state, bare.flags, bare.Conf(kEth1), in).drop, kRp)
      << "loose mode refuses a source routed elsewhere on a device without addresses";
}

// ip_rcv_core: a header the kernel discards before routing is not the guard's to judge.
std::vector<uint8_t> Header(Ipv4 src, Ipv4 dst) {
  std::vector<uint8_t> h = {0x45, 0x10, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0, 0,
                            static_cast<uint8_t>(src >> 24), static_cast<uint8_t>(src >> 16),
                            static_cast<uint8_t>(src >> 8), static_cast<uint8_t>(src),
                            static_cast<uint8_t>(dst >> 24), static_cast<uint8_t>(dst >> 16),
                            static_cast<uint8_t>(dst >> 8), static_cast<uint8_t>(dst),
                            0, 1, 0, 2, 0, 8, 0, 0};
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2) sum += h[i] << 8 | h[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  h[10] = static_cast<uint8_t>(~sum >> 8);
  h[11] = static_cast<uint8_t>(~sum);
  return h;
}

TEST(ReadIpv4HeaderTest, ReadsAValidHeader) {
  const std::vector<uint8_t> h = Header(kH1, kH2);
  IpPacketInfo in;
  ASSERT_TRUE(ReadIpv4Header(h, &in));
  EXPECT_EQ(in.src, kH1);
  EXPECT_EQ(in.dst, kH2);
  EXPECT_EQ(in.tos, 0x10);
  EXPECT_EQ(in.protocol, 17);
}

TEST(ReadIpv4HeaderTest, RefusesWhatIpRcvCoreDiscards) {
  IpPacketInfo in;
  std::vector<uint8_t> h = Header(kH1, kH2);
  h[11] ^= 1;
  EXPECT_FALSE(ReadIpv4Header(h, &in)) << "bad checksum";
  h = Header(kH1, kH2);
  h[0] = 0x65;
  EXPECT_FALSE(ReadIpv4Header(h, &in)) << "version 6";
  h = Header(kH1, kH2);
  h[3] = 0x40;  // total length beyond the frame
  EXPECT_FALSE(ReadIpv4Header(h, &in)) << "total length";
  h = Header(kH1, kH2);
  EXPECT_FALSE(ReadIpv4Header(absl::MakeConstSpan(h.data(), 19), &in)) << "short";
}

struct GuardRow {
  std::string_view name;
  int mode;
  Ipv4 dst, src;
  bool pass;
  uint8_t protocol = 17;
};
void PrintTo(const GuardRow& r, std::ostream* os) { *os << r.name; }

class SourceGuardRowsTest : public ::testing::TestWithParam<GuardRow> {};

TEST_P(SourceGuardRowsTest, Row) {
  const GuardRow& r = GetParam();
  Topo t;
  BuildGuardTopo(t);
  t.AddVia(0, 0, kEth2, kH2);
  const IpInputDecision d =
      SourceGuardDecide(t.state, t.flags, t.Conf(kEth1), Packet(r.dst, r.src, r.protocol), r.mode);
  EXPECT_EQ(d.drop == kPass, r.pass) << d.reason;
  EXPECT_EQ(d.log, kNoLog) << "the source guard never logs";
}

INSTANTIATE_TEST_SUITE_P(
    Guard, SourceGuardRowsTest,
    ::testing::Values(GuardRow{"strict_host_on_subnet", 1, Ip(10, 0, 1, 11), kH1, true},
                      GuardRow{"strict_routed_via_vlan", 1, Ip(10, 0, 1, 11), kRightPath, true},
                      GuardRow{"strict_other_subnet", 1, Ip(10, 0, 1, 11), kWrongPath, false},
                      GuardRow{"strict_default_route_only", 1, Ip(10, 0, 1, 11), kNowhere, false},
                      GuardRow{"loose_default_route", 2, Ip(10, 0, 1, 11), kNowhere, true},
                      GuardRow{"loose_blackhole", 2, Ip(10, 0, 1, 11), Ip(10, 0, 8, 1), false},
                      GuardRow{"strict_router_address", 1, Ip(10, 0, 1, 11), kR1, false},
                      GuardRow{"loose_subnet_broadcast", 2, Ip(10, 0, 1, 11), Ip(10, 0, 1, 255), false},
                      GuardRow{"strict_dhcp_discover", 1, Ip(255, 255, 255, 255), 0, true},
                      GuardRow{"strict_zero_to_unicast", 1, Ip(10, 0, 1, 11), 0, false},
                      GuardRow{"strict_igmp_from_zero", 1, Ip(239, 1, 2, 3), 0, true, 2},
                      GuardRow{"strict_loopback", 1, Ip(10, 0, 1, 11), Ip(127, 0, 0, 1), false},
                      GuardRow{"strict_multicast_source", 1, Ip(10, 0, 1, 11), Ip(224, 1, 1, 1), false}),
    [](const ::testing::TestParamInfo<GuardRow>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace pvland::ipv4
