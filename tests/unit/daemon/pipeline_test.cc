// The whole pipeline over in-memory ports: the private-VLAN forwarding matrix for every
// frame class, egress tagging, and the drop reasons, checked on the frames that come out.
#include "daemon/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "daemon/pipeline/egress_filter.h"
#include "tests/unit/daemon/switch_fixture.h"

namespace pvland {
namespace {

// Primary VLAN 100 with isolated, two community VLANs and a trunk (docs/drop-reasons.md §3).
class PvlanMatrixTest : public SwitchFixture {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bridge_.vlans().Add(100, PvlanType::kPrimary, 0).ok());
    ASSERT_TRUE(bridge_.vlans().Add(101, PvlanType::kIsolated, 100).ok());
    ASSERT_TRUE(bridge_.vlans().Add(102, PvlanType::kCommunity, 100).ok());
    ASSERT_TRUE(bridge_.vlans().Add(103, PvlanType::kCommunity, 100).ok());
    Access("P1", 100);
    Access("I1", 101);
    Access("I2", 101);
    Access("A1", 102);
    Access("A2", 102);
    Access("B1", 103);
    PortConfig internal;
    internal.vlan = 100;
    AddPort("H", internal, PortKind::kInternal);
    PortConfig trunk;
    trunk.mode = PortMode::kTrunk;
    trunk.allowed = *ParseVlanSet("100-103");
    AddPort("T", trunk);
    // Every host announces itself so known-unicast lookups hit.
    int n = 1;
    for (const auto& [name, idx] : index_) {
      mac_[name] = HostMac(n++);
      const uint16_t vid = name == "T" ? 100 : bridge_.port(idx)->cfg.vlan;
      bridge_.fdb().AddStatic(100, vid, mac_[name], idx);
    }
  }
  std::map<std::string, MacAddr> mac_;
};

// Who may receive from whom (RFC 5517): the receiver sets of docs/drop-reasons.md §3.
const std::map<std::string, std::set<std::string>> kReach = {
    {"P1", {"I1", "I2", "A1", "A2", "B1", "H", "T"}},
    {"I1", {"P1", "H", "T"}},
    {"A1", {"P1", "A2", "H", "T"}},
    {"B1", {"P1", "H", "T"}},
    {"H", {"P1", "I1", "I2", "A1", "A2", "B1", "T"}},
};

TEST_F(PvlanMatrixTest, FloodsFollowTheMatrixForEveryClass) {
  const MacAddr kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const MacAddr kMulticast = {0x01, 0x00, 0x5e, 0x01, 0x01, 0x01};
  const MacAddr kUnknown = {0x02, 0xee, 0, 0, 0, 1};
  for (const auto& [src, reach] : kReach) {
    for (const MacAddr& dst : {kBroadcast, kMulticast, kUnknown}) {
      ClearSent();
      Send(src, MakeFrame(dst, mac_[src]));
      EXPECT_EQ(Receivers(), reach) << "from " << src << " to " << FormatMac(dst);
    }
  }
}

TEST_F(PvlanMatrixTest, KnownUnicastFollowsTheMatrix) {
  for (const auto& [src, reach] : kReach) {
    for (const auto& [dst, mac] : mac_) {
      if (dst == src) continue;
      ClearSent();
      Send(src, MakeFrame(mac, mac_[src]));
      const std::set<std::string> expected = reach.count(dst) ? std::set<std::string>{dst} : std::set<std::string>{};
      EXPECT_EQ(Receivers(), expected) << src << " -> " << dst;
    }
  }
  EXPECT_GT(Drops("I2", DropReason::kPvlanIsolation), 0u) << "refused copies count on the destination";
}

TEST_F(PvlanMatrixTest, TrunkTagsCarryTheSourceRole) {
  Send("I1", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, mac_["I1"]));
  ASSERT_EQ(fakes_["T"]->sent.size(), 1u);
  const Frame& out = fakes_["T"]->sent[0];
  EXPECT_EQ(out[12], 0x81);
  EXPECT_EQ(out[15], 101) << "isolated VLAN tag on the trunk";
  ASSERT_EQ(fakes_["P1"]->sent.size(), 1u);
  EXPECT_EQ(fakes_["P1"]->sent[0][12], 0x08) << "untagged on access ports";

  // A frame from the trunk tagged with the isolated VLAN is treated as from an isolated host.
  ClearSent();
  Send("T", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(77), 101));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"P1", "H"}));
  ClearSent();
  Send("T", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(78), 100));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"P1", "H", "I1", "I2", "A1", "A2", "B1"}));
  EXPECT_EQ(fakes_["I1"]->sent[0].size(), 60u) << "tag removed on the access port";
}

TEST_F(SwitchFixture, LinuxIsolatedFlagAndHairpin) {
  PortConfig iso;
  iso.isolated = true;
  AddPort("a", iso);
  AddPort("b", iso);
  Access("c", 1);
  Send("a", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(1)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"c"}));
  EXPECT_EQ(Drops("b", DropReason::kIsolatedPort), 1u);

  // Known unicast back to the port it came from: dropped unless hairpin is on.
  ClearSent();
  Send("c", MakeFrame(HostMac(1), HostMac(3)));  // learn HostMac(3) on c; HostMac(1) is on a
  Send("c", MakeFrame(HostMac(3), HostMac(9)));
  EXPECT_EQ(Drops("c", DropReason::kSamePort), 1u);
  bridge_.port(index_["c"])->cfg.hairpin = true;
  ClearSent();
  Send("c", MakeFrame(HostMac(3), HostMac(9)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"c"}));
}

TEST_F(SwitchFixture, FloodControlsLearningAndLinkLocal) {
  Access("a", 1);
  Access("b", 1);
  Access("c", 1);
  bridge_.port(index_["c"])->cfg.flood = false;
  Send("a", MakeFrame(HostMac(50), HostMac(1)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"b"})) << "c opted out of unknown-unicast floods";
  ClearSent();
  Send("a", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(1)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"b", "c"})) << "broadcast is a separate class";

  // Learned: b answers a, the reply is known unicast to a only.
  ClearSent();
  Send("b", MakeFrame(HostMac(1), HostMac(2)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"a"}));

  // Learning off on a: a's new address is never learned, so frames to it flood.
  bridge_.port(index_["a"])->cfg.learning = false;
  Send("a", MakeFrame(HostMac(2), HostMac(11)));
  ClearSent();
  Send("b", MakeFrame(HostMac(11), HostMac(2)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"a"})) << "flooded (c has flood off)";

  ClearSent();
  Send("a", MakeFrame({0x01, 0x80, 0xc2, 0, 0, 0}, HostMac(1)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{}));
  EXPECT_EQ(Drops("a", DropReason::kLinkLocalDst), 1u);
}

TEST_F(SwitchFixture, LearningInsideABatchIsSeenByLaterFramesOfTheBatch) {
  Access("a", 1);
  Access("b", 1);
  // X -> Y (Y unknown: flood to b), Y -> X from the same port (learns Y on a), then
  // X -> Y again: now known on the ingress port, so not forwarded.
  SendBatch("a", {MakeFrame(HostMac(2), HostMac(1)), MakeFrame(HostMac(1), HostMac(2)),
                  MakeFrame(HostMac(2), HostMac(1))});
  EXPECT_EQ(fakes_["b"]->sent.size(), 1u);
  EXPECT_EQ(Drops("a", DropReason::kSamePort), 2u);
  // A run of one flow: every frame forwarded, the address learned once.
  ClearSent();
  bridge_.fdb().AddStatic(1, 1, HostMac(9), index_["b"]);
  SendBatch("a", std::vector<Frame>(5, MakeFrame(HostMac(9), HostMac(1))));
  EXPECT_EQ(fakes_["b"]->sent.size(), 5u);
  EXPECT_EQ(bridge_.fdb().Lookup(1, HostMac(1).data())->port, index_["a"]);
}

TEST_F(SwitchFixture, DownPortsAndTransmitErrorsAreCounted) {
  Access("a", 1);
  Access("b", 1);
  bridge_.fdb().AddStatic(1, 1, HostMac(2), index_["b"]);
  bridge_.port(index_["b"])->state = PortState::kDown;
  Send("a", MakeFrame(HostMac(2), HostMac(1)));
  EXPECT_EQ(Drops("b", DropReason::kPortDown), 1u);
  bridge_.port(index_["b"])->state = PortState::kUp;
  fakes_["b"]->fail_errno = ENOBUFS;
  Send("a", MakeFrame(HostMac(2), HostMac(1)));
  EXPECT_EQ(Drops("b", DropReason::kTxError), 1u);
  EXPECT_EQ(bridge_.port(index_["b"])->counters.tx_packets, 0u);
}

TEST_F(SwitchFixture, MalformedFramesAreCountedNotForwarded) {
  Access("a", 1);
  Access("b", 1);
  Send("a", Frame(10, 0x02));
  Frame truncated = MakeFrame(HostMac(9), HostMac(1));
  truncated.resize(16);
  truncated[12] = 0x81;
  truncated[13] = 0x00;
  PortConfig trunk;
  trunk.mode = PortMode::kTrunk;
  trunk.allowed = *ParseVlanSet("all");
  bridge_.port(index_["a"])->cfg = trunk;
  Send("a", truncated);
  EXPECT_EQ(Receivers(), (std::set<std::string>{}));
  EXPECT_EQ(Drops("a", DropReason::kRunt), 1u);
  EXPECT_EQ(Drops("a", DropReason::kTruncatedVlanTag), 1u);
}

TEST_F(SwitchFixture, VlansSeparateAccessPorts) {
  Access("a", 10);
  Access("b", 10);
  Access("c", 20);
  Send("a", MakeFrame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, HostMac(1)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"b"}));
  bridge_.fdb().AddStatic(20, 20, HostMac(3), index_["c"]);
  ClearSent();
  Send("a", MakeFrame(HostMac(3), HostMac(1)));
  EXPECT_EQ(Receivers(), (std::set<std::string>{"b"})) << "c's address is unknown in VLAN 10: flood";
}

// A TCP super-frame with a partial checksum: where the checksum starts, counted from the
// first Ethernet byte, moves with every tag the egress port adds or removes; the rest of
// the virtio-net header passes unchanged.
TEST_F(SwitchFixture, OffloadOffsetsFollowTheEgressTag) {
  Access("a", 10);
  Access("b", 10);
  PortConfig trunk;
  trunk.mode = PortMode::kTrunk;
  trunk.allowed = *ParseVlanSet("10");
  AddPort("t", trunk);
  Offload tcp;
  tcp.flags = kVnetNeedsCsum;
  tcp.gso_type = kVnetGsoTcpV4;
  tcp.gso_size = 1448;
  tcp.csum_start = 14 + 20;  // untagged Ethernet + IPv4 header
  tcp.csum_offset = 16;      // TCP checksum field
  tcp.hdr_len = 14 + 20 + 32;
  bridge_.fdb().AddStatic(10, 10, HostMac(2), index_["b"]);
  bridge_.fdb().AddStatic(10, 10, HostMac(9), index_["t"]);

  Send("a", MakeFrame(HostMac(2), HostMac(1)), tcp);
  ASSERT_EQ(fakes_["b"]->sent_offloads.size(), 1u);
  const Offload same = fakes_["b"]->sent_offloads[0];
  EXPECT_EQ(same.csum_start, 34);
  EXPECT_EQ(same.hdr_len, 66);
  EXPECT_EQ(same.gso_type, kVnetGsoTcpV4);
  EXPECT_EQ(same.gso_size, 1448);
  EXPECT_EQ(same.csum_offset, 16);

  Send("a", MakeFrame(HostMac(9), HostMac(1)), tcp);
  ASSERT_EQ(fakes_["t"]->sent_offloads.size(), 1u);
  EXPECT_EQ(fakes_["t"]->sent[0][12], 0x81) << "tag inserted on the trunk";
  EXPECT_EQ(fakes_["t"]->sent_offloads[0].csum_start, 38) << "4 bytes of tag before the IP header";
  EXPECT_EQ(fakes_["t"]->sent_offloads[0].hdr_len, 70);

  // From the trunk, tagged in band: the tag comes off on the access port.
  Offload tagged = tcp;
  tagged.csum_start = 38;
  tagged.hdr_len = 70;
  Send("t", MakeFrame(HostMac(2), HostMac(9), 10), tagged);
  ASSERT_EQ(fakes_["b"]->sent_offloads.size(), 2u);
  EXPECT_EQ(fakes_["b"]->sent[1][12], 0x08) << "untagged on the access port";
  EXPECT_EQ(fakes_["b"]->sent_offloads[1].csum_start, 34);
  EXPECT_EQ(fakes_["b"]->sent_offloads[1].hdr_len, 66);

  // A frame without offload keeps an all-zero header whatever the tagging.
  Send("a", MakeFrame(HostMac(9), HostMac(1)));
  ASSERT_EQ(fakes_["t"]->sent_offloads.size(), 2u);
  EXPECT_EQ(fakes_["t"]->sent_offloads[1].flags, 0);
  EXPECT_EQ(fakes_["t"]->sent_offloads[1].csum_start, 0);
  EXPECT_EQ(fakes_["t"]->sent_offloads[1].hdr_len, 0);
}

// Frames of one flow in one batch reuse the first frame's decisions; a frame whose
// predecessor was dropped must decide afresh, and a change of flow must too.
TEST_F(SwitchFixture, FramesOfOneFlowInABatchAreDecidedLikeTheFirst) {
  Access("a", 10);
  Access("b", 10);
  Access("c", 10);
  bridge_.fdb().AddStatic(10, 10, HostMac(2), index_["b"]);
  bridge_.fdb().AddStatic(10, 10, HostMac(3), index_["c"]);
  // First frame cut short by the receive buffer (oversize), the next ones of the same
  // flow intact: the first is dropped, the others forwarded.
  fakes_["a"]->Inject(MakeFrame(HostMac(2), HostMac(1)));
  fakes_["a"]->Inject(MakeFrame(HostMac(2), HostMac(1)));
  fakes_["a"]->Inject(MakeFrame(HostMac(3), HostMac(1)));  // another flow
  fakes_["a"]->Inject(MakeFrame(HostMac(3), HostMac(1)));
  fakes_["a"]->Inject(MakeFrame(HostMac(2), HostMac(1)));  // back to the first
  PacketBatch batch;
  fakes_["a"]->Receive(batch);
  ASSERT_EQ(batch.size(), 5u);
  batch[0].wire_len = batch[0].len + 100;
  RunBatch("a", batch);
  EXPECT_EQ(Drops("a", DropReason::kOversize), 1u);
  EXPECT_EQ(fakes_["b"]->sent.size(), 2u) << "frames 2 and 5";
  EXPECT_EQ(fakes_["c"]->sent.size(), 2u) << "frames 3 and 4";

  // A tagged frame on an access port is dropped; the same header right after it must be
  // dropped for the same reason, not take a stale decision.
  ClearSent();
  fakes_["a"]->Inject(MakeFrame(HostMac(2), HostMac(1)));
  fakes_["a"]->Inject(MakeFrame(HostMac(2), HostMac(1), 10));
  fakes_["a"]->Inject(MakeFrame(HostMac(2), HostMac(1), 10));
  fakes_["a"]->Inject(MakeFrame(HostMac(2), HostMac(1)));
  Run("a");
  EXPECT_EQ(Drops("a", DropReason::kVlanTagOnAccess), 2u);
  EXPECT_EQ(fakes_["b"]->sent.size(), 2u);
}

}  // namespace
}  // namespace pvland

namespace pvland {
namespace {

// A run decides and returns lists; nothing is sent until someone sends them.
TEST_F(SwitchFixture, ARunReturnsTransmitListsAndDoesNoIo) {
  Access("a", 10);
  Access("b", 10);
  Access("c", 20);
  fakes_["a"]->Inject(MakeFrame(HostMac(9), HostMac(1)));
  PacketBatch batch;
  fakes_["a"]->Receive(batch);
  TxLists out;
  pipeline_.Run(index_["a"], batch, clock_.Now(), out);
  ASSERT_EQ(out.ports().size(), 1u);
  EXPECT_EQ(out.ports()[0], index_["b"]);
  EXPECT_EQ(out.queue(index_["b"]).size(), 1u);
  EXPECT_EQ(out.queue(index_["b"]).begin()->pkt, &batch[0]);
  EXPECT_TRUE(Receivers().empty()) << "the pipeline itself sends nothing";
  EXPECT_EQ(bridge_.port(index_["b"])->counters.tx_packets, 0u);
}

// A per-destination filter added to the delivery step sees every copy, flooded or
// unicast, to any port, and its refusals are counted on the destination.
class RefuseTo final : public EgressFilter {
 public:
  explicit RefuseTo(uint16_t port, bool per_frame = false) : port_(port), per_frame_(per_frame) {}
  bool SameAnswerForSameEthernetHeader(const SwitchPort&) const override { return !per_frame_; }
  std::string_view name() const override { return "refuse"; }
  std::optional<DropReason> Check(const StageContext&, const Packet&, uint16_t d, const SwitchPort&) const override {
    ++asked;
    return d == port_ ? std::optional(DropReason::kTxError) : std::nullopt;
  }
  mutable int asked = 0;

 private:
  uint16_t port_;
  bool per_frame_;
};

TEST_F(SwitchFixture, EgressFiltersSeeEveryCopyAndNameTheirDrops) {
  Access("a", 10);
  Access("b", 10);
  Access("c", 10);
  auto filter = std::make_unique<RefuseTo>(index_["c"]);
  RefuseTo* f = filter.get();
  pipeline_.egress().AddFilter(std::move(filter));
  Send("a", MakeFrame(HostMac(9), HostMac(1)));  // flood
  EXPECT_EQ(Receivers(), (std::set<std::string>{"b"}));
  EXPECT_EQ(f->asked, 2) << "once per flooded copy";
  EXPECT_EQ(Drops("c", DropReason::kTxError), 1u);
  ClearSent();
  bridge_.fdb().AddStatic(10, 10, HostMac(3), index_["c"]);
  Send("a", MakeFrame(HostMac(3), HostMac(1)));  // known unicast to c
  EXPECT_TRUE(Receivers().empty());
  EXPECT_EQ(Drops("c", DropReason::kTxError), 2u);
}

}  // namespace
}  // namespace pvland

namespace pvland {
namespace {

// Known-unicast frames of one Ethernet header share one verdict, unless a filter says its
// answer depends on more than that header.
TEST_F(SwitchFixture, AFilterThatLooksPastEthernetIsAskedForEveryFrame) {
  Access("a", 10);
  Access("b", 10);
  bridge_.fdb().AddStatic(10, 10, HostMac(2), index_["b"]);
  auto shared = std::make_unique<RefuseTo>(/*port=*/999);
  RefuseTo* s = shared.get();
  pipeline_.egress().AddFilter(std::move(shared));
  SendBatch("a", {MakeFrame(HostMac(2), HostMac(1)), MakeFrame(HostMac(2), HostMac(1)),
                  MakeFrame(HostMac(2), HostMac(1))});
  EXPECT_EQ(s->asked, 1) << "one verdict for the run";
  EXPECT_EQ(fakes_["b"]->sent.size(), 3u);

  auto per_frame = std::make_unique<RefuseTo>(/*port=*/999, /*per_frame=*/true);
  RefuseTo* f = per_frame.get();
  pipeline_.egress().AddFilter(std::move(per_frame));
  SendBatch("a", {MakeFrame(HostMac(2), HostMac(1)), MakeFrame(HostMac(2), HostMac(1)),
                  MakeFrame(HostMac(2), HostMac(1))});
  EXPECT_EQ(f->asked, 3) << "asked for every frame";
  EXPECT_EQ(fakes_["b"]->sent.size(), 6u);
}

}  // namespace
}  // namespace pvland
