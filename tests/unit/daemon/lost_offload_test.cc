// Partial checksums that arrive without their offload state (a tunnel's inner frame read
// from a UDP socket): found by the one comparison with the pseudo-header's sum, confirmed
// by the whole sum, and given the offload state that lets the egress complete them.
#include "daemon/packet/lost_offload.h"

#include <gtest/gtest.h>

#include <vector>

#include "daemon/packet/inet_csum.h"
#include "daemon/packet/parser.h"
#include "daemon/packet/wire_frames.h"

namespace pvland {
namespace {

struct Frame {
  std::vector<uint8_t> bytes;
  size_t l4 = 0;
  size_t field = 0;  // the checksum field's offset
  uint64_t pseudo = 0;
};

// Ethernet (optionally tagged) / IPv4 or IPv6 / TCP or UDP with `payload` bytes; the L4
// checksum field holds the pseudo-header's folded sum, as a stack leaves it for offload.
Frame Make(bool ipv6, bool tcp, size_t payload, bool tagged = false, std::vector<uint8_t> tcp_options = {},
           uint8_t tcp_flags = 0x10) {
  Frame f;
  std::vector<uint8_t>& b = f.bytes;
  b = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  if (tagged) b.insert(b.end(), {0x81, 0x00, 0x00, 0x0a});
  b.insert(b.end(), {static_cast<uint8_t>(ipv6 ? 0x86 : 0x08), static_cast<uint8_t>(ipv6 ? 0xdd : 0x00)});
  const size_t l3 = b.size();
  const size_t l4_len = (tcp ? 20 + tcp_options.size() : 8) + payload;
  if (ipv6) {
    b.resize(l3 + 40);
    b[l3] = 0x60;
    StoreBe16(&b[l3 + 4], static_cast<uint16_t>(l4_len));
    b[l3 + 6] = tcp ? kIpProtoTcp : kIpProtoUdp;
    b[l3 + 7] = 64;
    for (int i = 0; i < 32; ++i) b[l3 + 8 + i] = static_cast<uint8_t>(0x20 + i);
    f.pseudo = CsumAdd(0, &b[l3 + 8], 32);
  } else {
    b.resize(l3 + 20);
    b[l3] = 0x45;
    StoreBe16(&b[l3 + 2], static_cast<uint16_t>(20 + l4_len));
    b[l3 + 8] = 64;
    b[l3 + 9] = tcp ? kIpProtoTcp : kIpProtoUdp;
    const uint8_t addrs[8] = {10, 0, 0, 1, 10, 0, 0, 2};
    std::copy(addrs, addrs + 8, &b[l3 + 12]);
    StoreBe16(&b[l3 + 10], CsumFinish(CsumAdd(0, &b[l3], 20)));
    f.pseudo = CsumAdd(0, addrs, 8);
  }
  f.pseudo += (tcp ? kIpProtoTcp : kIpProtoUdp) + l4_len;
  f.l4 = b.size();
  b.resize(f.l4 + (tcp ? 20 : 8));
  StoreBe16(&b[f.l4], 40000);
  StoreBe16(&b[f.l4 + 2], 80);
  if (tcp) {
    b[f.l4 + 12] = static_cast<uint8_t>((20 + tcp_options.size()) / 4 << 4);
    b[f.l4 + 13] = tcp_flags;
    b.insert(b.end(), tcp_options.begin(), tcp_options.end());
  } else {
    StoreBe16(&b[f.l4 + 4], static_cast<uint16_t>(l4_len));
  }
  for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>(i * 13 + 1));
  f.field = f.l4 + (tcp ? 16 : 6);
  StoreBe16(&b[f.field], CsumFold(f.pseudo));
  return f;
}

Packet Parsed(Frame& f) {
  Packet p;
  p.frame = f.bytes.data();
  p.len = p.wire_len = static_cast<uint32_t>(f.bytes.size());
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  return p;
}

bool Verifies(const Frame& f, const std::vector<uint8_t>& b) {
  return CsumFold(CsumAdd(f.pseudo, &b[f.l4], b.size() - f.l4)) == 0xffff;
}

TEST(PartialChecksum, APartialChecksumGetsTheOffloadStateThatCompletesIt) {
  for (bool ipv6 : {false, true}) {
    for (bool tcp : {false, true}) {
      for (bool tagged : {false, true}) {
        Frame f = Make(ipv6, tcp, 301, tagged);
        const std::optional<Offload> off = PartialChecksumOffload(Parsed(f));
        ASSERT_TRUE(off.has_value()) << ipv6 << tcp << tagged;
        EXPECT_TRUE(off->needs_csum());
        EXPECT_FALSE(off->is_gso());
        EXPECT_EQ(off->csum_start, f.l4);
        EXPECT_EQ(off->csum_start + off->csum_offset, f.field);
        // What an egress does with it: the checksum comes out right.
        WireFrames out;
        ASSERT_TRUE(AppendWireFrames(f.bytes, *off, out).ok());
        EXPECT_TRUE(Verifies(f, std::vector<uint8_t>(out.frame(0), out.frame(0) + out.len(0))));
      }
    }
  }
}

TEST(PartialChecksum, CompleteChecksumsAndOtherFramesAreLeftAlone) {
  Frame f = Make(false, true, 100);
  StoreBe16(&f.bytes[f.field], 0);
  StoreBe16(&f.bytes[f.field], CsumFinish(CsumAdd(f.pseudo, &f.bytes[f.l4], f.bytes.size() - f.l4)));
  ASSERT_TRUE(Verifies(f, f.bytes));
  EXPECT_EQ(PartialChecksumOffload(Parsed(f)), std::nullopt) << "complete";

  // A complete checksum that happens to equal the pseudo-header's sum: two payload bytes
  // chosen so the segment verifies with the field as it is.
  Frame g = Make(false, false, 100);
  const uint16_t s = CsumFold(CsumAdd(g.pseudo, &g.bytes[g.l4], g.bytes.size() - g.l4));
  const size_t w = g.l4 + 8;
  StoreBe16(&g.bytes[w], CsumFold(uint64_t{LoadBe16(&g.bytes[w])} + static_cast<uint16_t>(0xffff - s)));
  ASSERT_TRUE(Verifies(g, g.bytes));
  ASSERT_EQ(LoadBe16(&g.bytes[g.field]), CsumFold(g.pseudo));
  EXPECT_EQ(PartialChecksumOffload(Parsed(g)), std::nullopt) << "verifies: not partial";

  Frame frag = Make(false, true, 100);
  frag.bytes[14 + 6] = 0x20;  // more fragments
  StoreBe16(&frag.bytes[14 + 10], 0);
  StoreBe16(&frag.bytes[14 + 10], CsumFinish(CsumAdd(0, &frag.bytes[14], 20)));
  EXPECT_EQ(PartialChecksumOffload(Parsed(frag)), std::nullopt) << "a fragment";

  Frame icmp = Make(false, false, 20);
  icmp.bytes[14 + 9] = kIpProtoIcmp;
  EXPECT_EQ(PartialChecksumOffload(Parsed(icmp)), std::nullopt) << "not TCP or UDP";

  std::vector<uint8_t> arp(42, 0);
  arp[0] = 0xff;
  arp[12] = 0x08;
  arp[13] = 0x06;
  Packet a;
  a.frame = arp.data();
  a.len = a.wire_len = 42;
  ParseFrame(a);
  EXPECT_EQ(PartialChecksumOffload(a), std::nullopt);
}

// Timestamps (NOP NOP TS): 12 bytes of options in every segment.
const std::vector<uint8_t> kTimestamps = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};

TEST(TcpSuperFrame, APartialTcpFrameLargerThanOneSegmentIsCutToTheReceiversMss) {
  for (bool ipv6 : {false, true}) {
    Frame f = Make(ipv6, true, 4000, false, kTimestamps);
    const Packet p = Parsed(f);
    const Offload partial = *PartialChecksumOffload(p);
    const Offload super = TcpSuperFrameOffload(p, partial, 1410);
    EXPECT_EQ(super.gso_type, ipv6 ? kVnetGsoTcpV6 : kVnetGsoTcpV4);
    EXPECT_EQ(super.gso_size, 1398) << "the MSS less the options each segment carries";
    EXPECT_EQ(super.hdr_len, f.l4 + 32);
    EXPECT_TRUE(super.needs_csum());
    // Cut as an egress would: 3 segments, each verifying, the payload whole.
    WireFrames out;
    ASSERT_TRUE(AppendWireFrames(f.bytes, super, out).ok());
    ASSERT_EQ(out.size(), 3u);
    size_t payload = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_LE(out.len(i) - f.l4 - 32, 1398u);
      payload += out.len(i) - f.l4 - 32;
    }
    EXPECT_EQ(payload, 4000u);
  }
}

TEST(TcpSuperFrame, AFrameOfOneSegmentOrNotTcpKeepsItsPartialChecksumOnly) {
  Frame f = Make(false, true, 1398, false, kTimestamps);
  Packet p = Parsed(f);
  Offload o = TcpSuperFrameOffload(p, *PartialChecksumOffload(p), 1410);
  EXPECT_FALSE(o.is_gso()) << "exactly one segment";
  EXPECT_TRUE(o.needs_csum());
  Frame u = Make(false, false, 4000);
  p = Parsed(u);
  EXPECT_FALSE(TcpSuperFrameOffload(p, *PartialChecksumOffload(p), 1410).is_gso()) << "UDP";
  Frame cwr = Make(false, true, 3000, false, {}, 0x80 | 0x10);
  p = Parsed(cwr);
  o = TcpSuperFrameOffload(p, *PartialChecksumOffload(p), 1460);
  EXPECT_EQ(o.gso_type, kVnetGsoTcpV4 | kVnetGsoEcn) << "CWR: the ECN flag, as the sender's GSO had it";
}

}  // namespace
}  // namespace pvland
