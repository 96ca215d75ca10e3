// The TCP segment reader: header fields, options as conntrack reads them, bounds, and
// reading from a parsed frame.
#include "daemon/psf/tcp_segment.h"

#include <vector>

#include "daemon/packet/packet.h"
#include "daemon/packet/parser.h"
#include "daemon/psf/track.h"
#include "gtest/gtest.h"

namespace pvland::psf {
namespace {

void Put16(std::vector<uint8_t>& v, size_t at, uint16_t x) { StoreBe16(v.data() + at, x); }
void Put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  Put16(v, at, static_cast<uint16_t>(x >> 16));
  Put16(v, at + 2, static_cast<uint16_t>(x));
}

// A TCP header with `opts` (padded to 4 bytes with EOL) and `payload` zero bytes.
std::vector<uint8_t> Tcp(uint8_t flags, uint32_t seq, uint32_t ack, std::vector<uint8_t> opts = {},
                         size_t payload = 0) {
  while (opts.size() % 4 != 0) opts.push_back(0);
  std::vector<uint8_t> h(20 + opts.size() + payload, 0);
  Put16(h, 0, 40000);
  Put16(h, 2, 80);
  Put32(h, 4, seq);
  Put32(h, 8, ack);
  h[12] = static_cast<uint8_t>(((20 + opts.size()) / 4) << 4);
  h[13] = flags;
  Put16(h, 14, 29200);
  std::copy(opts.begin(), opts.end(), h.begin() + 20);
  return h;
}

TEST(PsfSegment, HeaderFields) {
  TcpSegment s;
  const auto h = Tcp(kTcpSyn | kTcpEce | kTcpCwr, 0x11223344, 0, {}, 0);
  ASSERT_EQ(ParseTcpHeader(h, s), SegmentStatus::kOk);
  EXPECT_EQ(s.sport, 40000);
  EXPECT_EQ(s.dport, 80);
  EXPECT_EQ(s.seq, 0x11223344u);
  EXPECT_EQ(s.window, 29200);
  EXPECT_EQ(s.header_len, 20);
  EXPECT_EQ(s.payload_len, 0u);
  EXPECT_EQ(s.end(), 0x11223345u);  // SYN counts one
  const auto d = Tcp(kTcpFin | kTcpAck, 1000, 7, {}, 100);
  ASSERT_EQ(ParseTcpHeader(d, s), SegmentStatus::kOk);
  EXPECT_EQ(s.payload_len, 100u);
  EXPECT_EQ(s.end(), 1101u);  // data plus FIN
}

TEST(PsfSegment, SynOptions) {
  TcpSegment s;
  // MSS, SACK-permitted, timestamps, NOP, window scale 7: Linux's SYN layout.
  const auto h = Tcp(kTcpSyn, 1, 0, {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7});
  ASSERT_EQ(ParseTcpHeader(h, s), SegmentStatus::kOk);
  EXPECT_TRUE(s.sack_permitted);
  EXPECT_TRUE(s.has_window_scale);
  EXPECT_EQ(s.window_scale, 7);
  EXPECT_TRUE(s.has_mss);
  EXPECT_EQ(s.mss, 1460);
  // A shift above 14 is taken as 14.
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpSyn, 1, 0, {1, 3, 3, 20}), s), SegmentStatus::kOk);
  EXPECT_EQ(s.window_scale, 14);
  EXPECT_FALSE(s.has_mss) << "not kept from the header before";
  // An MSS option of another length is not one.
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpSyn, 1, 0, {2, 3, 5, 1, 1, 1}), s), SegmentStatus::kOk);
  EXPECT_FALSE(s.has_mss);
}

TEST(PsfSegment, OptionParsingStopsLikeConntrack) {
  TcpSegment s;
  // EOL ends the list: the window scale after it is not read.
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpSyn, 1, 0, {0, 3, 3, 7}), s), SegmentStatus::kOk);
  EXPECT_FALSE(s.has_window_scale);
  // A length below 2 stops, so does one running past the header.
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpSyn, 1, 0, {8, 1, 3, 3, 7, 1, 1, 1}), s), SegmentStatus::kOk);
  EXPECT_FALSE(s.has_window_scale);
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpSyn, 1, 0, {1, 1, 4, 2, 3, 9, 7, 0}), s), SegmentStatus::kOk);
  EXPECT_TRUE(s.sack_permitted);
  EXPECT_FALSE(s.has_window_scale);
  // Wrong sizes are skipped, not taken.
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpSyn, 1, 0, {4, 3, 0, 3, 4, 7, 0, 1, 1, 3, 3, 6}), s), SegmentStatus::kOk);
  EXPECT_FALSE(s.sack_permitted);
  EXPECT_TRUE(s.has_window_scale);
  EXPECT_EQ(s.window_scale, 6);
}

TEST(PsfSegment, SackBlocksAndHighestEdge) {
  TcpSegment s;
  std::vector<uint8_t> o = {1, 1, 5, 26};
  for (uint32_t edge : {2000u, 3000u, 9000u, 10000u, 4000u, 5000u}) {
    for (int i = 3; i >= 0; --i) o.push_back(static_cast<uint8_t>(edge >> (8 * i)));
  }
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpAck, 1, 1500, o), s), SegmentStatus::kOk);
  ASSERT_EQ(s.sack_count, 3);
  EXPECT_EQ(s.sack[1].left, 9000u);
  EXPECT_EQ(s.sack[1].right, 10000u);
  EXPECT_EQ(s.HighestSack(), 10000u);
  // Edges before the ACK do not lower it; comparisons wrap like sequence numbers.
  s.ack = 0xfffffff0u;
  s.sack_count = 1;
  s.sack[0] = SackBlock{0xfffffff0u, 0x10};
  EXPECT_EQ(s.HighestSack(), 0x10u);
  s.sack[0] = SackBlock{1, 0xffffff00u};
  EXPECT_EQ(s.HighestSack(), 0xfffffff0u);
  // A SACK option of a wrong length is no SACK.
  ASSERT_EQ(ParseTcpHeader(Tcp(kTcpAck, 1, 1500, {5, 6, 0, 0, 0, 1}), s), SegmentStatus::kOk);
  EXPECT_EQ(s.sack_count, 0);
}

TEST(PsfSegment, BoundsAreChecked) {
  TcpSegment s;
  auto h = Tcp(kTcpAck, 1, 1);
  EXPECT_EQ(ParseTcpHeader(std::span<const uint8_t>(h.data(), 19), s), SegmentStatus::kMalformed);
  h[12] = 4 << 4;  // data offset 16 bytes
  EXPECT_EQ(ParseTcpHeader(h, s), SegmentStatus::kMalformed);
  h[12] = 6 << 4;  // 24 bytes, only 20 there
  EXPECT_EQ(ParseTcpHeader(h, s), SegmentStatus::kMalformed);
}

// Ethernet + IPv4 (or IPv6) + TCP, padded to 60 bytes like a minimum frame.
std::vector<uint8_t> Frame(const std::vector<uint8_t>& tcp, bool v6 = false, uint16_t frag = 0) {
  std::vector<uint8_t> f(14, 0);
  f[0] = 0x02;
  f[6] = 0x02;
  f[11] = 1;
  const size_t ip = f.size();
  if (!v6) {
    Put16(f, 12, kEthTypeIpv4);
    f.resize(ip + 20, 0);
    f[ip] = 0x45;
    Put16(f, ip + 2, static_cast<uint16_t>(20 + tcp.size()));
    Put16(f, ip + 6, frag);
    f[ip + 8] = 64;
    f[ip + 9] = kIpProtoTcp;
    Put32(f, ip + 12, 0x0a000001);
    Put32(f, ip + 16, 0x0a000002);
  } else {
    Put16(f, 12, kEthTypeIpv6);
    f.resize(ip + 40, 0);
    f[ip] = 0x60;
    Put16(f, ip + 4, static_cast<uint16_t>(tcp.size()));
    f[ip + 6] = kIpProtoTcp;
    f[ip + 7] = 64;
    f[ip + 8] = 0x20;
    f[ip + 9] = 0x01;
    f[ip + 23] = 1;
    f[ip + 24] = 0x20;
    f[ip + 25] = 0x01;
    f[ip + 39] = 2;
  }
  f.insert(f.end(), tcp.begin(), tcp.end());
  if (f.size() < 60) f.resize(60, 0);
  return f;
}

Packet Parsed(std::vector<uint8_t>& f) {
  Packet p;
  p.frame = f.data();
  p.len = p.wire_len = static_cast<uint32_t>(f.size());
  EXPECT_FALSE(ParseFrame(p).has_value());
  p.vid = 5;
  return p;
}

TEST(PsfSegment, ReadFromAnIpv4Frame) {
  auto f = Frame(Tcp(kTcpAck, 7, 9));
  Packet p = Parsed(f);
  TcpSegment s;
  ASSERT_EQ(ReadTcpSegment(p, s), SegmentStatus::kOk);
  EXPECT_EQ(s.src, Ipv4Mapped(0x0a000001));
  EXPECT_EQ(s.dst, Ipv4Mapped(0x0a000002));
  EXPECT_EQ(s.vid, 5);
  EXPECT_EQ(s.seq, 7u);
  EXPECT_EQ(s.payload_len, 0u);  // the Ethernet padding is not payload
}

TEST(PsfSegment, ReadFromAnIpv6Frame) {
  auto f = Frame(Tcp(kTcpAck, 7, 9, {}, 3), true);
  Packet p = Parsed(f);
  TcpSegment s;
  ASSERT_EQ(ReadTcpSegment(p, s), SegmentStatus::kOk);
  EXPECT_FALSE(IsIpv4Mapped(s.src));
  EXPECT_EQ(s.src[0], 0x20);
  EXPECT_EQ(s.dst[15], 2);
  EXPECT_EQ(s.payload_len, 3u);
}

TEST(PsfSegment, FragmentsAndOtherProtocolsAreNotRead) {
  TcpSegment s;
  auto first = Frame(Tcp(kTcpAck, 7, 9), false, 0x2000);  // more fragments
  Packet p = Parsed(first);
  EXPECT_EQ(ReadTcpSegment(p, s), SegmentStatus::kNotTcp);
  auto udp = Frame(Tcp(kTcpAck, 7, 9));
  udp[14 + 9] = kIpProtoUdp;
  Packet q = Parsed(udp);
  EXPECT_EQ(ReadTcpSegment(q, s), SegmentStatus::kNotTcp);
  FlowTable t;
  EXPECT_TRUE(TrackPacket(t, q, PortDir::kFromPort, 0).pass);
  EXPECT_EQ(t.size(), 0u);
}

TEST(PsfSegment, MalformedHeaderIsDropped) {
  auto tcp = Tcp(kTcpAck, 7, 9);
  tcp[12] = 15 << 4;  // 60-byte header in a 20-byte segment
  auto f = Frame(tcp);
  Packet p = Parsed(f);
  TcpSegment s;
  EXPECT_EQ(ReadTcpSegment(p, s), SegmentStatus::kMalformed);
  FlowTable t;
  Verdict v = TrackPacket(t, p, PortDir::kFromPort, 0);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kMalformed);
}

TEST(PsfSegment, TrackPacketOpensOnASyn) {
  auto f = Frame(Tcp(kTcpSyn, 7, 0, {1, 3, 3, 7}));
  Packet p = Parsed(f);
  FlowTable t;
  FakeClock clock;
  Verdict v = TrackPacket(t, p, PortDir::kToPort, clock.Now());
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynSent);
  t.ForEach([](const FlowEntry& e) {
    EXPECT_EQ(e.key.vid, 5);
    EXPECT_EQ(e.origin_dir(), PortDir::kToPort);
    EXPECT_EQ(e.conn.scale(CtDir::kOriginal), 7);
  });
}

}  // namespace
}  // namespace pvland::psf
