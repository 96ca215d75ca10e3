#include "daemon/packet/parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace pvland {
namespace {

std::vector<uint8_t> Frame(std::initializer_list<uint8_t> tail, uint16_t ethertype = 0x0800) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  f.push_back(ethertype >> 8);
  f.push_back(ethertype & 0xff);
  f.insert(f.end(), tail);
  return f;
}

Packet Received(std::vector<uint8_t>& f) {
  Packet p;
  p.frame = f.data();
  p.len = p.wire_len = static_cast<uint32_t>(f.size());
  return p;
}

TEST(ParserTest, UntaggedFrame) {
  auto f = Frame({1, 2, 3});
  Packet p = Received(f);
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  EXPECT_FALSE(p.tagged);
  EXPECT_EQ(p.ethertype, 0x0800);
  EXPECT_EQ(p.payload_off, 12);
}

TEST(ParserTest, RuntIsDropped) {
  std::vector<uint8_t> f(13, 0x02);
  Packet p = Received(f);
  EXPECT_EQ(ParseFrame(p), DropReason::kRunt);
  std::vector<uint8_t> empty;
  Packet q = Received(empty);
  EXPECT_EQ(ParseFrame(q), DropReason::kRunt);
}

TEST(ParserTest, InBandTag) {
  auto f = Frame({0x20, 0x0a, 0x08, 0x06, 0xaa}, 0x8100);  // PCP 1, VID 10, ARP
  Packet p = Received(f);
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  EXPECT_TRUE(p.tagged);
  EXPECT_EQ(p.tci, 0x200a);
  EXPECT_EQ(p.ethertype, 0x0806);
  EXPECT_EQ(p.payload_off, 16);
}

TEST(ParserTest, TruncatedTagIsDropped) {
  auto f = Frame({0x00, 0x0a, 0x08}, 0x8100);  // 17 bytes: tag but no inner ethertype
  Packet p = Received(f);
  EXPECT_EQ(ParseFrame(p), DropReason::kTruncatedVlanTag);
}

TEST(ParserTest, NestedTagStaysPayloadBehindTheOuterOne) {
  // Outer VID 10, inner 0x8100 VID 20: the inner tag is payload, as on the wire.
  auto f = Frame({0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x08, 0x00}, 0x8100);
  Packet p = Received(f);
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  EXPECT_EQ(p.tci & 0xfff, 10);
  EXPECT_EQ(p.ethertype, 0x8100);
}

TEST(ParserTest, OutOfBandTagFromTheKernel) {
  auto f = Frame({1, 2}, 0x0806);
  Packet p = Received(f);
  p.aux_tag = true;
  p.aux_tci = 0x0064;
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  EXPECT_TRUE(p.tagged);
  EXPECT_EQ(p.tci, 0x64);
  EXPECT_EQ(p.ethertype, 0x0806);
  EXPECT_EQ(p.payload_off, 12);
}

TEST(ParserTest, StrippedSTagIsKeptAsPayload) {
  auto f = Frame({1, 2}, 0x0800);
  Packet p = Received(f);
  p.aux_tag = true;
  p.aux_tpid = 0x88a8;
  p.aux_tci = 0x0005;
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  EXPECT_FALSE(p.tagged);
  EXPECT_TRUE(p.has_inner_tag);
  EXPECT_EQ(p.ethertype, 0x88a8);
  EXPECT_EQ(p.inner_tag[0], 0x88);
  EXPECT_EQ(p.inner_tag[3], 0x05);
}

TEST(ParserTest, OversizeIsDropped) {
  auto f = Frame({1, 2, 3});
  Packet p = Received(f);
  p.wire_len = p.len + 100;  // the ring truncated it
  EXPECT_EQ(ParseFrame(p), DropReason::kOversize);
}

TEST(ParserTest, InvalidSourceMacs) {
  auto f = Frame({1});
  f[6] = 0x01;  // multicast source
  Packet p = Received(f);
  EXPECT_EQ(ParseFrame(p), DropReason::kInvalidSrcMac);
  for (int i = 6; i < 12; ++i) f[i] = 0;
  Packet q = Received(f);
  EXPECT_EQ(ParseFrame(q), DropReason::kInvalidSrcMac);
}

// SameHeader says "the parser would find the same": it must be false whenever any input
// of ParseFrame differs, so a stage that reuses the previous frame's decision never
// reuses a wrong one.
TEST(ParserTest, SameHeaderOnlyWhenTheParserWouldAgree) {
  auto fa = Frame({1, 2, 3, 4, 5, 6});
  auto fb = Frame({1, 2, 9, 9, 9, 9, 9, 9});  // same 16 bytes, different payload and length
  Packet a = Received(fa), b = Received(fb);
  ASSERT_EQ(ParseFrame(a), std::nullopt);
  EXPECT_TRUE(SameHeader(a, b));
  CopyParsedHeader(a, b);
  Packet c = Received(fb);
  ASSERT_EQ(ParseFrame(c), std::nullopt);
  EXPECT_EQ(b.payload_off, c.payload_off);
  EXPECT_EQ(b.ethertype, c.ethertype);
  EXPECT_EQ(b.tagged, c.tagged);

  auto fd = Frame({1, 3, 3, 4, 5, 6});  // differs in byte 15 (inside a possible tag)
  Packet d = Received(fd);
  EXPECT_FALSE(SameHeader(a, d));
  auto fe = Frame({1, 2, 3, 4, 5, 6}, 0x86dd);
  Packet e = Received(fe);
  EXPECT_FALSE(SameHeader(a, e)) << "ethertype differs";

  Packet stripped = Received(fb);
  stripped.aux_tag = true;
  stripped.aux_tci = 5;
  EXPECT_FALSE(SameHeader(a, stripped)) << "a tag the kernel stripped is part of the header";
  Packet stripped2 = stripped;
  stripped2.aux_tci = 6;
  EXPECT_TRUE(SameHeader(stripped, stripped));
  EXPECT_FALSE(SameHeader(stripped, stripped2)) << "different stripped TCI";

  Packet cut = Received(fb);
  cut.wire_len = cut.len + 1;
  EXPECT_FALSE(SameHeader(a, cut)) << "a truncated frame must meet the oversize check";
  auto fshort = Frame({1, 2, 3});  // 17 bytes: too short to compare 16 bytes and a tag
  Packet s1 = Received(fshort);
  EXPECT_FALSE(SameHeader(a, s1));
  EXPECT_FALSE(SameHeader(s1, a));
}

}  // namespace
}  // namespace pvland
