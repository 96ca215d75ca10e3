// Reply frames byte for byte against kernel captures (tcpdump -xx on H1 of T1,
// kernel 6.18.44): a proxy_arp reply, a local reply to a request padded to 60
// bytes, and a DAD reply. The kernel sent 42 bytes each time.
#include "daemon/ipv4/arp_reply.h"

#include "daemon/ipv4/arp_packet.h"
#include "gtest/gtest.h"
#include "tests/unit/ipv4/topo.h"

namespace pvland::ipv4 {
namespace {

using testing::Ask;
using testing::BuildT1;
using testing::Ip;
using testing::kEth1;
using testing::kH2;
using testing::kR1;
using testing::Topo;

// 02:00:00:00:01:01 > 02:00:00:00:01:10, Reply 10.0.2.10 is-at 02:00:00:00:01:01
const std::vector<uint8_t> kKernelProxyReply = {
    0x02, 0x00, 0x00, 0x00, 0x01, 0x10,  // eth dst: the request's ARP sha
    0x02, 0x00, 0x00, 0x00, 0x01, 0x01,  // eth src: R eth1
    0x08, 0x06,                          // ARP
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  // hrd 1, pro IPv4, hln 6, pln 4
    0x00, 0x02,                          // reply
    0x02, 0x00, 0x00, 0x00, 0x01, 0x01,  // sha: R eth1
    0x0a, 0x00, 0x02, 0x0a,              // spa 10.0.2.10 (the proxied address)
    0x02, 0x00, 0x00, 0x00, 0x01, 0x10,  // tha: H1
    0x0a, 0x00, 0x01, 0x0a,              // tpa 10.0.1.10
};
// Reply 10.0.1.1 is-at 02:00:00:00:01:01 (to a 60-byte request padded with 0xee,
// and to a request with ar_hrd 6: same bytes, hrd 1).
const std::vector<uint8_t> kKernelLocalReply = {
    0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
    0x0a, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x0a, 0x00, 0x01, 0x0a,
};
// DAD reply: tpa 0.0.0.0.
const std::vector<uint8_t> kKernelDadReply = {
    0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
    0x0a, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00,
};
// The request with ar_hrd 6 that produced kKernelLocalReply (ARP part, after the
// 14-byte Ethernet header).
const std::vector<uint8_t> kHrd6Request = {
    0x00, 0x06, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,
    0x01, 0x10, 0x0a, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0a, 0x00, 0x01, 0x01,
};

TEST(ArpReplyTest, ProxyReplyMatchesKernelCapture) {
  Topo t;
  BuildT1(t);
  t.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, Ask(kH2, testing::kH1, PacketType::kHost));
  ASSERT_EQ(d.action, ArpAction::kReply);
  EXPECT_EQ(BuildArpReply(d.reply), kKernelProxyReply);
}

TEST(ArpReplyTest, LocalReplyToHrd6RequestMatchesKernelCapture) {
  Topo t;
  BuildT1(t);
  auto p = ParseArp(kHrd6Request, PacketType::kHost);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->hrd, 6);
  EXPECT_EQ(p->sip, testing::kH1);
  EXPECT_EQ(p->tip, kR1);
  ArpInput in;
  in.packet = *p;
  in.ifindex = kEth1;
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, in);
  ASSERT_EQ(d.action, ArpAction::kReply);
  EXPECT_EQ(BuildArpReply(d.reply), kKernelLocalReply);
}

TEST(ArpReplyTest, DadReplyMatchesKernelCapture) {
  Topo t;
  BuildT1(t);
  const ArpDecision d = ArpDecide(t.state, t.store, t.flags, Ask(kR1, 0));
  ASSERT_EQ(d.action, ArpAction::kReply);
  EXPECT_EQ(BuildArpReply(d.reply), kKernelDadReply);
}

TEST(ArpReplyTest, PadTo60AppendsZeros) {
  ArpReplyFields f;
  f.eth_dst = testing::kH1Mac;
  f.eth_src = testing::kEth1Mac;
  f.sha = testing::kEth1Mac;
  f.spa = kR1;
  f.tha = testing::kH1Mac;
  f.tpa = testing::kH1;
  const std::vector<uint8_t> padded = BuildArpReply(f, ReplyPadding::kPadTo60);
  ASSERT_EQ(padded.size(), kEthMinFrameLen);
  EXPECT_TRUE(std::equal(kKernelLocalReply.begin(), kKernelLocalReply.end(), padded.begin()));
  EXPECT_TRUE(std::all_of(padded.begin() + kArpReplyLen, padded.end(),
                          [](uint8_t b) { return b == 0; }));
}

TEST(ArpPacketTest, ParseAndClassify) {
  EXPECT_FALSE(ParseArp(absl::Span<const uint8_t>(kHrd6Request.data(), 7), PacketType::kHost));
  auto shortp = ParseArp(absl::Span<const uint8_t>(kHrd6Request.data(), 20), PacketType::kHost);
  ASSERT_TRUE(shortp.has_value());
  EXPECT_EQ(shortp->length, 20u);
  EXPECT_EQ(shortp->sip, 0u);  // not read from a truncated packet
  const MacAddr dev = testing::kEth1Mac;
  EXPECT_EQ(ClassifyEthernetDestination({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, dev),
            PacketType::kBroadcast);
  EXPECT_EQ(ClassifyEthernetDestination({0x01, 0x00, 0x5e, 0, 0, 1}, dev), PacketType::kMulticast);
  EXPECT_EQ(ClassifyEthernetDestination(dev, dev), PacketType::kHost);
  EXPECT_EQ(ClassifyEthernetDestination({0x02, 0x11, 0x11, 0x11, 0x11, 0x11}, dev),
            PacketType::kOtherHost);
}

}  // namespace
}  // namespace pvland::ipv4
