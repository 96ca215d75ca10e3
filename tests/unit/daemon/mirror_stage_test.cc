// Mirror taps in the pipeline: egress copies of what a source port's host sends (taken
// before the FDB, after the checks that may drop it) and ingress copies of what the
// switch sends it, each the frame as on that port's wire, at most one copy per frame,
// port and direction, and none of a frame the switch dropped before the tap.
#include "daemon/pipeline/mirror_stage.h"

#include <gtest/gtest.h>

#include "daemon/packet/wire_frames.h"
#include "tests/unit/daemon/switch_fixture.h"
#include "tests/unit/mirror/frames.h"

namespace pvland {
namespace {

using mirror::testing::BuildFrame;
using mirror::testing::FrameSpec;

// A copy as the sender gets it: which session, and the inner frame's bytes.
struct Taken {
  std::string session;
  Frame bytes;
};

class MirrorStageTest : public SwitchFixture {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 3; ++i) {
      Access("p" + std::to_string(i), 1);
      bridge_.fdb().AddStatic(1, 1, HostMac(i), index_["p" + std::to_string(i)]);
    }
  }
  // A session on `port` with one accept-everything rule (or none).
  void AddSession(const std::string& name, const std::string& port, uint8_t dirs = kMirrorBoth, bool rule = true,
               std::optional<uint16_t> number = std::nullopt) {
    mirror::SessionSpec s;
    s.name = name;
    s.source = index_[port];
    s.dirs = dirs;
    s.target = 0xc0000209;
    s.number = number;
    ASSERT_TRUE(bridge_.mirror().Add(s).ok());
    if (rule) {
      ASSERT_TRUE(bridge_.mirror().AddRule(name, mirror::Rule{.number = 10}).ok());
    }
  }
  // Runs what `port` received (injected before) and returns the copies of the run.
  std::vector<Taken> RunTaken(const std::string& port, PacketBatch* given = nullptr) {
    PacketBatch own;
    PacketBatch& batch = given != nullptr ? *given : own;
    if (given == nullptr) fakes_[port]->Receive(batch);
    std::vector<Taken> out;
    ports_.Run(pipeline_, port, batch, clock_.Now(), [&] {
      for (const mirror::Copy& c : pipeline_.mirror_copies()) {
        Taken t{bridge_.mirror().at(c.session)->name, {}};
        AppendTxBytes(c.item, t.bytes);
        out.push_back(std::move(t));
      }
    });
    return out;
  }
  // t1, a trunk carrying VLAN 10, and a10, an access port of VLAN 10 where host 1 is.
  void TrunkAndAccessPort() {
    PortConfig trunk;
    trunk.mode = PortMode::kTrunk;
    trunk.allowed = *ParseVlanSet("10");
    AddPort("t1", trunk);
    Access("a10", 10);
    bridge_.fdb().AddStatic(10, 10, HostMac(1), index_["a10"]);
  }
  std::vector<Taken> SendTaken(const std::string& port, Frame f) {
    fakes_[port]->Inject(std::move(f));
    return RunTaken(port);
  }
  static Frame Udp(int from, int to, int vid = 0) {
    return BuildFrame(FrameSpec{.src4 = {10, 0, 0, static_cast<uint8_t>(from)},
                                .dst4 = {10, 0, 0, static_cast<uint8_t>(to)},
                                .vid = vid,
                                .src_mac = static_cast<uint8_t>(from),
                                .dst_mac = static_cast<uint8_t>(to)});
  }
};

TEST_F(MirrorStageTest, NoSessionNoCopy) {
  EXPECT_TRUE(SendTaken("p1", Udp(1, 2)).empty());
  EXPECT_EQ(fakes_["p2"]->sent.size(), 1u);
}

TEST_F(MirrorStageTest, EgressIsWhatTheSourcesHostSendsAsItSentIt) {
  AddSession("s1", "p1", kMirrorEgress);
  const Frame f = Udp(1, 2);
  auto taken = SendTaken("p1", f);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].session, "s1");
  EXPECT_EQ(taken[0].bytes, f);
  EXPECT_EQ(fakes_["p2"]->sent.size(), 1u) << "the frame itself is forwarded as always";
  EXPECT_TRUE(SendTaken("p2", Udp(2, 1)).empty()) << "egress only: not what p1 receives";
  EXPECT_TRUE(SendTaken("p3", Udp(3, 2)).empty()) << "other ports are not sources";
}

TEST_F(MirrorStageTest, IngressIsWhatTheSwitchSendsTheSource) {
  AddSession("s1", "p1", kMirrorIngress);
  EXPECT_TRUE(SendTaken("p1", Udp(1, 2)).empty());
  const Frame f = Udp(2, 1);
  auto taken = SendTaken("p2", f);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].session, "s1");
  EXPECT_EQ(taken[0].bytes, f);
  ASSERT_EQ(fakes_["p1"]->sent.size(), 1u);
  EXPECT_EQ(fakes_["p1"]->sent[0], taken[0].bytes) << "the copy is what went on p1's wire";
}

TEST_F(MirrorStageTest, BothDirectionsAndBothEndsOfOneFrame) {
  AddSession("a", "p1");
  AddSession("b", "p2");
  auto taken = SendTaken("p1", Udp(1, 2));
  ASSERT_EQ(taken.size(), 2u) << "egress of p1 and ingress of p2: each port is its own source";
  EXPECT_EQ(taken[0].session, "a");
  EXPECT_EQ(taken[1].session, "b");
  taken = SendTaken("p2", Udp(2, 1));
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].session, "b");
  EXPECT_EQ(taken[1].session, "a");
}

TEST_F(MirrorStageTest, OneCopyPerFrameWhateverTheNumberOfSessions) {
  AddSession("second", "p1", kMirrorBoth, true, 2);
  AddSession("first", "p1", kMirrorBoth, true, 1);
  auto taken = SendTaken("p1", Udp(1, 2));
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].session, "first");
  // A broadcast reaches p1 once: one ingress copy.
  Frame bc = Udp(2, 1);
  std::fill(bc.begin(), bc.begin() + 6, 0xff);
  taken = SendTaken("p2", bc);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].session, "first");
  EXPECT_EQ(bridge_.mirror().Find("second")->rules[0].hits, 0u);
}

TEST_F(MirrorStageTest, ASessionWithoutRulesMirrorsNothing) {
  AddSession("s1", "p1", kMirrorBoth, /*rule=*/false);
  EXPECT_TRUE(SendTaken("p1", Udp(1, 2)).empty());
  EXPECT_TRUE(SendTaken("p2", Udp(2, 1)).empty());
}

TEST_F(MirrorStageTest, ArpIsNeverMirrored) {
  AddSession("s1", "p1");
  EXPECT_TRUE(SendTaken("p1", BuildFrame(FrameSpec{.arp = true, .src_mac = 1, .dst_mac = 2})).empty());
  EXPECT_EQ(fakes_["p2"]->sent.size(), 1u);
}

TEST_F(MirrorStageTest, AFrameDroppedBeforeTheTapIsNeverMirrored) {
  SwitchPort& p1 = *bridge_.port(index_["p1"]);
  p1.cfg.security.forged_transmits = SecurityPolicy::kReject;
  ResolvePortSecurity(p1.name, p1.cfg.security, EndpointReading{HostMac(1), false, "test"}, p1.security);
  bridge_.RefreshSecurityIndex();
  AddSession("s1", "p1");
  Frame forged = Udp(1, 2);
  forged[11] = 0x99;  // source MAC 02:00:00:00:00:99
  EXPECT_TRUE(SendTaken("p1", forged).empty());
  EXPECT_EQ(Drops("p1", DropReason::kForgedTransmit), 1u);
  EXPECT_EQ(SendTaken("p1", Udp(1, 2)).size(), 1u) << "its own MAC passes and is mirrored";
}

TEST_F(MirrorStageTest, AFrameRefusedAtDeliveryHasNoIngressCopy) {
  AddSession("s1", "p1", kMirrorIngress);
  bridge_.port(index_["p1"])->state = PortState::kDown;
  EXPECT_TRUE(SendTaken("p2", Udp(2, 1)).empty());
}

TEST_F(MirrorStageTest, ATrunksCopiesCarryTheTagOfItsWire) {
  TrunkAndAccessPort();
  bridge_.fdb().AddStatic(10, 10, HostMac(2), index_["t1"]);
  AddSession("s1", "t1");
  // Egress: the tagged frame as it arrived, tag and priority bits included.
  Frame tagged = Udp(2, 1, 10);
  tagged[14] = 0xa0;  // PCP 5
  auto taken = SendTaken("t1", tagged);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].bytes, tagged);
  ASSERT_EQ(fakes_["a10"]->sent.size(), 1u);
  EXPECT_EQ(fakes_["a10"]->sent[0].size(), tagged.size() - 4) << "the access port gets it untagged";
  // Ingress: what t1's wire carries, the egress tag included.
  const Frame untagged = Udp(1, 2);
  taken = SendTaken("a10", untagged);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].bytes, Udp(1, 2, 10));
  ASSERT_EQ(fakes_["t1"]->sent.size(), 1u);
  EXPECT_EQ(fakes_["t1"]->sent[0], taken[0].bytes);
}

TEST_F(MirrorStageTest, ATagTheKernelStrippedIsPutBack) {
  TrunkAndAccessPort();
  AddSession("s1", "t1", kMirrorEgress);
  Frame stripped = Udp(2, 1);
  PacketBatch batch;
  Packet& p = batch.Append();
  p.frame = stripped.data();
  p.len = p.wire_len = static_cast<uint32_t>(stripped.size());
  p.aux_tag = true;
  p.aux_tci = 0x600a;  // PCP 3, VLAN 10
  auto taken = RunTaken("t1", &batch);
  ASSERT_EQ(taken.size(), 1u);
  Frame want = Udp(2, 1, 10);
  want[14] = 0x60;
  EXPECT_EQ(taken[0].bytes, want) << "the frame as it was on t1's wire";
}

TEST_F(MirrorStageTest, RulesJudgeEachFrameOfABatch) {
  AddSession("s1", "p1", kMirrorEgress, /*rule=*/false);
  mirror::Rule udp_to_2{.number = 1};
  udp_to_2.dst = *ParseIpPrefix("10.0.0.2/32", "dst");
  ASSERT_TRUE(bridge_.mirror().AddRule("s1", udp_to_2).ok());
  bridge_.fdb().AddStatic(1, 1, HostMac(9), index_["p2"]);
  for (int to : {2, 3, 2, 9}) fakes_["p1"]->Inject(Udp(1, to));
  auto taken = RunTaken("p1");
  EXPECT_EQ(taken.size(), 2u);
  EXPECT_EQ(bridge_.mirror().Find("s1")->rules[0].hits, 2u);
}

}  // namespace
}  // namespace pvland
