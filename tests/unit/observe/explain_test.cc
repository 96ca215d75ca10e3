// The explainers of `pvlanctl why`: every drop reason has one, and each names the rule,
// the settings that decided and the change that would have let the frame through.
#include "daemon/observe/explain.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pvland::observe {
namespace {

using ::testing::HasSubstr;

// Fails for a reason added to PVL_DROP_REASONS without its explainer (explain.cc,
// kExplainers): add one there.
TEST(Explainers, EveryDropReasonHasOne) {
  for (int r = 0; r < kDropReasonCount; ++r) {
    const DropReason reason = static_cast<DropReason>(r);
    EXPECT_NE(ExplainerFor(reason), nullptr) << "no explainer for drop reason " << DropReasonName(reason);
    // And it says something whatever it is given, even for a port deleted since.
    ExplainInput in;
    in.reason = reason;
    const Explanation e = Explain(in);
    EXPECT_FALSE(e.rule.empty()) << DropReasonName(reason);
    EXPECT_FALSE(e.fix.empty()) << DropReasonName(reason);
  }
}

PortFacts Trunk(const char* name, const char* allowed, uint16_t native) {
  PortFacts p;
  p.name = name;
  p.cfg.mode = PortMode::kTrunk;
  p.cfg.allowed = *ParseVlanSet(allowed);
  p.cfg.native = native;
  return p;
}

PortFacts Access(const char* name, uint16_t vlan, bool isolated = false) {
  PortFacts p;
  p.name = name;
  p.cfg.vlan = vlan;
  p.cfg.isolated = isolated;
  return p;
}

std::string Line(const Explanation& e) { return e.rule + " [" + e.decided_by + "]; would pass with " + e.fix; }

TEST(Explainers, VlanNotAllowedNamesTheTagTheListAndTheListThatWouldPass) {
  const std::vector<uint8_t> frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x81, 0, 0, 30, 8, 6};
  ExplainInput in;
  in.reason = DropReason::kVlanNotAllowed;
  in.frame = frame;
  in.port = Trunk("p1", "10,20", 0);
  EXPECT_EQ(Line(Explain(in)),
            "tagged VLAN 30 is not in allowed 10,20 [p1: mode trunk, allowed 10,20, native none]; would pass with "
            "port set p1 allowed 10,20,30");
  in.port = Trunk("p1", "10-29", 5);
  EXPECT_EQ(Explain(in).rule, "tagged VLAN 30 is not in allowed 10-29 nor the native VLAN 5");
  EXPECT_EQ(Explain(in).fix, "port set p1 allowed 10-30");
}

TEST(Explainers, IsolatedPortNamesBothPorts) {
  ExplainInput in;
  in.reason = DropReason::kIsolatedPort;
  in.in_port = Access("p1", 1, true);
  in.port = Access("p2", 1, true);
  const Explanation e = Explain(in);
  EXPECT_EQ(e.rule, "p1 and p2 are both isolated, and isolated ports never talk to each other");
  EXPECT_EQ(e.fix, "port set p2 isolated off");
}

TEST(Explainers, PvlanIsolationNamesTheRolesAndThePrimary) {
  ExplainInput in;
  in.reason = DropReason::kPvlanIsolation;
  in.in_port = Access("h1", 101);
  in.in_port->pvlan = PvlanType::kIsolated;
  in.in_port->primary = 100;
  in.port = Access("h2", 102);
  in.port->pvlan = PvlanType::kCommunity;
  in.port->primary = 100;
  const Explanation e = Explain(in);
  EXPECT_EQ(e.rule,
            "h1 is on isolated VLAN 101 (primary 100) and h2 is on community VLAN 102 (primary 100): an isolated "
            "port may only send to promiscuous ports");
  EXPECT_THAT(e.fix, HasSubstr("port set h2 vlan 100 (promiscuous)"));
}

TEST(Explainers, AccessUntaggedSamePortAndMembership) {
  const std::vector<uint8_t> tagged = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0, 0, 7, 8, 0};
  ExplainInput in;
  in.frame = tagged;
  in.reason = DropReason::kVlanTagOnAccess;
  in.port = Access("p1", 10);
  EXPECT_EQ(Explain(in).fix, "port set p1 mode trunk allowed 7 native 10");
  in.reason = DropReason::kUntaggedOnTrunk;
  in.port = Trunk("t1", "10", 0);
  EXPECT_THAT(Explain(in).fix, HasSubstr("port set t1 native VID"));
  in.reason = DropReason::kSamePort;
  in.port = Access("p1", 10);
  EXPECT_EQ(Explain(in).fix, "port set p1 hairpin on");
  EXPECT_THAT(Explain(in).rule, HasSubstr("02:00:00:00:00:02 behind p1"));
  in.reason = DropReason::kVlanNotMember;
  in.vid = 20;
  in.port = Trunk("t1", "10", 0);
  EXPECT_EQ(Explain(in).fix, "port set t1 allowed 10,20");
  in.port = Access("p3", 10);
  EXPECT_THAT(Explain(in).fix, HasSubstr("port set p3 vlan 20"));
}

TEST(Explainers, RpFilterQuotesTheValuesAndTheRouteBack) {
  ExplainInput in;
  in.reason = DropReason::kRpFilter;
  in.ip.parsed = true;
  in.ip.src = 0x0a090001;  // 10.9.0.1
  in.ip.l3_dev = "gw0";
  in.ip.reason = "rp_filter_strict";
  in.ip.rp_all = 0;
  in.ip.rp_dev = 1;
  in.ip.rp_effective = 1;
  in.ip.route_back_type = "unicast";
  in.ip.route_back_dev = "eth3";
  in.ip.passes_loose = true;
  in.ip.passes_off = true;
  const Explanation e = Explain(in);
  EXPECT_EQ(e.rule, "rp_filter on gw0 (rp_filter 1 = max(all 0, gw0 1)): the route back to 10.9.0.1 leaves by eth3, not gw0");
  EXPECT_EQ(e.fix, "rp_filter 2 (loose): sysctl -w net.ipv4.conf.gw0.rp_filter=2");
  // No route at all: loose does not help, 0 does.
  in.ip.reason = "rp_filter_no_route";
  in.ip.route_back_type.clear();
  in.ip.route_back_dev.clear();
  in.ip.passes_loose = false;
  EXPECT_THAT(Explain(in).rule, HasSubstr("there is no route back to 10.9.0.1"));
  EXPECT_THAT(Explain(in).fix, HasSubstr("rp_filter 0: sysctl -w net.ipv4.conf.gw0.rp_filter=0"));
  // Changed since: said so.
  in.ip.reason.clear();
  EXPECT_THAT(Explain(in).rule, HasSubstr("it would pass now"));
}

TEST(Explainers, MartiansNameTheKnobThatAdmitsThem) {
  ExplainInput in;
  in.ip.parsed = true;
  in.ip.l3_dev = "gw0";
  in.ip.src = 0x0a000001;
  in.ip.dst = 0x7f000001;
  in.reason = DropReason::kMartianSource;
  in.ip.reason = "local_source";
  EXPECT_EQ(Explain(in).fix, "sysctl -w net.ipv4.conf.gw0.accept_local=1");
  in.reason = DropReason::kMartianDestination;
  in.ip.reason = "martian_destination_loopback";
  EXPECT_EQ(Explain(in).fix, "sysctl -w net.ipv4.conf.gw0.route_localnet=1");
  EXPECT_THAT(Explain(in).rule, HasSubstr("destination 127.0.0.1 is in 127/8"));
}

TEST(Explainers, SourceGuardOffersLooseWhenLooseWouldPass) {
  ExplainInput in;
  in.reason = DropReason::kSourceGuard;
  in.in_port = Access("h1", 10);
  in.ip.parsed = true;
  in.ip.src = 0x0a090001;
  in.ip.l3_dev = "gw0";
  in.ip.guard_mode = 1;
  in.ip.reason = "rp_filter_strict";
  in.ip.route_back_type = "unicast";
  in.ip.route_back_dev = "eth3";
  in.ip.passes_loose = true;
  EXPECT_EQ(Explain(in).fix, "port set h1 source_guard loose");
  EXPECT_THAT(Explain(in).rule, HasSubstr("h1 has source_guard strict (judged as by gw0): the route back to 10.9.0.1 leaves by eth3, not gw0"));
  in.ip.l3_dev.clear();
  in.vid = 10;
  EXPECT_THAT(Explain(in).rule, HasSubstr("VLAN 10 has no internal port"));
}

TEST(Explainers, TransmitSideReasons) {
  ExplainInput in;
  in.port = Access("p2", 1);
  in.port->state = PortState::kDown;
  in.reason = DropReason::kPortDown;
  EXPECT_THAT(Explain(in).rule, HasSubstr("it is down now"));
  in.reason = DropReason::kMtuExceeded;
  in.wire_len = 1514;
  EXPECT_THAT(Explain(in).fix, HasSubstr("ip link set p2 mtu 1500"));
  in.reason = DropReason::kTxError;
  in.detail = "EAGAIN";
  EXPECT_THAT(Explain(in).rule, HasSubstr("(EAGAIN)"));
  in.reason = DropReason::kProxyQueueOverflow;
  in.ip.l3_dev = "gw0";
  in.proxy_qlen = 64;
  EXPECT_EQ(Explain(in).fix, "sysctl -w net.ipv4.neigh.gw0.proxy_qlen=128 (or proxy_delay=0)");
}

}  // namespace
}  // namespace pvland::observe
