// The ARP stage over in-memory ports and a fake decider: which requests it hands to
// the decider, what it does with each kind of verdict, where the reply goes, and which
// port counts what. No sockets, no netlink, no /proc.
#include "daemon/pipeline/arp_stage.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "daemon/ipv4/arp_packet.h"
#include "daemon/packet/parser.h"
#include "daemon/pipeline/pipeline.h"
#include "tests/unit/daemon/fake_switch_ports.h"

namespace pvland {
namespace {

using Frame = std::vector<uint8_t>;

constexpr int kGwIfindex = 7;
const MacAddr kGwMac = {0x02, 0, 0, 0, 0, 0x01};
const MacAddr kHostMac = {0x02, 0, 0, 0, 0, 0x10};
constexpr ipv4::Ipv4 kHostIp = 0x0a000a0a;  // 10.0.10.10
constexpr ipv4::Ipv4 kAsked = 0x0a000001;   // 10.0.0.1

// Returns a scripted verdict and records what it was asked.
class FakeArpDecider final : public ipv4::ArpDecider {
 public:
  std::map<int, ipv4::Link> links;
  ipv4::ArpDecision verdict;
  size_t queue_room = 64;
  std::vector<ipv4::ArpInput> decided;
  std::vector<std::pair<ipv4::ArpInput, uint64_t>> queued;

  const ipv4::Link* Device(int ifindex) const override {
    auto it = links.find(ifindex);
    return it == links.end() ? nullptr : &it->second;
  }
  ipv4::ArpDecision Decide(const ipv4::ArpInput& in, absl::Span<const uint8_t>) override {
    decided.push_back(in);
    return verdict;
  }
  bool Enqueue(const ipv4::ArpInput& in, uint64_t cookie) override {
    if (queued.size() >= queue_room) return false;
    queued.emplace_back(in, cookie);
    return true;
  }
};

// A broadcast who-has `tip` from the host, optionally 802.1Q-tagged, padded to 60 bytes.
Frame ArpRequest(ipv4::Ipv4 tip, int vid = 0) {
  Frame f(6, 0xff);
  f.insert(f.end(), kHostMac.begin(), kHostMac.end());
  if (vid) f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(vid >> 8), static_cast<uint8_t>(vid)});
  f.insert(f.end(), {0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1});
  f.insert(f.end(), kHostMac.begin(), kHostMac.end());
  for (int s = 24; s >= 0; s -= 8) f.push_back(static_cast<uint8_t>(kHostIp >> s));
  f.insert(f.end(), 6, 0);
  for (int s = 24; s >= 0; s -= 8) f.push_back(static_cast<uint8_t>(tip >> s));
  f.resize(std::max<size_t>(f.size(), 60), 0);
  return f;
}

ipv4::ArpDecision Reply(ipv4::ArpAction action, std::string_view reason) {
  ipv4::ArpDecision d;
  d.action = action;
  d.kind = ipv4::ArpReplyKind::kProxy;
  d.reason = reason;
  d.reply.eth_dst = kHostMac;
  d.reply.eth_src = kGwMac;
  d.reply.sha = kGwMac;
  d.reply.spa = kAsked;
  d.reply.tha = kHostMac;
  d.reply.tpa = kHostIp;
  return d;
}

class ArpStageTest : public ::testing::Test {
 protected:
  ArpStageTest() : pipeline_(bridge_, &decider_) {}

  void SetUp() override {
    // VLAN 100 has the internal port gw; VLAN 200 has none.
    Add("h1", Access(100), PortKind::kTap);
    Add("h2", Access(100), PortKind::kTap);
    Add("h3", Access(200), PortKind::kTap);
    PortConfig trunk;
    trunk.mode = PortMode::kTrunk;
    trunk.allowed = *ParseVlanSet("100,200");
    Add("t", trunk, PortKind::kTap);
    Add("gw", Access(100), PortKind::kInternal);
    bridge_.port(index_["gw"])->ifindex = kGwIfindex;
    ipv4::Link gw;
    gw.ifindex = kGwIfindex;
    gw.name = "gw";
    gw.mac = kGwMac;
    decider_.links[kGwIfindex] = gw;
  }

  static PortConfig Access(uint16_t vlan) {
    PortConfig cfg;
    cfg.vlan = vlan;
    return cfg;
  }
  void Add(const std::string& name, const PortConfig& cfg, PortKind kind) { ports_.Add(name, cfg, kind); }
  // The pipeline decides; the fakes send what it returned, as the dataplane does.
  void Send(const std::string& port, Frame f) {
    fakes_[port]->Inject(std::move(f));
    PacketBatch batch;
    fakes_[port]->Receive(batch);
    ports_.Run(pipeline_, port, batch, clock_.Now());
  }
  // Frames `port` sent that are ARP replies (op 2), tag included.
  std::vector<Frame> Replies(const std::string& port) {
    std::vector<Frame> out;
    for (const Frame& f : fakes_[port]->sent) {
      const size_t at = f[12] == 0x81 ? 16 : 12;
      if (f.size() >= at + 10 && f[at] == 0x08 && f[at + 1] == 0x06 && f[at + 9] == 2) out.push_back(f);
    }
    return out;
  }
  uint64_t Verdicts(const std::string& port, ArpVerdict v) {
    return bridge_.port(index_[port])->counters.arp_verdicts[static_cast<int>(v)];
  }
  uint64_t Drops(const std::string& port, DropReason r) {
    return bridge_.port(index_[port])->counters.drops[static_cast<int>(r)];
  }

  Bridge bridge_;
  FakeArpDecider decider_;
  Pipeline pipeline_;
  FakeClock clock_;
  FakeSwitchPorts ports_{bridge_};
  std::map<std::string, FakePort*>& fakes_ = ports_.fakes;
  std::map<std::string, uint16_t>& index_ = ports_.index;
};

TEST_F(ArpStageTest, LocalReplyGoesBackOutTheIngressPort) {
  decider_.verdict = Reply(ipv4::ArpAction::kReply, "local_reply");
  decider_.verdict.kind = ipv4::ArpReplyKind::kLocal;
  Send("h1", ArpRequest(kAsked));

  ASSERT_EQ(decider_.decided.size(), 1u);
  const ipv4::ArpInput& in = decider_.decided[0];
  EXPECT_EQ(in.ifindex, kGwIfindex) << "decided on the VLAN's internal port";
  EXPECT_EQ(in.packet.tip, kAsked);
  EXPECT_EQ(in.packet.sip, kHostIp);
  EXPECT_EQ(in.packet.pkt_type, ipv4::PacketType::kBroadcast);
  EXPECT_FALSE(in.locally_enqueued);

  const std::vector<Frame> replies = Replies("h1");
  ASSERT_EQ(replies.size(), 1u);
  const Frame& r = replies[0];
  ASSERT_EQ(r.size(), 42u) << "the kernel's unpadded reply";
  EXPECT_EQ(Frame(r.begin(), r.begin() + 6), Frame(kHostMac.begin(), kHostMac.end()));
  EXPECT_EQ(Frame(r.begin() + 6, r.begin() + 12), Frame(kGwMac.begin(), kGwMac.end()));
  EXPECT_EQ(Frame(r.begin() + 22, r.begin() + 28), Frame(kGwMac.begin(), kGwMac.end())) << "sha";
  EXPECT_EQ(Frame(r.begin() + 28, r.begin() + 32), (Frame{10, 0, 0, 1})) << "spa";
  EXPECT_TRUE(Replies("h2").empty()) << "only the asker gets the reply";
  EXPECT_EQ(fakes_["h2"]->sent.size(), 1u) << "the request itself is still flooded";
  EXPECT_EQ(Verdicts("gw", ArpVerdict::kLocalReply), 1u);
}

TEST_F(ArpStageTest, ProxyReplyOnATrunkCarriesTheRequestsVlanTag) {
  decider_.verdict = Reply(ipv4::ArpAction::kReply, "proxy_reply");
  Send("t", ArpRequest(kAsked, 100));

  ASSERT_EQ(decider_.decided.size(), 1u);
  const std::vector<Frame> replies = Replies("t");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0][12], 0x81);
  EXPECT_EQ(replies[0][15], 100) << "tagged with the VLAN the request came in";
  EXPECT_EQ(replies[0].size(), 46u);
  EXPECT_EQ(Verdicts("gw", ArpVerdict::kProxyReply), 1u);
}

TEST_F(ArpStageTest, DelayedVerdictIsQueuedWithWhereItsReplyGoes) {
  decider_.verdict = Reply(ipv4::ArpAction::kEnqueue, "proxy_delayed");
  Send("h1", ArpRequest(kAsked));

  ASSERT_EQ(decider_.queued.size(), 1u);
  EXPECT_EQ(decider_.queued[0].first.packet.tip, kAsked);
  const ArpCookie c = ArpCookie::Unpack(decider_.queued[0].second);
  EXPECT_EQ(c.in_port, index_["h1"]);
  EXPECT_EQ(c.vid, 100);
  EXPECT_EQ(c.l3_port, index_["gw"]);
  EXPECT_TRUE(Replies("h1").empty()) << "nothing is answered yet";
  EXPECT_EQ(Verdicts("gw", ArpVerdict::kProxyDelayed), 1u);
  EXPECT_EQ(Drops("h1", DropReason::kProxyQueueOverflow), 0u);
}

TEST_F(ArpStageTest, FullProxyQueueDropsTheRequestOnItsIngressPort) {
  decider_.verdict = Reply(ipv4::ArpAction::kEnqueue, "pvlan_delayed");
  decider_.queue_room = 0;
  Send("h1", ArpRequest(kAsked));

  EXPECT_TRUE(decider_.queued.empty());
  EXPECT_EQ(Drops("h1", DropReason::kProxyQueueOverflow), 1u);
  EXPECT_EQ(Verdicts("gw", ArpVerdict::kPvlanDelayed), 1u);
  EXPECT_TRUE(Replies("h1").empty());
}

TEST_F(ArpStageTest, VlanWithoutInternalPortIsNotDecided) {
  decider_.verdict = Reply(ipv4::ArpAction::kReply, "proxy_reply");
  Send("h3", ArpRequest(kAsked));

  EXPECT_TRUE(decider_.decided.empty());
  EXPECT_TRUE(Replies("h3").empty());
  EXPECT_EQ(fakes_["t"]->sent.size(), 1u) << "flooded in VLAN 200 as any broadcast";
}

TEST_F(ArpStageTest, InternalPortNotYetSeenOverNetlinkIsNotDecided) {
  decider_.links.clear();
  Send("h1", ArpRequest(kAsked));
  EXPECT_TRUE(decider_.decided.empty());
}

TEST_F(ArpStageTest, TruncatedArpIsCountedNotDecided) {
  Frame f = ArpRequest(kAsked);
  f.resize(14 + 6);  // fewer than the 8 bytes of the fixed ARP header
  Send("h1", f);

  EXPECT_TRUE(decider_.decided.empty());
  EXPECT_EQ(Verdicts("gw", ArpVerdict::kArpTruncated), 1u);
}

TEST_F(ArpStageTest, KernelRequestsFromTheInternalPortAreSkipped) {
  decider_.verdict = Reply(ipv4::ArpAction::kReply, "proxy_reply");
  Send("gw", ArpRequest(kAsked));

  EXPECT_TRUE(decider_.decided.empty());
  EXPECT_TRUE(Replies("gw").empty());
  EXPECT_EQ(fakes_["h1"]->sent.size(), 1u) << "the kernel's request is switched as usual";
}

TEST_F(ArpStageTest, VerdictsCountOnlyOnTheDecidingInternalPort) {
  // A second internal port, in VLAN 200, decides that VLAN's requests.
  Add("gw2", Access(200), PortKind::kInternal);
  bridge_.port(index_["gw2"])->ifindex = kGwIfindex + 1;
  ipv4::Link gw2 = decider_.links[kGwIfindex];
  gw2.ifindex = kGwIfindex + 1;
  gw2.name = "gw2";
  decider_.links[gw2.ifindex] = gw2;
  decider_.verdict.reason = "not_proxied";

  Send("h1", ArpRequest(kAsked));
  Send("h3", ArpRequest(kAsked));
  Send("h3", ArpRequest(kAsked));
  EXPECT_EQ(Verdicts("gw", ArpVerdict::kNotProxied), 1u);
  EXPECT_EQ(Verdicts("gw2", ArpVerdict::kNotProxied), 2u);
  EXPECT_EQ(Verdicts("h1", ArpVerdict::kNotProxied), 0u);
}

TEST(ArpCookieTest, RoundTrips) {
  const ArpCookie c{1023, 4094, 17};
  const ArpCookie back = ArpCookie::Unpack(c.Pack());
  EXPECT_EQ(back.in_port, 1023);
  EXPECT_EQ(back.vid, 4094);
  EXPECT_EQ(back.l3_port, 17);
}

TEST(MakeArpReplyPacketTest, BuildsTheKernelsFrameInVlan) {
  uint8_t storage[GeneratedFrames::kMaxLen];
  const Packet p = MakeArpReplyPacket(Reply(ipv4::ArpAction::kReply, "proxy_reply").reply, 100, 5, storage);
  EXPECT_EQ(p.frame, storage);
  EXPECT_EQ(p.len, 42u);
  EXPECT_EQ(p.wire_len, 42u);
  EXPECT_EQ(p.payload_off, 12);
  EXPECT_EQ(p.ethertype, kEthTypeArp);
  EXPECT_EQ(p.vid, 100);
  EXPECT_EQ(p.domain, 5);
  EXPECT_FALSE(p.tagged);
  EXPECT_EQ(storage[21], 2) << "op reply";
}

}  // namespace
}  // namespace pvland
