// arp_decide over the verified ARP cases of docs/kernel-semantics.md §4 (T1 router),
// the medium_id matrix (§2.4.1) and the arp_ignore matrix (§2.6).
#include "daemon/ipv4/arp_decide.h"
#include "daemon/packet/drop_reason.h"

#include <functional>
#include <vector>

#include "daemon/ipv4/arp_packet.h"
#include "gtest/gtest.h"
#include "tests/unit/ipv4/topo.h"

namespace pvland::ipv4 {
namespace {

using testing::Ask;
using testing::BuildT1;
using testing::Ip;
using testing::kEth1;
using testing::kEth1Mac;
using testing::kEth2;
using testing::kH1;
using testing::kH1Mac;
using testing::kH2;
using testing::kR1;
using testing::kR2;
using testing::Topo;

enum class Want { kNothing, kReply, kQueue };

struct CaseRow {
  std::string_view name;  // "<§4 case>_<what>"
  std::function<void(Topo&)> setup;
  std::function<ArpInput()> probe;
  Want want;
  ArpReplyKind kind = ArpReplyKind::kNone;
  MartianKind martian = MartianKind::kNone;
  std::string_view reason = {};  // checked when not empty
};

void PrintTo(const CaseRow& r, std::ostream* os) { *os << r.name; }

class T1CasesTest : public ::testing::TestWithParam<CaseRow> {};

TEST_P(T1CasesTest, KernelVerdict) {
  const CaseRow& row = GetParam();
  Topo t;
  BuildT1(t);
  if (row.setup) row.setup(t);
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, row.probe());
  switch (row.want) {
    case Want::kNothing:
      EXPECT_EQ(d.action, ArpAction::kIgnore) << d.reason;
      break;
    case Want::kReply:
      EXPECT_EQ(d.action, ArpAction::kReply) << d.reason;
      break;
    case Want::kQueue:
      EXPECT_EQ(d.action, ArpAction::kEnqueue) << d.reason;
      break;
  }
  if (row.want != Want::kNothing) {
    EXPECT_EQ(d.kind, row.kind);
  }
  EXPECT_EQ(d.martian, row.martian) << d.reason;
  // Every verdict is one of the counted, named ARP verdicts.
  EXPECT_TRUE(ArpVerdictByName(d.reason).has_value()) << d.reason;
  if (!row.reason.empty()) {
    EXPECT_EQ(d.reason, row.reason);
  }
}

ArpInput Uc(Ipv4 tip, Ipv4 sip = kH1) { return Ask(tip, sip, PacketType::kHost); }
ArpInput Dad(Ipv4 tip) { return Ask(tip, 0); }
auto Set(std::string a) {
  return [a](Topo& t) { t.Sysctl(a); };
}
auto Set2(std::string a, std::string b) {
  return [a, b](Topo& t) {
    t.Sysctl(a);
    t.Sysctl(b);
  };
}
void DefaultVia2(Topo& t) { t.AddVia(0, 0, kEth2, kH2); }
// `ip neigh add proxy ADDR [dev DEV]` for each entry (ifindex 0: no device).
auto Pneigh(std::vector<ProxyEntry> entries) {
  return [entries](Topo& t) { t.state.ReplaceProxyEntries(entries); };
}
auto PneighAnd(std::vector<ProxyEntry> entries, std::string a) {
  return [entries, a](Topo& t) {
    t.state.ReplaceProxyEntries(entries);
    t.Sysctl(a);
  };
}
constexpr Ipv4 kSame = Ip(10, 0, 1, 99);  // on eth1's own segment

INSTANTIATE_TEST_SUITE_P(
    Section4, T1CasesTest,
    ::testing::Values(
        CaseRow{"c1_ask_own_address", nullptr, [] { return Ask(kR1); }, Want::kReply,
                ArpReplyKind::kLocal, MartianKind::kNone, "local_reply"},
        CaseRow{"c2_weak_host_other_iface_address", nullptr, [] { return Ask(kR2); },
                Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c3_arp_ignore1_other_iface", Set("net.ipv4.conf.eth1.arp_ignore=1"),
                [] { return Ask(kR2); }, Want::kNothing, {}, {}, "arp_ignore"},
        CaseRow{"c3_arp_ignore1_all", Set("net.ipv4.conf.all.arp_ignore=1"),
                [] { return Ask(kR2); }, Want::kNothing},
        CaseRow{"c3_arp_ignore1_own", Set("net.ipv4.conf.eth1.arp_ignore=1"),
                [] { return Ask(kR1); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c4_arp_ignore2_offsubnet_sip",
                [](Topo& t) {
                  t.Sysctl("net.ipv4.conf.eth1.arp_ignore=2");
                  DefaultVia2(t);
                },
                [] { return Ask(kR1, Ip(192, 168, 9, 9)); }, Want::kNothing},
        CaseRow{"c4_arp_ignore2_onsubnet_sip", Set("net.ipv4.conf.eth1.arp_ignore=2"),
                [] { return Ask(kR1); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c5_arp_ignore2_other_prefix",
                [](Topo& t) {
                  t.AddAddress(kEth1, Ip(172, 16, 0, 1), 24);
                  t.Sysctl("net.ipv4.conf.eth1.arp_ignore=2");
                },
                [] { return Ask(kR1, Ip(172, 16, 0, 5)); }, Want::kNothing},
        CaseRow{"c7_arp_ignore8", Set("net.ipv4.conf.eth1.arp_ignore=8"),
                [] { return Ask(kR1); }, Want::kNothing},
        CaseRow{"c7_arp_ignore8_dad", Set("net.ipv4.conf.eth1.arp_ignore=8"),
                [] { return Dad(kR1); }, Want::kNothing, {}, {}, "arp_dad_arp_ignore"},
        CaseRow{"c7_arp_ignore4", Set("net.ipv4.conf.eth1.arp_ignore=4"),
                [] { return Ask(kR1); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c7_arp_ignore9", Set("net.ipv4.conf.eth1.arp_ignore=9"),
                [] { return Dad(kR1); }, Want::kReply, ArpReplyKind::kDad},
        CaseRow{"c8_max_all8_dev1",
                Set2("net.ipv4.conf.all.arp_ignore=8", "net.ipv4.conf.eth1.arp_ignore=1"),
                [] { return Ask(kR1); }, Want::kNothing},
        CaseRow{"c9_arp_filter_sip_via_eth2",
                Set("net.ipv4.conf.eth1.arp_filter=1"),
                [] { return Ask(kR1, Ip(10, 0, 2, 50)); }, Want::kNothing, {}, {}, "arp_filter"},
        CaseRow{"c9_arp_filter_all_sip_via_default",
                [](Topo& t) {
                  t.Sysctl("net.ipv4.conf.all.arp_filter=1");
                  DefaultVia2(t);
                },
                [] { return Ask(kR1, Ip(8, 8, 4, 4)); }, Want::kNothing},
        CaseRow{"c9_arp_filter_onsubnet_asks_eth2_address",
                Set("net.ipv4.conf.eth1.arp_filter=1"), [] { return Ask(kR2); }, Want::kReply,
                ArpReplyKind::kLocal},
        CaseRow{"c9_arp_filter_dad_unaffected", Set("net.ipv4.conf.eth1.arp_filter=1"),
                [] { return Dad(kR2); }, Want::kReply, ArpReplyKind::kDad},
        CaseRow{"c10_dad_own", nullptr, [] { return Dad(kR1); }, Want::kReply,
                ArpReplyKind::kDad, MartianKind::kNone, "dad_reply"},
        CaseRow{"c11_dad_other_iface", nullptr, [] { return Dad(kR2); }, Want::kReply,
                ArpReplyKind::kDad},
        CaseRow{"c11_dad_other_iface_arp_ignore1", Set("net.ipv4.conf.eth1.arp_ignore=1"),
                [] { return Dad(kR2); }, Want::kNothing},
        CaseRow{"c12_dad_never_proxied", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Dad(kH2); }, Want::kNothing, {}, {}, "arp_dad_not_local"},
        CaseRow{"c13_hrd6_accepted", nullptr,
                [] {
                  ArpInput in = Ask(kR1);
                  in.packet.hrd = kArpHrdIeee802;
                  return in;
                },
                Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c13_hrd7_ignored", nullptr,
                [] {
                  ArpInput in = Ask(kR1);
                  in.packet.hrd = 7;
                  return in;
                },
                Want::kNothing, {}, {}, "arp_bad_hardware_or_protocol"},
        CaseRow{"c15_other_host", nullptr, [] { return Ask(kR1, kH1, PacketType::kOtherHost); },
                Want::kNothing, {}, {}, "arp_other_host"},
        CaseRow{"c16_multicast_ethernet", nullptr,
                [] { return Ask(kR1, kH1, PacketType::kMulticast); }, Want::kReply,
                ArpReplyKind::kLocal},
        CaseRow{"c17_tip_loopback", Set("net.ipv4.conf.eth1.log_martians=1"),
                [] { return Ask(Ip(127, 0, 0, 1)); }, Want::kNothing, {}, {},
                "arp_target_loopback"},
        CaseRow{"c17_tip_multicast", nullptr, [] { return Ask(Ip(224, 0, 0, 1)); },
                Want::kNothing, {}, {}, "arp_target_multicast"},
        CaseRow{"c17_tip_limited_broadcast", nullptr,
                [] { return Ask(Ip(255, 255, 255, 255)); }, Want::kNothing, {}, {},
                "broadcast_destination"},
        CaseRow{"c17_tip_zero_logs_destination", nullptr, [] { return Ask(0); },
                Want::kNothing, {}, MartianKind::kDestination},
        CaseRow{"c18_pvlan_directed_broadcast", Set("net.ipv4.conf.eth1.proxy_arp_pvlan=1"),
                [] { return Ask(Ip(10, 0, 1, 255)); }, Want::kNothing, {}, {},
                "broadcast_destination"},
        CaseRow{"c19_rp1_local_martian", Set("net.ipv4.conf.eth1.rp_filter=1"),
                [] { return Ask(kR1, Ip(10, 0, 2, 50)); }, Want::kNothing, {},
                MartianKind::kSource, "rp_filter_strict"},
        CaseRow{"c20_rp2_local", Set("net.ipv4.conf.eth1.rp_filter=2"),
                [] { return Ask(kR1, Ip(10, 0, 2, 50)); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c21_rp1_default_route",
                [](Topo& t) {
                  t.Sysctl("net.ipv4.conf.eth1.rp_filter=1");
                  DefaultVia2(t);
                },
                [] { return Ask(kR1, Ip(192, 168, 9, 9)); }, Want::kNothing, {},
                MartianKind::kSource},
        CaseRow{"c21_rp2_default_route",
                [](Topo& t) {
                  t.Sysctl("net.ipv4.conf.eth1.rp_filter=2");
                  DefaultVia2(t);
                },
                [] { return Ask(kR1, Ip(192, 168, 9, 9)); }, Want::kReply,
                ArpReplyKind::kLocal},
        CaseRow{"c22_rp2_no_route", Set("net.ipv4.conf.eth1.rp_filter=2"),
                [] { return Ask(kR1, Ip(192, 168, 9, 9)); }, Want::kNothing, {},
                MartianKind::kSource, "rp_filter_no_route"},
        CaseRow{"c22_rp0_no_route", nullptr, [] { return Ask(kR1, Ip(192, 168, 9, 9)); },
                Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c23_max_all1_dev0",
                Set2("net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.eth1.rp_filter=0"),
                [] { return Ask(kR1, Ip(192, 168, 9, 9)); }, Want::kNothing, {},
                MartianKind::kSource},
        CaseRow{"c23_max_all2_dev1_loose",
                Set2("net.ipv4.conf.all.rp_filter=2", "net.ipv4.conf.eth1.rp_filter=1"),
                [] { return Ask(kR1, Ip(10, 0, 2, 50)); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c26_own_source_rp0", nullptr, [] { return Ask(kR1, kR2); }, Want::kNothing,
                {}, MartianKind::kSource, "local_source"},
        CaseRow{"c26_own_source_accept_local", Set("net.ipv4.conf.eth1.accept_local=1"),
                [] { return Ask(kR1, kR2); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c26_accept_local_rp1",
                Set2("net.ipv4.conf.eth1.accept_local=1", "net.ipv4.conf.eth1.rp_filter=1"),
                [] { return Ask(kR1, kR2); }, Want::kNothing, {}, MartianKind::kSource},
        CaseRow{"c26_accept_local_rp2",
                Set2("net.ipv4.conf.eth1.accept_local=1", "net.ipv4.conf.eth1.rp_filter=2"),
                [] { return Ask(kR1, kR2); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c27_directed_broadcast_source_fast_path", nullptr,
                [] { return Ask(kR1, Ip(10, 0, 1, 255)); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c27_after_rule_add_del",
                [](Topo& t) { t.flags.custom_rules = true; },
                [] { return Ask(kR1, Ip(10, 0, 1, 255)); }, Want::kNothing, {},
                MartianKind::kSource, "invalid_source"},
        CaseRow{"c27_after_custom_local_route",
                [](Topo& t) {
                  t.AddRoute(Topo::MakeRoute(kTableLocal, Ip(10, 200, 0, 1), 32,
                                             RouteType::kLocal, kScopeHost, kEth2, 0, 3));
                },
                [] { return Ask(kR1, Ip(10, 0, 1, 255)); }, Want::kNothing, {},
                MartianKind::kSource},
        CaseRow{"c28_rp2_broadcast_source", Set("net.ipv4.conf.eth1.rp_filter=2"),
                [] { return Ask(kR1, Ip(10, 0, 1, 255)); }, Want::kNothing, {},
                MartianKind::kSource},
        CaseRow{"c29_sip_multicast", nullptr, [] { return Ask(kR1, Ip(224, 0, 0, 5)); },
                Want::kNothing, {}, MartianKind::kSource},
        CaseRow{"c29_sip_limited_broadcast", nullptr,
                [] { return Ask(kR1, Ip(255, 255, 255, 255)); }, Want::kNothing, {},
                MartianKind::kSource},
        CaseRow{"c29_sip_loopback", nullptr, [] { return Ask(kR1, Ip(127, 0, 0, 5)); },
                Want::kNothing, {}, MartianKind::kSource, "martian_source_loopback"},
        CaseRow{"c30_sip_zeronet_is_unicast", nullptr, [] { return Ask(kR1, Ip(0, 1, 2, 3)); },
                Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c30_sip_class_e_is_unicast", nullptr,
                [] { return Ask(kR1, Ip(240, 1, 2, 3)); }, Want::kReply, ArpReplyKind::kLocal},
        CaseRow{"c34_proxy_broadcast_is_queued", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Ask(kH2); }, Want::kQueue, ArpReplyKind::kProxy, MartianKind::kNone,
                "proxy_delayed"},
        CaseRow{"c35_proxy_unicast_now", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Uc(kH2); }, Want::kReply, ArpReplyKind::kProxy, MartianKind::kNone,
                "proxy_reply"},
        CaseRow{"c35_proxy_delay0_now",
                Set2("net.ipv4.conf.eth1.proxy_arp=1", "net.ipv4.neigh.eth1.proxy_delay=0"),
                [] { return Ask(kH2); }, Want::kReply, ArpReplyKind::kProxy},
        CaseRow{"c35_proxy_delay1_still_queued",
                Set2("net.ipv4.conf.eth1.proxy_arp=1", "net.ipv4.neigh.eth1.proxy_delay=1"),
                [] { return Ask(kH2); }, Want::kQueue, ArpReplyKind::kProxy},
        CaseRow{"c36_proxy_no_route", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Uc(Ip(8, 8, 8, 8)); }, Want::kNothing, {}, {}, "no_route"},
        CaseRow{"c36_proxy_default_route",
                [](Topo& t) {
                  t.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
                  DefaultVia2(t);
                },
                [] { return Uc(Ip(8, 8, 8, 8)); }, Want::kReply, ArpReplyKind::kProxy},
        CaseRow{"c37_proxy_same_segment", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Uc(Ip(10, 0, 1, 99)); }, Want::kNothing, {}, {},
                "route_back_to_ingress"},
        CaseRow{"c38_proxy_all_or",
                Set2("net.ipv4.conf.all.proxy_arp=1", "net.ipv4.conf.eth1.proxy_arp=0"),
                [] { return Uc(kH2); }, Want::kReply, ArpReplyKind::kProxy},
        CaseRow{"c40_pvlan_same_segment", Set("net.ipv4.conf.eth1.proxy_arp_pvlan=1"),
                [] { return Uc(Ip(10, 0, 1, 99)); }, Want::kReply, ArpReplyKind::kPvlan,
                MartianKind::kNone, "pvlan_reply"},
        CaseRow{"c40_pvlan_network_address", Set("net.ipv4.conf.eth1.proxy_arp_pvlan=1"),
                [] { return Uc(Ip(10, 0, 1, 0)); }, Want::kReply, ArpReplyKind::kPvlan},
        CaseRow{"c40_pvlan_garp_not_answered", Set("net.ipv4.conf.eth1.proxy_arp_pvlan=1"),
                [] { return Uc(kH1, kH1); }, Want::kNothing},
        CaseRow{"c40_pvlan_other_segment_needs_proxy_arp",
                Set("net.ipv4.conf.eth1.proxy_arp_pvlan=1"), [] { return Uc(kH2); },
                Want::kNothing, {}, {}, "not_proxied"},
        CaseRow{"c40_pvlan_broadcast_is_queued", Set("net.ipv4.conf.eth1.proxy_arp_pvlan=1"),
                [] { return Ask(Ip(10, 0, 1, 99)); }, Want::kQueue, ArpReplyKind::kPvlan,
                MartianKind::kNone, "pvlan_delayed"},
        CaseRow{"c41_pvlan_forwarding_off",
                Set2("net.ipv4.conf.eth1.proxy_arp_pvlan=1", "net.ipv4.conf.eth1.forwarding=0"),
                [] { return Uc(Ip(10, 0, 1, 99)); }, Want::kNothing, {}, {}, "forwarding_off"},
        CaseRow{"c42_proxy_answers_garp", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Uc(Ip(10, 0, 2, 77), Ip(10, 0, 2, 77)); }, Want::kReply,
                ArpReplyKind::kProxy},
        CaseRow{"c42_proxy_garp_rp1",
                Set2("net.ipv4.conf.eth1.proxy_arp=1", "net.ipv4.conf.eth1.rp_filter=1"),
                [] { return Uc(Ip(10, 0, 2, 77), Ip(10, 0, 2, 77)); }, Want::kNothing, {},
                MartianKind::kSource},
        CaseRow{"c43_proxy_sip_other_segment_rp0", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Uc(kH2, Ip(10, 0, 2, 50)); }, Want::kReply, ArpReplyKind::kProxy},
        CaseRow{"c43_proxy_sip_own_address", Set("net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Uc(kH2, kR1); }, Want::kNothing, {}, MartianKind::kSource,
                "local_source"},
        CaseRow{"c44_proxy_rp1_martian",
                Set2("net.ipv4.conf.eth1.proxy_arp=1", "net.ipv4.conf.eth1.rp_filter=1"),
                [] { return Uc(kH2, Ip(10, 0, 2, 50)); }, Want::kNothing, {},
                MartianKind::kSource, "rp_filter_strict"},
        // Static proxy entries (pneigh_lookup in arp_process).
        CaseRow{"c45_pneigh_ingress_dev_unicast_now", Pneigh({{kH2, kEth1}}), [] { return Uc(kH2); },
                Want::kReply, ArpReplyKind::kPneigh, MartianKind::kNone, "pneigh_reply"},
        CaseRow{"c45_pneigh_broadcast_is_queued", Pneigh({{kH2, kEth1}}), [] { return Ask(kH2); },
                Want::kQueue, ArpReplyKind::kPneigh, MartianKind::kNone, "pneigh_delayed"},
        CaseRow{"c45_pneigh_delay0_now", PneighAnd({{kH2, kEth1}}, "net.ipv4.neigh.eth1.proxy_delay=0"),
                [] { return Ask(kH2); }, Want::kReply, ArpReplyKind::kPneigh, MartianKind::kNone,
                "pneigh_reply"},
        CaseRow{"c45_pneigh_without_device", Pneigh({{kH2, 0}}), [] { return Uc(kH2); }, Want::kReply,
                ArpReplyKind::kPneigh},
        CaseRow{"c45_pneigh_on_other_device", Pneigh({{kH2, kEth2}}), [] { return Uc(kH2); },
                Want::kNothing, {}, {}, "not_proxied"},
        CaseRow{"c45_pneigh_other_address", Pneigh({{Ip(10, 0, 2, 11), kEth1}}), [] { return Uc(kH2); },
                Want::kNothing, {}, {}, "not_proxied"},
        CaseRow{"c45_pneigh_garp_answered", Pneigh({{Ip(10, 0, 2, 77), kEth1}}),
                [] { return Uc(Ip(10, 0, 2, 77), Ip(10, 0, 2, 77)); }, Want::kReply, ArpReplyKind::kPneigh},
        CaseRow{"c45_pneigh_route_back_to_ingress", Pneigh({{kSame, kEth1}}), [] { return Uc(kSame); },
                Want::kNothing, {}, {}, "route_back_to_ingress"},
        // With proxy_arp_pvlan the route back out eth1 passes, pvlan says no to a
        // gratuitous request, and the entry is not used back out the ingress device.
        CaseRow{"c45_pneigh_never_back_out_ingress",
                PneighAnd({{kSame, kEth1}, {kSame, 0}}, "net.ipv4.conf.eth1.proxy_arp_pvlan=1"),
                [] { return Uc(kSame, kSame); }, Want::kNothing, {}, {}, "not_proxied"},
        CaseRow{"c45_pneigh_forwarding_off", PneighAnd({{kH2, kEth1}}, "net.ipv4.conf.eth1.forwarding=0"),
                [] { return Uc(kH2); }, Want::kNothing, {}, {}, "forwarding_off"},
        CaseRow{"c45_pneigh_no_route", Pneigh({{Ip(8, 8, 8, 8), kEth1}}), [] { return Uc(Ip(8, 8, 8, 8)); },
                Want::kNothing, {}, {}, "no_route"},
        CaseRow{"c45_pneigh_default_route",
                [](Topo& t) {
                  t.state.ReplaceProxyEntries({{Ip(8, 8, 8, 8), kEth1}});
                  DefaultVia2(t);
                },
                [] { return Uc(Ip(8, 8, 8, 8)); }, Want::kReply, ArpReplyKind::kPneigh},
        CaseRow{"c45_pneigh_proxy_arp_comes_first", PneighAnd({{kH2, kEth1}}, "net.ipv4.conf.eth1.proxy_arp=1"),
                [] { return Uc(kH2); }, Want::kReply, ArpReplyKind::kProxy, MartianKind::kNone, "proxy_reply"},
        CaseRow{"c45_pneigh_medium_id_irrelevant",
                PneighAnd({{kH2, kEth1}}, "net.ipv4.conf.eth1.medium_id=-1"), [] { return Uc(kH2); },
                Want::kReply, ArpReplyKind::kPneigh},
        CaseRow{"c45_pneigh_probe_never_proxied", Pneigh({{kH2, kEth1}}), [] { return Dad(kH2); },
                Want::kNothing, {}, {}, "arp_dad_not_local"},
        CaseRow{"c45_pneigh_rp1_martian", PneighAnd({{kH2, kEth1}}, "net.ipv4.conf.eth1.rp_filter=1"),
                [] { return Uc(kH2, Ip(10, 0, 2, 50)); }, Want::kNothing, {}, MartianKind::kSource,
                "rp_filter_strict"},
        CaseRow{"c51_drop_gratuitous_arp", Set("net.ipv4.conf.eth1.drop_gratuitous_arp=1"),
                [] { return Ask(Ip(10, 0, 1, 77), Ip(10, 0, 1, 77)); }, Want::kNothing, {}, {},
                "arp_gratuitous_dropped"},
        CaseRow{"c52_multicast_route_martian_destination",
                [](Topo& t) {
                  t.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
                  t.AddTyped(Ip(10, 0, 11, 0), 24, RouteType::kMulticast, kEth2);
                },
                [] { return Uc(Ip(10, 0, 11, 5)); }, Want::kNothing, {},
                MartianKind::kDestination},
        CaseRow{"c52_anycast_route_martian_destination",
                [](Topo& t) {
                  t.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
                  t.AddTyped(Ip(10, 0, 12, 0), 24, RouteType::kAnycast, kEth2);
                },
                [] { return Uc(Ip(10, 0, 12, 5)); }, Want::kNothing, {},
                MartianKind::kDestination}),
    [](const ::testing::TestParamInfo<CaseRow>& i) { return std::string(i.param.name); });

TEST(ArpDecideTest, ReplyFieldsFollowTheRequestSha) {
  // Case 14: an ARP sha unlike the Ethernet source; the reply goes to the ARP sha.
  Topo t;
  BuildT1(t);
  ArpInput in = Ask(kR1);
  in.packet.sha = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, in);
  ASSERT_EQ(d.action, ArpAction::kReply);
  EXPECT_EQ(d.reply.eth_dst, in.packet.sha);
  EXPECT_EQ(d.reply.tha, in.packet.sha);
  EXPECT_EQ(d.reply.eth_src, kEth1Mac);
  EXPECT_EQ(d.reply.sha, kEth1Mac);
  EXPECT_EQ(d.reply.spa, kR1);
  EXPECT_EQ(d.reply.tpa, kH1);
  EXPECT_TRUE(d.requester_neighbour_refreshed);
}

TEST(ArpDecideTest, DadReplyHasZeroTpaAndTouchesNoNeighbour) {
  Topo t;
  BuildT1(t);
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, Ask(kR1, 0));
  ASSERT_EQ(d.action, ArpAction::kReply);
  EXPECT_EQ(d.reply.tpa, 0u);
  EXPECT_EQ(d.reply.spa, kR1);
  EXPECT_FALSE(d.requester_neighbour_refreshed);
  EXPECT_FALSE(d.neighbour_update);
}

TEST(ArpDecideTest, MartianLoggedOnlyWithLogMartians) {
  Topo t;
  BuildT1(t);
  ArpDecision d = ArpDecide(t.state, t.store, t.flags, Ask(0));
  EXPECT_EQ(d.martian, MartianKind::kDestination);
  EXPECT_FALSE(d.log_martian);
  t.Sysctl("net.ipv4.conf.all.log_martians=1");  // OR with all
  d = ArpDecide(t.state, t.store, t.flags, Ask(0));
  EXPECT_TRUE(d.log_martian);
}

TEST(ArpDecideTest, RcvPrechecks) {
  Topo t;
  BuildT1(t);
  ArpInput in = Ask(kR1);
  in.packet.length = 27;
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, in).reason, "arp_truncated");
  in = Ask(kR1);
  in.packet.hln = 8;
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, in).reason, "arp_bad_address_length");
  in = Ask(kR1);
  in.packet.pln = 16;
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, in).reason, "arp_bad_address_length");
  in = Ask(kR1, kH1, PacketType::kLoopback);
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, in).reason, "arp_loopback");
  in = Ask(kR1);
  in.packet.pro = 0x86dd;
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, in).reason, "arp_bad_hardware_or_protocol");
  in = Ask(kR1);
  in.packet.op = 3;  // RARP
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, in).reason, "arp_bad_opcode");
  in = Ask(kR1);
  in.ifindex = 42;
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, in).reason, "arp_no_device");
}

TEST(ArpDecideTest, RepliesOnlyUpdateTheNeighbourTable) {
  Topo t;
  BuildT1(t);
  t.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
  ArpInput in = Uc(kH2);
  in.packet.op = kArpOpReply;
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, in);
  EXPECT_EQ(d.action, ArpAction::kIgnore);
  EXPECT_EQ(d.reason, "arp_reply_received");
  EXPECT_TRUE(d.neighbour_update);
}

TEST(ArpDecideTest, LocalTargetOnAdminDownInterfaceStillAnswered) {
  // Case 33: the local /32 survives admin down.
  Topo t;
  BuildT1(t);
  t.SetLinkFlags(kEth2, 0);
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Ask(kR2)).action, ArpAction::kReply);
}

TEST(ArpDecideTest, AddresslessIngress) {
  // Cases 31/32: a router port without addresses still answers for the host's
  // other addresses with rp_filter 0, and rejects with rp_filter 2.
  Topo t;
  testing::BuildT1(t);
  Topo bare;
  bare.AddLink(testing::kLo, "lo", {}, false);
  bare.AddLink(kEth1, "eth1", kEth1Mac, true);
  bare.AddLink(kEth2, "eth2", testing::kEth2Mac, true);
  bare.Sysctl("net.ipv4.conf.all.forwarding=1");
  bare.AddAddress(kEth2, kR2, 24);
  EXPECT_EQ(ArpDecide(bare.state, bare.store, bare.flags, Ask(kR2)).action, ArpAction::kReply);
  EXPECT_EQ(ArpDecide(bare.state, bare.store, bare.flags, Ask(kR2, 0)).kind, ArpReplyKind::kDad);
  bare.Sysctl("net.ipv4.conf.eth1.rp_filter=2");
  const ArpDecision d = ArpDecide(bare.state, bare.store, bare.flags, Ask(kR2, Ip(10, 0, 2, 50)));
  EXPECT_EQ(d.action, ArpAction::kIgnore);
  EXPECT_EQ(d.martian, MartianKind::kSource);
  EXPECT_EQ(d.reason, "rp_filter_no_address");
}

// §2.4.1 medium_id matrix (case 39): proxy_arp on eth1, unicast ask for H2 on eth2.
struct MediumRow {
  int32_t in, out;
  bool reply;
};
class MediumIdTest : public ::testing::TestWithParam<MediumRow> {};

TEST_P(MediumIdTest, Matrix) {
  const MediumRow& r = GetParam();
  Topo t;
  BuildT1(t);
  t.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
  t.Sysctl("net.ipv4.conf.all.medium_id=5");  // ignored: medium_id is device-only
  t.Sysctl("net.ipv4.conf.eth1.medium_id=" + std::to_string(r.in));
  t.Sysctl("net.ipv4.conf.eth2.medium_id=" + std::to_string(r.out));
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, Uc(kH2));
  EXPECT_EQ(d.action == ArpAction::kReply, r.reply) << "in " << r.in << " out " << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Section2_4_1, MediumIdTest,
    ::testing::Values(MediumRow{0, 0, true}, MediumRow{0, -1, true}, MediumRow{0, 2, true},
                      MediumRow{-1, 0, false}, MediumRow{-1, -1, false},
                      MediumRow{-1, 2, false}, MediumRow{1, 0, true}, MediumRow{1, -1, false},
                      MediumRow{1, 1, false}, MediumRow{1, 2, true}, MediumRow{2, 1, true}));

TEST(MediumIdTest, KernelDeviceAsEgressUsesItsReportedConf) {
  Topo t;
  BuildT1(t, /*eth2_is_port=*/false);
  t.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
  t.Sysctl("net.ipv4.conf.eth1.medium_id=1");
  t.SetKernelConf(kEth2, Knob::kMediumId, 1);
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Uc(kH2)).action, ArpAction::kIgnore);
  t.SetKernelConf(kEth2, Knob::kMediumId, 2);
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Uc(kH2)).action, ArpAction::kReply);
  // An egress device without IPv4 state counts as medium -1.
  Link l = *t.state.LinkByIndex(kEth2);
  l.has_inet_conf = false;
  t.state.UpsertLink(l);
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Uc(kH2)).action, ArpAction::kIgnore);
}

// §2.6 verified matrix: eth1 has 10.0.1.1/24 and 172.16.0.1/24, eth2 10.0.2.1/24
// and 10.9.9.9/32 scope host; requests arrive on eth1.
struct IgnoreRow {
  int mode;
  bool r_own, r_eth2, r_host, r_offsubnet, r_other_prefix, r_dad_own, r_dad_eth2;
};
class ArpIgnoreMatrixTest : public ::testing::TestWithParam<IgnoreRow> {};

TEST_P(ArpIgnoreMatrixTest, Matrix) {
  const IgnoreRow& r = GetParam();
  Topo t;
  BuildT1(t);
  t.AddAddress(kEth1, Ip(172, 16, 0, 1), 24);
  t.AddAddress(kEth2, Ip(10, 9, 9, 9), 32, kScopeHost);
  t.AddVia(0, 0, kEth2, kH2);  // so 192.168.9.9 passes the route check
  t.Sysctl("net.ipv4.conf.eth1.arp_ignore=" + std::to_string(r.mode));
  auto replied = [&](ArpInput in) {
    return ArpDecide(t.state, t.store, t.flags, in).action == ArpAction::kReply;
  };
  EXPECT_EQ(replied(Ask(kR1)), r.r_own) << "tip 10.0.1.1";
  EXPECT_EQ(replied(Ask(kR2)), r.r_eth2) << "tip 10.0.2.1";
  EXPECT_EQ(replied(Ask(Ip(10, 9, 9, 9))), r.r_host) << "tip 10.9.9.9";
  EXPECT_EQ(replied(Ask(kR1, Ip(192, 168, 9, 9))), r.r_offsubnet) << "sip 192.168.9.9";
  EXPECT_EQ(replied(Ask(kR1, Ip(172, 16, 0, 5))), r.r_other_prefix) << "sip 172.16.0.5";
  EXPECT_EQ(replied(Ask(kR1, 0)), r.r_dad_own) << "DAD 10.0.1.1";
  EXPECT_EQ(replied(Ask(kR2, 0)), r.r_dad_eth2) << "DAD 10.0.2.1";
}

INSTANTIATE_TEST_SUITE_P(
    Section2_6, ArpIgnoreMatrixTest,
    ::testing::Values(IgnoreRow{0, true, true, true, true, true, true, true},
                      IgnoreRow{1, true, false, false, true, true, true, false},
                      IgnoreRow{2, true, false, false, false, false, true, false},
                      IgnoreRow{3, true, true, false, true, true, true, true},
                      IgnoreRow{8, false, false, false, false, false, false, false}));

TEST(ArpIgnoreTest, Case6HostScopeWithRouteLocalnetCountsAsLink) {
  Topo t;
  BuildT1(t);
  t.AddAddress(kEth2, Ip(10, 9, 9, 9), 32, kScopeHost);
  t.Sysctl("net.ipv4.conf.eth1.arp_ignore=3");
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Ask(Ip(10, 9, 9, 9))).action,
            ArpAction::kIgnore);
  t.Sysctl("net.ipv4.conf.eth2.route_localnet=1");
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Ask(Ip(10, 9, 9, 9))).action,
            ArpAction::kReply);
}

TEST(ArpIgnoreTest, PeerAddressPrefixExcludesLocalForModes1And2) {
  // §2.6 edge [S]: `ip addr add 10.0.1.1 peer 10.0.7.7/32` — the prefix does not
  // contain the local address, so modes 1/2 refuse unless another prefix does.
  Topo t;
  BuildT1(t);
  t.AddAddress(kEth1, Ip(10, 0, 5, 1), 32, kScopeUniverse, Ip(10, 0, 7, 7));
  t.Sysctl("net.ipv4.conf.eth1.arp_ignore=1");
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Ask(Ip(10, 0, 5, 1))).action,
            ArpAction::kIgnore);
  t.Sysctl("net.ipv4.conf.eth1.arp_ignore=0");
  EXPECT_EQ(ArpDecide(t.state, t.store, t.flags, Ask(Ip(10, 0, 5, 1))).action,
            ArpAction::kReply);
}

}  // namespace
}  // namespace pvland::ipv4
