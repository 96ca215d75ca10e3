// Port security (docs/port-security.md): the effective-MAC state machine, the from-port
// admission table, the FDB's per-port learning limit, and the whole pipeline with the
// policies set: what is dropped, under which reason, and what a promiscuous port sees.
#include "daemon/bridge/port_security.h"

#include <gtest/gtest.h>

#include "tests/unit/daemon/switch_fixture.h"

namespace pvland {
namespace {

const MacAddr kInitial = {0x02, 0, 0, 0, 0x11, 0x01};
const MacAddr kOther = {0x02, 0, 0, 0, 0x11, 0x99};

EndpointReading Guest(const MacAddr& mac, bool promisc = false) { return {mac, promisc, "eth0 in netns id 1"}; }

// ---- ResolvePortSecurity ----------------------------------------------------------

TEST(ResolvePortSecurity, FirstReadingIsTheInitialMac) {
  PortSecurityState st;
  ResolvePortSecurity("p1", {}, Guest(kInitial), st);
  EXPECT_TRUE(st.known);
  EXPECT_EQ(st.initial, kInitial);
  EXPECT_EQ(st.effective, kInitial);
  EXPECT_FALSE(st.rx_blocked);
  EXPECT_EQ(st.endpoint, "eth0 in netns id 1");
}

TEST(ResolvePortSecurity, AcceptHonoursTheGuestsNewMac) {
  PortSecurityState st;
  ResolvePortSecurity("p1", {}, Guest(kInitial), st);
  const auto events = ResolvePortSecurity("p1", {}, Guest(kOther), st);
  EXPECT_EQ(st.initial, kInitial) << "the initial MAC never follows the guest";
  EXPECT_EQ(st.effective, kOther);
  EXPECT_FALSE(st.rx_blocked);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("effective MAC now 02:00:00:00:11:99"), std::string::npos) << events[0];
}

TEST(ResolvePortSecurity, RejectKeepsTheInitialMacAndBlocksUntilTheGuestRevertsIt) {
  PortSecurityConfig cfg;
  cfg.mac_changes = SecurityPolicy::kReject;
  PortSecurityState st;
  ResolvePortSecurity("p1", cfg, Guest(kInitial), st);
  auto events = ResolvePortSecurity("p1", cfg, Guest(kOther), st);
  EXPECT_EQ(st.effective, kInitial);
  EXPECT_EQ(st.requested, kOther);
  EXPECT_TRUE(st.rx_blocked);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("not honoured (mac_changes reject)"), std::string::npos) << events[0];
  EXPECT_TRUE(ResolvePortSecurity("p1", cfg, Guest(kOther), st).empty()) << "logged once per change";
  events = ResolvePortSecurity("p1", cfg, Guest(kInitial), st);
  EXPECT_FALSE(st.rx_blocked);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("delivery resumes"), std::string::npos) << events[0];
}

TEST(ResolvePortSecurity, SwitchingToAcceptLiftsTheBlockWithoutANewReading) {
  PortSecurityConfig cfg;
  cfg.mac_changes = SecurityPolicy::kReject;
  PortSecurityState st;
  ResolvePortSecurity("p1", cfg, Guest(kInitial), st);
  ResolvePortSecurity("p1", cfg, Guest(kOther), st);
  ASSERT_TRUE(st.rx_blocked);
  cfg.mac_changes = SecurityPolicy::kAccept;
  ResolvePortSecurity("p1", cfg, std::nullopt, st);
  EXPECT_FALSE(st.rx_blocked);
  EXPECT_EQ(st.effective, kOther);
}

TEST(ResolvePortSecurity, InitialMacSettingOverridesTheEndpoint) {
  PortSecurityConfig cfg;
  cfg.mac_changes = SecurityPolicy::kReject;
  cfg.initial_mac = kOther;
  PortSecurityState st;
  ResolvePortSecurity("p1", cfg, Guest(kInitial), st);
  EXPECT_EQ(st.initial, kOther);
  EXPECT_TRUE(st.rx_blocked) << "the guest's MAC differs from the configured one";
}

TEST(ResolvePortSecurity, WithoutAnEndpointTheInitialMacSettingIsAlsoTheGuests) {
  PortSecurityConfig cfg;
  cfg.initial_mac = kOther;
  PortSecurityState st;
  ResolvePortSecurity("p1", cfg, std::nullopt, st);
  EXPECT_TRUE(st.known);
  EXPECT_EQ(st.effective, kOther);
  EXPECT_FALSE(st.rx_blocked);
}

TEST(ResolvePortSecurity, NothingKnownWithoutEndpointOrSetting) {
  PortSecurityState st;
  EXPECT_TRUE(ResolvePortSecurity("p1", {}, std::nullopt, st).empty());
  EXPECT_FALSE(st.known);
}

TEST(ResolvePortSecurity, PromiscuousModeNeedsBothTheGuestAndThePolicy) {
  PortSecurityConfig cfg;  // promiscuous reject
  PortSecurityState st;
  auto events = ResolvePortSecurity("p3", cfg, Guest(kInitial, true), st);
  EXPECT_TRUE(st.guest_promisc);
  EXPECT_FALSE(st.promisc_copies);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("refused by policy"), std::string::npos) << events[0];
  EXPECT_TRUE(ResolvePortSecurity("p3", cfg, Guest(kInitial, true), st).empty()) << "refusal logged once";
  cfg.promiscuous = SecurityPolicy::kAccept;
  ResolvePortSecurity("p3", cfg, std::nullopt, st);
  EXPECT_TRUE(st.promisc_copies);
  ResolvePortSecurity("p3", cfg, Guest(kInitial, false), st);
  EXPECT_FALSE(st.promisc_copies) << "the guest left promiscuous mode";
}

// ---- AdmitSource ------------------------------------------------------------------

TEST(AdmitSource, DefaultsAdmitEverything) {
  PortSecurityState st;
  st.known = true;
  EXPECT_EQ(AdmitSource({}, st, SourceFacts{}), Admission::kAdmit);
}

TEST(AdmitSource, ForgedTransmitsRejectComparesWithTheEffectiveMac) {
  PortSecurityConfig cfg;
  cfg.forged_transmits = SecurityPolicy::kReject;
  PortSecurityState st;
  st.known = true;
  EXPECT_EQ(AdmitSource(cfg, st, {.is_effective = true}), Admission::kAdmit);
  EXPECT_EQ(AdmitSource(cfg, st, {.is_effective = false}), Admission::kForged);
  st.known = false;
  EXPECT_EQ(AdmitSource(cfg, st, {}), Admission::kAdmit) << "no effective MAC: nothing to compare with";
}

TEST(AdmitSource, MacLearningReplacesTheForgedCheck) {
  PortSecurityConfig cfg;
  cfg.forged_transmits = SecurityPolicy::kReject;
  cfg.mac_learning = true;
  PortSecurityState st;
  st.known = true;
  EXPECT_EQ(AdmitSource(cfg, st, {}), Admission::kAdmit) << "a new MAC under the limit is learned";
  EXPECT_EQ(AdmitSource(cfg, st, {.learned_here = true, .at_limit = true}), Admission::kAdmit);
  EXPECT_EQ(AdmitSource(cfg, st, {.is_effective = true, .at_limit = true}), Admission::kAdmit);
  EXPECT_EQ(AdmitSource(cfg, st, {.owned_elsewhere = true}), Admission::kMacConflict);
  EXPECT_EQ(AdmitSource(cfg, st, {.at_limit = true}), Admission::kAdmitUnlearned) << "limit policy allow";
  cfg.mac_limit_policy = MacLimitPolicy::kDrop;
  EXPECT_EQ(AdmitSource(cfg, st, {.at_limit = true}), Admission::kMacLimit);
}

// ---- the FDB's per-port limit -----------------------------------------------------

TEST(FdbLearnLimit, CountedEntriesStopAtTheLimitAndFreeTheirSlotWhenGone) {
  Fdb fdb;
  const LearnLimit two{2, true};
  for (int i = 1; i <= 3; ++i) fdb.Learn(1, 1, HostMac(i).data(), 5, 0, two);
  EXPECT_EQ(fdb.CountOf(5), 2u);
  EXPECT_EQ(fdb.Lookup(1, HostMac(3).data()), nullptr) << "the third MAC was not learned";
  fdb.Learn(1, 1, HostMac(9).data(), 5, 0, LearnLimit{2, false});
  EXPECT_NE(fdb.Lookup(1, HostMac(9).data()), nullptr) << "the port's own MAC does not count";
  EXPECT_TRUE(fdb.Remove(1, HostMac(1)));
  EXPECT_EQ(fdb.CountOf(5), 1u);
  fdb.Learn(1, 1, HostMac(3).data(), 5, 0, two);
  EXPECT_NE(fdb.Lookup(1, HostMac(3).data()), nullptr);
  EXPECT_EQ(fdb.Age(10 * kNsPerSec, kNsPerSec), 3u);
  EXPECT_EQ(fdb.CountOf(5), 0u) << "aged entries give their slots back";
}

TEST(FdbLearnLimit, AMoveIntoAFullPortIsRefusedAndAMoveOutFreesTheSlot) {
  Fdb fdb;
  fdb.Learn(1, 1, HostMac(1).data(), 5, 0, LearnLimit{1, true});
  fdb.Learn(1, 1, HostMac(2).data(), 6, 0);
  fdb.Learn(1, 1, HostMac(2).data(), 5, 0, LearnLimit{1, true});
  EXPECT_EQ(fdb.Lookup(1, HostMac(2).data())->port, 6) << "port 5 is full";
  fdb.Learn(1, 1, HostMac(1).data(), 6, 0);
  EXPECT_EQ(fdb.CountOf(5), 0u);
  fdb.AddStatic(1, 1, HostMac(7), 5);
  EXPECT_EQ(fdb.CountOf(5), 0u) << "static entries never count";
}

// ---- through the pipeline ---------------------------------------------------------

class PortSecurityPipelineTest : public SwitchFixture {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 4; ++i) {
      const std::string name = "p" + std::to_string(i);
      Access(name, 10);
      Endpoint(name, HostMac(i));
    }
    Access("q", 20);
    Endpoint("q", HostMac(20));
  }
  SwitchPort& Port(const std::string& name) { return *bridge_.port(index_[name]); }
  // The guest behind `name` now has `mac` (promiscuous or not), as the dataplane would read it.
  void Endpoint(const std::string& name, const MacAddr& mac, bool promisc = false) {
    SwitchPort& p = Port(name);
    ResolvePortSecurity(p.name, p.cfg.security, EndpointReading{mac, promisc, "test"}, p.security);
    bridge_.RefreshSecurityIndex();
  }
  void Configure(const std::string& name, const std::function<void(PortSecurityConfig&)>& f) {
    SwitchPort& p = Port(name);
    f(p.cfg.security);
    ResolvePortSecurity(p.name, p.cfg.security, std::nullopt, p.security);
    bridge_.RefreshSecurityIndex();
  }
  size_t SentBy(const std::string& name) { return fakes_[name]->sent.size(); }
};

TEST_F(PortSecurityPipelineTest, ForgedTransmitsRejectDropsOtherSourcesBeforeLearning) {
  Configure("p1", [](PortSecurityConfig& s) { s.forged_transmits = SecurityPolicy::kReject; });
  const MacAddr forged = {0x02, 0, 0, 0, 0xaa, 0xaa};
  Send("p1", MakeFrame(HostMac(2), forged));
  EXPECT_TRUE(Receivers().empty());
  EXPECT_EQ(Drops("p1", DropReason::kForgedTransmit), 1u);
  EXPECT_EQ(bridge_.fdb().Lookup(10, forged.data()), nullptr) << "a refused source is never learned";
  Send("p1", MakeFrame(HostMac(2), HostMac(1)));
  EXPECT_EQ(Receivers(), std::set<std::string>({"p2", "p3", "p4"})) << "its own MAC floods as usual";
}

TEST_F(PortSecurityPipelineTest, ForgedTransmitsAcceptIsTheLinuxBridge) {
  const MacAddr forged = {0x02, 0, 0, 0, 0xaa, 0xaa};
  Send("p1", MakeFrame(HostMac(2), forged));
  EXPECT_EQ(Receivers(), std::set<std::string>({"p2", "p3", "p4"}));
  EXPECT_NE(bridge_.fdb().Lookup(10, forged.data()), nullptr);
}

TEST_F(PortSecurityPipelineTest, MacChangeRejectBlocksEveryClassToThePort) {
  Configure("p1", [](PortSecurityConfig& s) { s.mac_changes = SecurityPolicy::kReject; });
  const MacAddr changed = {0x02, 0, 0, 0, 0x11, 0x11};
  Endpoint("p1", changed);
  ASSERT_TRUE(Port("p1").security.rx_blocked);
  const MacAddr kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  Send("p2", MakeFrame(kBroadcast, HostMac(2)));
  Send("p2", MakeFrame(changed, HostMac(2)));
  Send("p2", MakeFrame(HostMac(1), HostMac(2)));
  EXPECT_EQ(SentBy("p1"), 0u);
  EXPECT_EQ(Drops("p1", DropReason::kMacChangeBlocked), 3u);
  // Transmitting is forged_transmits' business, not mac_changes': p1 may still send.
  Send("p1", MakeFrame(HostMac(2), changed));
  EXPECT_EQ(SentBy("p2"), 1u);
  Endpoint("p1", HostMac(1));
  ClearSent();
  Send("p2", MakeFrame(kBroadcast, HostMac(2)));
  EXPECT_EQ(SentBy("p1"), 1u) << "the guest took its initial MAC back";
}

TEST_F(PortSecurityPipelineTest, MacChangeAcceptMovesTheForgedCheckToTheNewMac) {
  Configure("p1", [](PortSecurityConfig& s) { s.forged_transmits = SecurityPolicy::kReject; });
  const MacAddr changed = {0x02, 0, 0, 0, 0x11, 0x11};
  Endpoint("p1", changed);
  Send("p1", MakeFrame(HostMac(2), changed));
  EXPECT_EQ(SentBy("p2"), 1u);
  Send("p1", MakeFrame(HostMac(2), HostMac(1)));
  EXPECT_EQ(Drops("p1", DropReason::kForgedTransmit), 1u) << "the old MAC is now forged";
}

TEST_F(PortSecurityPipelineTest, PromiscuousPortSeesKnownUnicastOfItsVlanOnly) {
  Configure("p3", [](PortSecurityConfig& s) { s.promiscuous = SecurityPolicy::kAccept; });
  Endpoint("p3", HostMac(3), /*promisc=*/true);
  for (const char* n : {"p1", "p2", "q"}) Send(n, MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(n[0] == 'q' ? 20 : n[1] - '0')));
  ClearSent();
  Send("p1", MakeFrame(HostMac(2), HostMac(1)));
  Send("p2", MakeFrame(HostMac(1), HostMac(2)));
  EXPECT_EQ(SentBy("p3"), 2u) << "both directions of p1 <-> p2";
  EXPECT_EQ(SentBy("p4"), 0u) << "p4 is not promiscuous";
  Send("p3", MakeFrame(HostMac(1), HostMac(3)));
  EXPECT_EQ(SentBy("p3"), 2u) << "never its own frames";
  Send("q", MakeFrame(HostMac(20), HostMac(20)));
  EXPECT_EQ(SentBy("p3"), 2u) << "nothing from VLAN 20";
}

TEST_F(PortSecurityPipelineTest, PromiscuousRejectIgnoresTheGuestsRequest) {
  Endpoint("p3", HostMac(3), /*promisc=*/true);
  Send("p1", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(1)));
  Send("p2", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(2)));
  ClearSent();
  Send("p1", MakeFrame(HostMac(2), HostMac(1)));
  EXPECT_EQ(SentBy("p3"), 0u);
}

TEST_F(PortSecurityPipelineTest, MacLimitDropCountsEachRefusedFrameEvenWithinOneBatch) {
  Configure("p2", [](PortSecurityConfig& s) {
    s.mac_learning = true;
    s.mac_limit = 1;
    s.mac_limit_policy = MacLimitPolicy::kDrop;
  });
  std::vector<Frame> frames;
  frames.push_back(MakeFrame(HostMac(1), HostMac(2)));  // its own MAC: never counted
  for (int i = 0; i < 3; ++i) frames.push_back(MakeFrame(HostMac(1), {0x02, 0, 0, 0, 0x99, static_cast<uint8_t>(i)}));
  SendBatch("p2", frames);
  EXPECT_EQ(bridge_.fdb().CountOf(index_["p2"]), 1u);
  EXPECT_EQ(Drops("p2", DropReason::kMacLimit), 2u);
  EXPECT_NE(bridge_.fdb().Lookup(10, MacAddr{0x02, 0, 0, 0, 0x99, 0}.data()), nullptr);
}

TEST_F(PortSecurityPipelineTest, MacLimitAllowForwardsWithoutLearning) {
  Configure("p2", [](PortSecurityConfig& s) {
    s.mac_learning = true;
    s.mac_limit = 1;
  });
  const MacAddr a = {0x02, 0, 0, 0, 0x99, 1}, b = {0x02, 0, 0, 0, 0x99, 2};
  Send("p2", MakeFrame(HostMac(1), a));
  Send("p2", MakeFrame(HostMac(1), b));
  EXPECT_EQ(SentBy("p1"), 2u);
  EXPECT_EQ(bridge_.fdb().Lookup(10, b.data()), nullptr);
  EXPECT_EQ(Port("p2").security.mac_not_learned_allowed, 1u);
}

TEST_F(PortSecurityPipelineTest, MacLearningRefusesAnotherPortsMac) {
  Configure("p2", [](PortSecurityConfig& s) { s.mac_learning = true; });
  Send("p2", MakeFrame(HostMac(4), HostMac(1)));
  EXPECT_EQ(Drops("p2", DropReason::kMacConflict), 1u);
  EXPECT_EQ(SentBy("p4"), 0u);
}

TEST_F(PortSecurityPipelineTest, MacAgingAppliesToTheLearningPortOnly) {
  Configure("p2", [](PortSecurityConfig& s) {
    s.mac_learning = true;
    s.mac_aging_s = 5;
  });
  const MacAddr inner = {0x02, 0, 0, 0, 0x99, 1};
  Send("p2", MakeFrame(HostMac(1), inner));
  Send("p3", MakeFrame(HostMac(1), HostMac(3)));
  clock_.Advance(6 * kNsPerSec);
  bridge_.AgeFdb(clock_.Now());
  EXPECT_EQ(bridge_.fdb().Lookup(10, inner.data()), nullptr);
  EXPECT_NE(bridge_.fdb().Lookup(10, HostMac(3).data()), nullptr) << "p3 ages at the bridge's 300 s";
}

}  // namespace
}  // namespace pvland
