#include "daemon/packet/parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
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

// --- L3/L4 metadata ---

// An IPv4 header of `ihl` words (options zero-filled) with `total` as its total length
// (0: header plus `l4` exactly), followed by `l4`.
std::vector<uint8_t> Ipv4(std::vector<uint8_t> l4, uint8_t proto, uint8_t ihl = 5,
                          uint16_t total = 0, uint16_t frag = 0) {
  std::vector<uint8_t> h(ihl * 4u, 0);
  h[0] = static_cast<uint8_t>(0x40 | ihl);
  if (total == 0) total = static_cast<uint16_t>(h.size() + l4.size());
  StoreBe16(&h[2], total);
  StoreBe16(&h[6], frag);
  h[8] = 64;
  h[9] = proto;
  h.insert(h.end(), l4.begin(), l4.end());
  return h;
}

// A TCP header with `doff` words (options zero-filled), and `extra` payload bytes.
std::vector<uint8_t> Tcp(uint8_t doff = 5, size_t extra = 0) {
  std::vector<uint8_t> t(std::max<size_t>(20, doff * 4u) + extra, 0);
  StoreBe16(&t[0], 40000);
  StoreBe16(&t[2], 80);
  t[12] = static_cast<uint8_t>(doff << 4);
  t[13] = 0x02;  // SYN
  return t;
}
std::vector<uint8_t> Udp(size_t payload = 4) {
  std::vector<uint8_t> u(8 + payload, 0);
  StoreBe16(&u[4], static_cast<uint16_t>(u.size()));
  return u;
}
std::vector<uint8_t> Icmp() { return {8, 0, 0, 0, 0, 1, 0, 1}; }  // echo request

// An Ethernet frame (untagged, or with an 802.1Q tag of `vid`) around `l3`, padded to
// the 60-byte minimum as a NIC would.
std::vector<uint8_t> EthFrame(const std::vector<uint8_t>& l3, uint16_t ethertype, int vid = -1) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  if (vid >= 0) f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(vid >> 8), static_cast<uint8_t>(vid)});
  f.push_back(ethertype >> 8);
  f.push_back(ethertype & 0xff);
  f.insert(f.end(), l3.begin(), l3.end());
  if (f.size() < 60) f.resize(60, 0);
  return f;
}

Packet Parsed(std::vector<uint8_t>& f) {
  Packet p = Received(f);
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  return p;
}

TEST(ParserL3L4Test, Ipv4Udp) {
  auto f = EthFrame(Ipv4(Udp(), kIpProtoUdp), kEthTypeIpv4);
  Packet p = Parsed(f);
  EXPECT_EQ(p.l3(), L3Kind::kIpv4);
  EXPECT_EQ(p.l3_off(), 14);
  EXPECT_EQ(p.l3_len, 20);
  EXPECT_EQ(p.ip_proto, kIpProtoUdp);
  EXPECT_TRUE(p.l4_valid());
  EXPECT_FALSE(p.ip_fragment());
  EXPECT_EQ(p.l4_off(), 34);
  EXPECT_EQ(p.l3_header(), f.data() + 14);
  EXPECT_EQ(p.l4_header(), f.data() + 34);
}

TEST(ParserL3L4Test, Ipv4WithOptions) {
  auto f = EthFrame(Ipv4(Tcp(), kIpProtoTcp, /*ihl=*/8), kEthTypeIpv4);
  Packet p = Parsed(f);
  EXPECT_EQ(p.l3(), L3Kind::kIpv4);
  EXPECT_EQ(p.l3_len, 32);
  EXPECT_EQ(p.l4_off(), 14 + 32);
  EXPECT_TRUE(p.l4_valid());
  EXPECT_EQ(LoadBe16(p.l4_header() + 2), 80) << "the TCP destination port, after the options";

  auto g = EthFrame(Ipv4(Udp(), kIpProtoUdp, /*ihl=*/15), kEthTypeIpv4);  // 60-byte header
  Packet q = Parsed(g);
  EXPECT_EQ(q.l3_len, 60);
  EXPECT_TRUE(q.l4_valid());
}

TEST(ParserL3L4Test, BadIhlOrVersionIsNoL3ButNoDrop) {
  for (uint8_t ihl : {0, 1, 4}) {
    auto l3 = Ipv4(Udp(), kIpProtoUdp);
    l3[0] = static_cast<uint8_t>(0x40 | ihl);
    auto f = EthFrame(l3, kEthTypeIpv4);
    Packet p = Parsed(f);
    EXPECT_EQ(p.l3(), L3Kind::kNone) << "ihl " << int(ihl);
    EXPECT_FALSE(p.l4_valid());
    EXPECT_EQ(p.l3_len, 0);
    EXPECT_EQ(p.ip_proto, 0);
  }
  auto l3 = Ipv4(Udp(), kIpProtoUdp);
  l3[0] = 0x65;  // version 6 behind ethertype 0x0800
  auto f = EthFrame(l3, kEthTypeIpv4);
  EXPECT_EQ(Parsed(f).l3(), L3Kind::kNone);
  // ihl larger than the frame: 15 words announced, 28 bytes present.
  auto g = Frame({0x4f, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(Parsed(g).l3(), L3Kind::kNone);
}

TEST(ParserL3L4Test, TotalLengthIsCheckedAgainstTheFrame) {
  auto exact = Ipv4(Udp(), kIpProtoUdp);
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};
  f.insert(f.end(), exact.begin(), exact.end());  // no padding: total length == what is left
  EXPECT_EQ(Parsed(f).l3(), L3Kind::kIpv4);
  StoreBe16(&f[14 + 2], static_cast<uint16_t>(exact.size() + 1));  // one byte beyond the frame
  Packet p = Parsed(f);
  EXPECT_EQ(p.l3(), L3Kind::kNone);
  EXPECT_FALSE(p.l4_valid());
  StoreBe16(&f[14 + 2], 19);  // shorter than its own header
  EXPECT_EQ(Parsed(f).l3(), L3Kind::kNone);
}

TEST(ParserL3L4Test, L4MustLieInsideTheTotalLengthNotJustTheFrame) {
  // The frame is padded to 60 bytes, but the IP packet ends 4 bytes into the UDP header.
  auto f = EthFrame(Ipv4({0, 53, 0, 53}, kIpProtoUdp), kEthTypeIpv4);
  Packet p = Parsed(f);
  EXPECT_EQ(p.l3(), L3Kind::kIpv4);
  EXPECT_EQ(p.ip_proto, kIpProtoUdp);
  EXPECT_FALSE(p.l4_valid()) << "truncated UDP header";
}

TEST(ParserL3L4Test, FirstFragmentHasL4LaterFragmentsDoNot) {
  auto first = EthFrame(Ipv4(Tcp(), kIpProtoTcp, 5, 0, /*MF*/ 0x2000), kEthTypeIpv4);
  Packet p = Parsed(first);
  EXPECT_EQ(p.l3(), L3Kind::kIpv4);
  EXPECT_TRUE(p.ip_fragment());
  EXPECT_FALSE(p.ip_later_fragment());
  EXPECT_TRUE(p.l4_valid());

  // Offset 1 (8 bytes), MF set; the bytes after the header look like a TCP header but are
  // the middle of a payload.
  auto later = EthFrame(Ipv4(Tcp(), kIpProtoTcp, 5, 0, 0x2001), kEthTypeIpv4);
  Packet q = Parsed(later);
  EXPECT_EQ(q.l3(), L3Kind::kIpv4);
  EXPECT_TRUE(q.ip_fragment());
  EXPECT_TRUE(q.ip_later_fragment());
  EXPECT_FALSE(q.l4_valid());
  EXPECT_EQ(q.ip_proto, kIpProtoTcp) << "the protocol is known for every fragment";

  auto last = EthFrame(Ipv4(Udp(), kIpProtoUdp, 5, 0, 0x00b9), kEthTypeIpv4);  // offset, no MF
  Packet r = Parsed(last);
  EXPECT_TRUE(r.ip_later_fragment());
  EXPECT_FALSE(r.l4_valid());

  auto df = EthFrame(Ipv4(Udp(), kIpProtoUdp, 5, 0, 0x4000), kEthTypeIpv4);  // DF only
  Packet s = Parsed(df);
  EXPECT_FALSE(s.ip_fragment());
  EXPECT_TRUE(s.l4_valid());
}

TEST(ParserL3L4Test, TcpWithOptions) {
  auto f = EthFrame(Ipv4(Tcp(/*doff=*/10, 3), kIpProtoTcp), kEthTypeIpv4);
  Packet p = Parsed(f);
  EXPECT_EQ(p.ip_proto, kIpProtoTcp);
  EXPECT_TRUE(p.l4_valid());
  EXPECT_EQ(p.l4_header()[12] >> 4, 10);
  // Options ending exactly at the end of the IP packet.
  auto g = EthFrame(Ipv4(Tcp(15), kIpProtoTcp), kEthTypeIpv4);
  EXPECT_TRUE(Parsed(g).l4_valid());
}

TEST(ParserL3L4Test, TcpDataOffsetTooSmallOrTooLarge) {
  for (uint8_t doff : {0, 4}) {
    auto tcp = Tcp();
    tcp[12] = static_cast<uint8_t>(doff << 4);
    auto f = EthFrame(Ipv4(tcp, kIpProtoTcp), kEthTypeIpv4);
    Packet p = Parsed(f);
    EXPECT_EQ(p.l3(), L3Kind::kIpv4) << "the IP header itself is fine";
    EXPECT_FALSE(p.l4_valid()) << "doff " << int(doff);
  }
  // 6 words announced, 20 bytes in the IP packet (the frame's padding does not count).
  auto tcp = Tcp();
  tcp[12] = 6 << 4;
  auto f = EthFrame(Ipv4(tcp, kIpProtoTcp), kEthTypeIpv4);
  ASSERT_GE(f.size(), 14u + 20 + 24);
  EXPECT_FALSE(Parsed(f).l4_valid());
}

TEST(ParserL3L4Test, TruncatedL4) {
  auto tcp = Tcp();
  tcp.resize(19);
  auto f = EthFrame(Ipv4(tcp, kIpProtoTcp), kEthTypeIpv4);
  Packet p = Parsed(f);
  EXPECT_EQ(p.l3(), L3Kind::kIpv4);
  EXPECT_FALSE(p.l4_valid());
  auto g = EthFrame(Ipv4({8, 0, 0, 0, 0, 1, 0}, kIpProtoIcmp), kEthTypeIpv4);  // 7 of 8 bytes
  EXPECT_FALSE(Parsed(g).l4_valid());
  auto h = EthFrame(Ipv4(Udp(0), kIpProtoUdp), kEthTypeIpv4);  // bare 8-byte UDP header
  EXPECT_TRUE(Parsed(h).l4_valid());
}

TEST(ParserL3L4Test, IcmpAndOtherProtocols) {
  auto f = EthFrame(Ipv4(Icmp(), kIpProtoIcmp), kEthTypeIpv4);
  Packet p = Parsed(f);
  EXPECT_EQ(p.ip_proto, kIpProtoIcmp);
  EXPECT_TRUE(p.l4_valid());
  EXPECT_EQ(p.l4_header()[0], 8);
  auto g = EthFrame(Ipv4(std::vector<uint8_t>(12, 0), 47), kEthTypeIpv4);  // GRE: not parsed
  Packet q = Parsed(g);
  EXPECT_EQ(q.l3(), L3Kind::kIpv4);
  EXPECT_EQ(q.ip_proto, 47);
  EXPECT_FALSE(q.l4_valid());
}

std::vector<uint8_t> Ipv6(const std::vector<uint8_t>& l4, uint8_t next, int payload_len = -1) {
  std::vector<uint8_t> h(40, 0);
  h[0] = 0x60;
  StoreBe16(&h[4], static_cast<uint16_t>(payload_len < 0 ? l4.size() : payload_len));
  h[6] = next;
  h[7] = 64;
  h[8] = 0xfe;
  h[9] = 0x80;
  h.insert(h.end(), l4.begin(), l4.end());
  return h;
}

TEST(ParserL3L4Test, Ipv6Tcp) {
  auto f = EthFrame(Ipv6(Tcp(8), kIpProtoTcp), kEthTypeIpv6);
  Packet p = Parsed(f);
  EXPECT_EQ(p.l3(), L3Kind::kIpv6);
  EXPECT_EQ(p.l3_len, 40);
  EXPECT_EQ(p.ip_proto, kIpProtoTcp);
  EXPECT_TRUE(p.l4_valid());
  EXPECT_EQ(p.l4_off(), 54);
  EXPECT_FALSE(p.ip_fragment());

  auto g = EthFrame(Ipv6({0x87, 0, 0, 0, 0, 0, 0, 0}, kIpProtoIcmpv6), kEthTypeIpv6);  // NS
  Packet q = Parsed(g);
  EXPECT_EQ(q.ip_proto, kIpProtoIcmpv6);
  EXPECT_TRUE(q.l4_valid());
}

TEST(ParserL3L4Test, Ipv6BoundsAndExtensionHeaders) {
  auto f = EthFrame(Ipv6(Tcp(), kIpProtoTcp, /*payload_len=*/200), kEthTypeIpv6);
  EXPECT_EQ(Parsed(f).l3(), L3Kind::kNone) << "payload length beyond the frame";
  auto g = EthFrame(Ipv6(Tcp(), kIpProtoTcp, /*payload_len=*/10), kEthTypeIpv6);
  Packet q = Parsed(g);
  EXPECT_EQ(q.l3(), L3Kind::kIpv6);
  EXPECT_FALSE(q.l4_valid()) << "TCP header longer than the payload length";
  auto h = EthFrame(Ipv6(std::vector<uint8_t>(16, 0), /*hop-by-hop*/ 0), kEthTypeIpv6);
  Packet r = Parsed(h);
  EXPECT_EQ(r.l3(), L3Kind::kIpv6);
  EXPECT_FALSE(r.l4_valid()) << "extension headers are not walked";
  std::vector<uint8_t> cut = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60, 0, 0, 0};
  EXPECT_EQ(Parsed(cut).l3(), L3Kind::kNone) << "shorter than the fixed header";
}

TEST(ParserL3L4Test, Arp) {
  std::vector<uint8_t> arp = {0, 1, 8, 0, 6, 4, 0, 1};  // Ethernet, IPv4, request
  arp.resize(28, 0);
  auto f = EthFrame(arp, kEthTypeArp);
  Packet p = Parsed(f);
  EXPECT_EQ(p.l3(), L3Kind::kArp);
  EXPECT_EQ(p.l3_len, 28);
  EXPECT_FALSE(p.l4_valid());
  auto g = Frame(std::initializer_list<uint8_t>{0, 1, 8, 0, 6, 4, 0, 1}, kEthTypeArp);  // 8 of 28
  EXPECT_EQ(Parsed(g).l3(), L3Kind::kNone);
  arp[4] = 8;  // 8-byte hardware addresses: not the 28-byte layout
  auto h = EthFrame(arp, kEthTypeArp);
  EXPECT_EQ(Parsed(h).l3(), L3Kind::kNone);
}

TEST(ParserL3L4Test, TaggedFramesCountTheTag) {
  auto f = EthFrame(Ipv4(Tcp(), kIpProtoTcp, 6), kEthTypeIpv4, /*vid=*/100);
  Packet p = Parsed(f);
  EXPECT_TRUE(p.tagged);
  EXPECT_EQ(p.l3(), L3Kind::kIpv4);
  EXPECT_EQ(p.l3_off(), 18);
  EXPECT_EQ(p.l4_off(), 18 + 24);
  EXPECT_TRUE(p.l4_valid());
  EXPECT_EQ(LoadBe16(p.l4_header() + 2), 80);

  // The kernel stripped the tag: the frame's bytes are untagged, offsets follow them.
  auto g = EthFrame(Ipv4(Udp(), kIpProtoUdp), kEthTypeIpv4);
  Packet q = Received(g);
  q.aux_tag = true;
  q.aux_tci = 100;
  ASSERT_EQ(ParseFrame(q), std::nullopt);
  EXPECT_TRUE(q.tagged);
  EXPECT_EQ(q.l3_off(), 14);
  EXPECT_TRUE(q.l4_valid());

  // Behind a stripped S-tag or a second in-band tag, the payload is not IP to this switch.
  Packet s = Received(g);
  s.aux_tag = true;
  s.aux_tpid = 0x88a8;
  ASSERT_EQ(ParseFrame(s), std::nullopt);
  EXPECT_EQ(s.l3(), L3Kind::kNone);
  auto inner = Ipv4(Udp(), kIpProtoUdp);
  inner.insert(inner.begin(), {0x00, 0x14, 0x08, 0x00});
  auto qinq = EthFrame(inner, 0x8100, 10);
  EXPECT_EQ(Parsed(qinq).l3(), L3Kind::kNone);
}

TEST(ParserL3L4Test, ReparsingClearsWhatAnEarlierFrameLeft) {
  auto f = EthFrame(Ipv4(Tcp(), kIpProtoTcp, 5, 0, 0x2000), kEthTypeIpv4);
  Packet p = Parsed(f);
  ASSERT_TRUE(p.l4_valid());
  auto g = EthFrame(std::vector<uint8_t>(8, 0), 0x88cc);  // LLDP
  p.frame = g.data();
  p.len = p.wire_len = static_cast<uint32_t>(g.size());
  ASSERT_EQ(ParseFrame(p), std::nullopt);
  EXPECT_EQ(p.l3_info, 0);
  EXPECT_EQ(p.l3_len, 0);
  EXPECT_EQ(p.ip_proto, 0);
}

// Frames of one flow share the Ethernet header but not the IP header: after
// CopyParsedHeader, ParseL3L4 gives what a full ParseFrame would.
TEST(ParserL3L4Test, SameHeaderFramesGetTheirOwnL3L4) {
  auto fa = EthFrame(Ipv4(Udp(), kIpProtoUdp), kEthTypeIpv4);
  auto fb = EthFrame(Ipv4(Tcp(), kIpProtoTcp, 5, 0, 0x2001), kEthTypeIpv4);
  Packet a = Parsed(fa);
  Packet b = Received(fb);
  ASSERT_TRUE(SameHeader(a, b));
  CopyParsedHeader(a, b);
  ParseL3L4(b);
  Packet c = Parsed(fb);
  EXPECT_EQ(b.l3_info, c.l3_info);
  EXPECT_EQ(b.l3_len, c.l3_len);
  EXPECT_EQ(b.ip_proto, c.ip_proto);
  EXPECT_TRUE(b.ip_later_fragment());
  EXPECT_FALSE(b.l4_valid());
}

// SameL3L4 lets the parse stage keep the L3/L4 fields CopyParsedHeader brought along: it
// must be false whenever ParseL3L4 would find anything else in the second frame.
TEST(ParserL3L4Test, SameL3L4OnlyWhenTheParseWouldAgree) {
  auto base = EthFrame(Ipv4(Tcp(8), kIpProtoTcp), kEthTypeIpv4);
  Packet a = Parsed(base);
  ASSERT_EQ(a.l3_info, static_cast<uint8_t>(L3Kind::kIpv4) | kL4Valid);

  auto check = [&](std::vector<uint8_t> f, bool expect_same, const char* what) {
    Packet b = Received(f);
    ASSERT_TRUE(SameHeader(a, b)) << what;
    CopyParsedHeader(a, b);
    EXPECT_EQ(SameL3L4(a, b), expect_same) << what;
    Packet full = Parsed(f);
    if (expect_same) {
      EXPECT_EQ(b.l3_info, full.l3_info) << what;
      EXPECT_EQ(b.l3_len, full.l3_len) << what;
      EXPECT_EQ(b.ip_proto, full.ip_proto) << what;
    }
    ParseL3L4(b);
    EXPECT_EQ(b.l3_info, full.l3_info) << what;
    EXPECT_EQ(b.l3_len, full.l3_len) << what;
    EXPECT_EQ(b.ip_proto, full.ip_proto) << what;
  };
  auto next = base;
  next[14 + 4] ^= 0xff;   // identification
  next[14 + 8] = 1;       // TTL
  next[14 + 10] ^= 0x55;  // checksum
  next[14 + 20 + 4] ^= 1; // sequence number
  check(next, true, "the flow's next packet");

  auto other_total = base;
  StoreBe16(&other_total[14 + 2], 20 + 20);  // the TCP options no longer fit
  check(other_total, false, "total length");
  auto fragment = base;
  StoreBe16(&fragment[14 + 6], 0x2000);
  check(fragment, false, "MF");
  auto udp = base;
  udp[14 + 9] = kIpProtoUdp;
  check(udp, false, "protocol");
  auto doff = base;
  doff[14 + 20 + 12] = 0xf0;  // 60 bytes of TCP header: beyond the packet
  check(doff, false, "TCP data offset");
  auto flags_only = base;
  flags_only[14 + 20 + 12] |= 0x01;  // NS flag, in the data offset's byte
  check(flags_only, true, "the low nibble of the data offset byte");

  auto longer = base;
  longer.push_back(0);
  Packet l = Received(longer);
  EXPECT_FALSE(SameL3L4(a, l)) << "frame length";

  auto frag_base = EthFrame(Ipv4(Udp(), kIpProtoUdp, 5, 0, 0x2000), kEthTypeIpv4);
  Packet fa = Parsed(frag_base);
  Packet fb = Received(frag_base);
  EXPECT_FALSE(SameL3L4(fa, fb)) << "fragments are always parsed";
  std::vector<uint8_t> arp_body = {0, 1, 8, 0, 6, 4, 0, 1};
  arp_body.resize(28, 0);
  auto arp = EthFrame(arp_body, kEthTypeArp);
  Packet aa = Parsed(arp);
  ASSERT_EQ(aa.l3(), L3Kind::kArp);
  Packet ab = Received(arp);
  EXPECT_FALSE(SameL3L4(aa, ab)) << "not IPv4";
}

TEST(ParserL3L4Test, CopyParsedHeaderCopiesEveryParserField) {
  auto f = EthFrame(Ipv4(Udp(), kIpProtoUdp, 6), kEthTypeIpv4, 7);
  Packet a = Parsed(f);
  Packet b = Received(f);
  CopyParsedHeader(a, b);
  EXPECT_EQ(b.tagged, a.tagged);
  EXPECT_EQ(b.tci, a.tci);
  EXPECT_EQ(b.payload_off, a.payload_off);
  EXPECT_EQ(b.ethertype, a.ethertype);
  EXPECT_EQ(b.has_inner_tag, a.has_inner_tag);
  EXPECT_EQ(0, std::memcmp(b.inner_tag, a.inner_tag, sizeof a.inner_tag));
  EXPECT_EQ(b.l3_info, a.l3_info);
  EXPECT_EQ(b.l3_len, a.l3_len);
  EXPECT_EQ(b.ip_proto, a.ip_proto);
  EXPECT_EQ(b.vid, 0) << "VLAN classification's fields are not the parser's";
}

TEST(ParserL3L4Test, PacketStaysSmall) { EXPECT_LE(sizeof(Packet), 56u); }

}  // namespace
}  // namespace pvland
