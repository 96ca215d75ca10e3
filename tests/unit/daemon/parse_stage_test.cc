// The parse stage over a batch of one flow's frames: frames that share the Ethernet
// header reuse the first frame's Ethernet results, but each gets the L3/L4 fields a full
// parse of its own bytes gives.
#include "daemon/pipeline/parse_stage.h"

#include <gtest/gtest.h>

#include <vector>

#include "daemon/packet/parser.h"

namespace pvland {
namespace {

using Frame = std::vector<uint8_t>;

// 02:..:02 <- 02:..:01, IPv4 with `total` as its total length and `frag`, then TCP with
// data offset `doff`; padded to `size` bytes.
Frame TcpFrame(uint16_t total, uint16_t frag, uint8_t doff, size_t size, uint8_t id) {
  Frame f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};
  Frame ip(20, 0);
  ip[0] = 0x45;
  StoreBe16(&ip[2], total);
  ip[5] = id;
  StoreBe16(&ip[6], frag);
  ip[8] = 64;
  ip[9] = kIpProtoTcp;
  f.insert(f.end(), ip.begin(), ip.end());
  Frame tcp(20, 0);
  tcp[12] = static_cast<uint8_t>(doff << 4);
  f.insert(f.end(), tcp.begin(), tcp.end());
  f.resize(size, 0);
  return f;
}

TEST(ParseStageTest, FramesOfOneFlowGetTheirOwnL3L4) {
  std::vector<Frame> frames = {
      TcpFrame(40, 0, 5, 60, 1),       // first of the flow
      TcpFrame(40, 0, 5, 60, 2),       // next packet: only the identification differs
      TcpFrame(40, 0x2000, 5, 60, 3),  // first fragment
      TcpFrame(40, 0x2003, 5, 60, 4),  // later fragment
      TcpFrame(40, 0, 5, 60, 5),
      TcpFrame(40, 0, 6, 60, 6),  // data offset past the packet
      TcpFrame(44, 0, 6, 60, 7),  // same, but now inside
      TcpFrame(40, 0, 5, 64, 8),  // same IP header, longer frame
      TcpFrame(90, 0, 5, 64, 9),  // total length beyond the frame
  };
  Bridge bridge;
  SwitchPort port;
  TxLists out;
  StageContext ctx{bridge, 0, port, 0, out};
  PacketBatch batch;
  for (Frame& f : frames) {
    Packet& p = batch.Append();
    p.frame = f.data();
    p.len = p.wire_len = static_cast<uint32_t>(f.size());
  }
  ParseStage().Process(batch, ctx);
  ASSERT_EQ(batch.size(), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    Packet alone;
    alone.frame = frames[i].data();
    alone.len = alone.wire_len = static_cast<uint32_t>(frames[i].size());
    ASSERT_EQ(ParseFrame(alone), std::nullopt);
    EXPECT_EQ(batch[i].same_header_as_prev, i > 0) << i;
    EXPECT_EQ(batch[i].l3_info, alone.l3_info) << i;
    EXPECT_EQ(batch[i].l3_len, alone.l3_len) << i;
    EXPECT_EQ(batch[i].ip_proto, alone.ip_proto) << i;
  }
  EXPECT_TRUE(batch[1].l4_valid());
  EXPECT_TRUE(batch[2].ip_fragment() && batch[2].l4_valid());
  EXPECT_TRUE(batch[3].ip_later_fragment() && !batch[3].l4_valid());
  EXPECT_FALSE(batch[5].l4_valid());
  EXPECT_TRUE(batch[6].l4_valid());
  EXPECT_EQ(batch[8].l3(), L3Kind::kNone);
}

// Frames with the same MACs and the same in-band 802.1Q tag but another ethertype behind
// it (an IPv4 packet, then an ARP request to the same router): the ethertype lies past
// the 16 bytes the shortcut compares, and each frame must keep its own.
TEST(ParseStageTest, TaggedFramesWithAnotherEthertypeAreParsedAlone) {
  Frame ip4 = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00, 0x45, 0, 0, 28};
  ip4.resize(64, 0);
  ip4[26] = 64;  // TTL
  ip4[27] = 17;  // UDP
  Frame arp = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x64, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
  arp.resize(64, 0);
  Bridge bridge;
  SwitchPort port;
  TxLists out;
  StageContext ctx{bridge, 0, port, 0, out};
  PacketBatch batch;
  for (Frame* f : {&ip4, &arp}) {
    Packet& p = batch.Append();
    p.frame = f->data();
    p.len = p.wire_len = static_cast<uint32_t>(f->size());
  }
  ParseStage().Process(batch, ctx);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].ethertype, kEthTypeIpv4);
  EXPECT_EQ(batch[1].ethertype, kEthTypeArp);
  EXPECT_EQ(batch[1].l3(), L3Kind::kArp);
  EXPECT_FALSE(batch[1].same_header_as_prev);
}

}  // namespace
}  // namespace pvland
