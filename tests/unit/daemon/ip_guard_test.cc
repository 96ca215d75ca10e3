// The IP guard (an egress filter for internal ports) and the source guard stage over
// in-memory ports and a fake decider: which frames they hand to the decider, with which
// fields, what a refusal does to each copy, and which port counts it.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "daemon/ipv4/ip_decider.h"
#include "daemon/pipeline/pipeline.h"
#include "tests/unit/daemon/fake_switch_ports.h"

namespace pvland {
namespace {

using Frame = std::vector<uint8_t>;

constexpr int kGwIfindex = 7;
const MacAddr kGwMac = {0x02, 0, 0, 0, 0, 0x01};
const MacAddr kH1Mac = {0x02, 0, 0, 0, 0, 0x10};
const MacAddr kH2Mac = {0x02, 0, 0, 0, 0, 0x11};
const MacAddr kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr ipv4::Ipv4 kGood = 0x0a000a0a;   // 10.0.10.10
constexpr ipv4::Ipv4 kBad = 0x0a090001;    // 10.9.0.1: the fake refuses it
constexpr ipv4::Ipv4 kDst = 0x0a000a01;

// Refuses source kBad (as rp_filter would) and records what it was asked.
class FakeIpDecider final : public ipv4::IpDecider {
 public:
  std::vector<ipv4::IpPacketInfo> inputs;
  std::vector<Frame> ll_headers;
  std::vector<std::pair<ipv4::IpPacketInfo, int>> guarded;

  ipv4::IpInputDecision DecideInput(const ipv4::IpPacketInfo& in, absl::Span<const uint8_t> ll) override {
    inputs.push_back(in);
    ll_headers.emplace_back(ll.begin(), ll.end());
    return Verdict(in);
  }
  ipv4::IpInputDecision SourceGuard(const ipv4::IpPacketInfo& in, int mode) override {
    guarded.emplace_back(in, mode);
    return Verdict(in);
  }

 private:
  static ipv4::IpInputDecision Verdict(const ipv4::IpPacketInfo& in) {
    if (in.src == kBad) return {ipv4::IpDropKind::kRpFilter, ipv4::MartianKind::kSource, "rp_filter_strict"};
    return {};
  }
};

// An IPv4/UDP frame, optionally tagged, with a valid header checksum.
Frame Ipv4Frame(const MacAddr& dst, const MacAddr& src, ipv4::Ipv4 sip, ipv4::Ipv4 dip, int vid = 0) {
  Frame f(dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  if (vid) f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(vid >> 8), static_cast<uint8_t>(vid)});
  const size_t ip = f.size() + 2;
  f.insert(f.end(), {0x08, 0x00, 0x45, 0x00, 0x00, 0x1c, 0, 1, 0x40, 0x00, 64, 17, 0, 0});
  for (ipv4::Ipv4 a : {sip, dip})
    for (int s = 24; s >= 0; s -= 8) f.push_back(static_cast<uint8_t>(a >> s));
  f.insert(f.end(), {0x9c, 0x40, 0x9c, 0x41, 0, 8, 0, 0});
  uint32_t sum = 0;
  for (size_t i = ip; i < ip + 20; i += 2) sum += f[i] << 8 | f[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  f[ip + 10] = static_cast<uint8_t>(~sum >> 8);
  f[ip + 11] = static_cast<uint8_t>(~sum);
  f.resize(std::max<size_t>(f.size(), 60), 0);
  return f;
}

class IpGuardTest : public ::testing::Test {
 protected:
  IpGuardTest() : pipeline_(bridge_, nullptr, &decider_) {}

  void SetUp() override {
    // VLAN 100 has the internal port gw; VLAN 200 has none.
    ports_.Add("h1", Access(100), PortKind::kTap);
    ports_.Add("h2", Access(100), PortKind::kTap);
    ports_.Add("h3", Access(200), PortKind::kTap);
    PortConfig trunk;
    trunk.mode = PortMode::kTrunk;
    trunk.allowed = *ParseVlanSet("100,200");
    ports_.Add("t", trunk, PortKind::kTap);
    ports_.Add("gw", Access(100), PortKind::kInternal);
    SwitchPort& gw = *bridge_.port(index_["gw"]);
    gw.ifindex = kGwIfindex;
    gw.mac = kGwMac;
    bridge_.fdb().AddStatic(100, 100, kGwMac, index_["gw"]);
    bridge_.fdb().AddStatic(100, 100, kH2Mac, index_["h2"]);
  }

  static PortConfig Access(uint16_t vlan) {
    PortConfig cfg;
    cfg.vlan = vlan;
    return cfg;
  }
  void Send(const std::string& port, std::vector<Frame> frames) {
    for (Frame& f : frames) fakes_[port]->Inject(std::move(f));
    PacketBatch batch;
    fakes_[port]->Receive(batch);
    ports_.Run(pipeline_, port, batch, clock_.Now());
  }
  size_t Sent(const std::string& port) { return fakes_[port]->sent.size(); }
  uint64_t Drops(const std::string& port, DropReason r) {
    return bridge_.port(index_[port])->counters.drops[static_cast<int>(r)];
  }

  Bridge bridge_;
  FakeIpDecider decider_;
  Pipeline pipeline_;
  FakeClock clock_;
  FakeSwitchPorts ports_{bridge_};
  std::map<std::string, FakePort*>& fakes_ = ports_.fakes;
  std::map<std::string, uint16_t>& index_ = ports_.index;
};

TEST_F(IpGuardTest, EveryFrameToTheInternalPortIsJudgedOnItsOwnAddresses) {
  // One Ethernet header, three sources: the guard may not reuse a verdict across them.
  Send("h1", {Ipv4Frame(kGwMac, kH1Mac, kGood, kDst), Ipv4Frame(kGwMac, kH1Mac, kBad, kDst),
              Ipv4Frame(kGwMac, kH1Mac, kGood, kDst)});
  ASSERT_EQ(decider_.inputs.size(), 3u);
  EXPECT_EQ(Sent("gw"), 2u);
  EXPECT_EQ(Drops("gw", DropReason::kRpFilter), 1u) << "counted on the internal port";
  EXPECT_EQ(Drops("h1", DropReason::kRpFilter), 0u);
  const ipv4::IpPacketInfo& in = decider_.inputs[1];
  EXPECT_EQ(in.src, kBad);
  EXPECT_EQ(in.dst, kDst);
  EXPECT_EQ(in.protocol, 17);
  EXPECT_EQ(in.ifindex, kGwIfindex);
  EXPECT_EQ(in.pkt_type, ipv4::PacketType::kHost);
}

TEST_F(IpGuardTest, TheLoggedHeaderIsTheUntaggedOneTheDeviceSees) {
  Send("t", {Ipv4Frame(kGwMac, kH1Mac, kBad, kDst, /*vid=*/100)});
  ASSERT_EQ(decider_.ll_headers.size(), 1u);
  Frame want(kGwMac.begin(), kGwMac.end());
  want.insert(want.end(), kH1Mac.begin(), kH1Mac.end());
  want.insert(want.end(), {0x08, 0x00});
  EXPECT_EQ(decider_.ll_headers[0], want);
  EXPECT_EQ(Drops("gw", DropReason::kRpFilter), 1u);
}

TEST_F(IpGuardTest, ABroadcastLosesOnlyTheInternalPortsCopy) {
  Send("h1", {Ipv4Frame(kBroadcast, kH1Mac, kBad, 0xffffffff)});
  ASSERT_EQ(decider_.inputs.size(), 1u);
  EXPECT_EQ(decider_.inputs[0].pkt_type, ipv4::PacketType::kBroadcast);
  EXPECT_EQ(Sent("gw"), 0u);
  EXPECT_EQ(Sent("h2"), 1u) << "switched at L2 as before";
  EXPECT_EQ(Sent("t"), 1u);
  EXPECT_EQ(Drops("gw", DropReason::kRpFilter), 1u);
}

TEST_F(IpGuardTest, FramesForOtherPortsAndOtherHostsAreNotAsked) {
  Send("h1", {Ipv4Frame(kH2Mac, kH1Mac, kBad, kDst)});  // known unicast to h2
  const MacAddr unknown = {0x02, 0, 0, 0, 0, 0x99};
  Send("h1", {Ipv4Frame(unknown, kH1Mac, kBad, kDst)});  // flooded, also to gw
  EXPECT_TRUE(decider_.inputs.empty()) << "the kernel drops PACKET_OTHERHOST before IP";
  EXPECT_EQ(Sent("h2"), 2u);
  EXPECT_EQ(Sent("gw"), 1u);
}

TEST_F(IpGuardTest, ABadIpv4HeaderGoesToTheKernelUnjudged) {
  Frame f = Ipv4Frame(kGwMac, kH1Mac, kBad, kDst);
  f[14 + 10] ^= 0xff;  // header checksum
  Send("h1", {f});
  EXPECT_TRUE(decider_.inputs.empty());
  EXPECT_EQ(Sent("gw"), 1u) << "ip_rcv_core discards it, unlogged";
}

TEST_F(IpGuardTest, SourceGuardOffAsksNothing) {
  Send("h1", {Ipv4Frame(kH2Mac, kH1Mac, kBad, kDst)});
  EXPECT_TRUE(decider_.guarded.empty());
  EXPECT_EQ(Sent("h2"), 1u);
}

TEST_F(IpGuardTest, SourceGuardDropsSpoofedSourcesBeforeLearningAndCountsOnTheSender) {
  bridge_.port(index_["h1"])->cfg.source_guard = SourceGuardMode::kStrict;
  Send("h1", {Ipv4Frame(kH2Mac, kH1Mac, kGood, kDst), Ipv4Frame(kH2Mac, kH1Mac, kBad, kDst)});
  ASSERT_EQ(decider_.guarded.size(), 2u);
  EXPECT_EQ(decider_.guarded[1].second, 1) << "strict is rp_filter 1";
  EXPECT_EQ(decider_.guarded[1].first.ifindex, kGwIfindex) << "judged on the VLAN's L3 device";
  EXPECT_EQ(Sent("h2"), 1u);
  EXPECT_EQ(Drops("h1", DropReason::kSourceGuard), 1u);

  bridge_.port(index_["h1"])->cfg.source_guard = SourceGuardMode::kLoose;
  Send("h1", {Ipv4Frame(kH2Mac, kH1Mac, kGood, kDst)});
  EXPECT_EQ(decider_.guarded.back().second, 2) << "loose is rp_filter 2";
}

TEST_F(IpGuardTest, SourceGuardInAVlanWithoutL3DeviceRefusesIpv4) {
  bridge_.port(index_["h3"])->cfg.source_guard = SourceGuardMode::kLoose;
  Send("h3", {Ipv4Frame(kBroadcast, kH1Mac, kGood, 0xffffffff)});
  EXPECT_TRUE(decider_.guarded.empty());
  EXPECT_EQ(Drops("h3", DropReason::kSourceGuard), 1u);
  EXPECT_EQ(Sent("t"), 0u);
}

TEST(PortConfigTest, AnInternalPortTakesNoSourceGuard) {
  PortConfig cfg;
  cfg.source_guard = SourceGuardMode::kStrict;
  EXPECT_FALSE(CheckConfigForKind(cfg, PortKind::kInternal, "gw0").ok());
  EXPECT_TRUE(CheckConfigForKind(cfg, PortKind::kTap, "tap0").ok());
  EXPECT_EQ(ParseSourceGuardMode("loose"), SourceGuardMode::kLoose);
  EXPECT_EQ(ParseSourceGuardMode("on"), std::nullopt);
}

}  // namespace
}  // namespace pvland
