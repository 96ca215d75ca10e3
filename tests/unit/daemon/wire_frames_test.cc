// Software segmentation and checksum completion (daemon/packet/wire_frames.h): every
// segment is checked as a receiver would check it (IPv4 header checksum, L4 checksum over
// the pseudo-header), and the payloads put back together must be the original.
#include "daemon/packet/wire_frames.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "daemon/packet/inet_csum.h"
#include "daemon/packet/parser.h"

namespace pvland {
namespace {

constexpr uint8_t kSrcIp[4] = {10, 0, 0, 1};
constexpr uint8_t kDstIp[4] = {10, 0, 0, 2};

struct Built {
  std::vector<uint8_t> bytes;
  Offload off;
};

// An Ethernet/IPv4 (or IPv6)/TCP or UDP frame with `payload` bytes of a counting pattern,
// its L4 checksum left partial (the pseudo-header's folded sum), as a stack with checksum
// offload hands it over.
Built MakeFrame(bool ipv6, bool tcp, size_t payload, uint8_t tcp_flags = 0x18, bool vlan = false) {
  std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  if (vlan) f.insert(f.end(), {0x81, 0x00, 0x00, 0x0a});
  f.insert(f.end(), {0x08, 0x00});
  if (ipv6) {
    f[f.size() - 2] = 0x86;
    f[f.size() - 1] = 0xdd;
  }
  const size_t l3 = f.size();
  const size_t l4_hdr = tcp ? 20 : 8;
  const size_t l4_len = l4_hdr + payload;
  if (ipv6) {
    f.resize(l3 + 40);
    f[l3] = 0x60;
    StoreBe16(&f[l3 + 4], static_cast<uint16_t>(l4_len));
    f[l3 + 6] = tcp ? kIpProtoTcp : kIpProtoUdp;
    f[l3 + 7] = 64;
    for (int i = 0; i < 16; ++i) {
      f[l3 + 8 + i] = static_cast<uint8_t>(0x20 + i);
      f[l3 + 24 + i] = static_cast<uint8_t>(0x40 + i);
    }
  } else {
    f.resize(l3 + 20);
    f[l3] = 0x45;
    StoreBe16(&f[l3 + 2], static_cast<uint16_t>(20 + l4_len));
    StoreBe16(&f[l3 + 4], 0xfff0);  // the ID wraps during the test
    f[l3 + 6] = 0x40;
    f[l3 + 8] = 64;
    f[l3 + 9] = tcp ? kIpProtoTcp : kIpProtoUdp;
    std::memcpy(&f[l3 + 12], kSrcIp, 4);
    std::memcpy(&f[l3 + 16], kDstIp, 4);
    StoreBe16(&f[l3 + 10], CsumFinish(CsumAdd(0, &f[l3], 20)));
  }
  const size_t l4 = f.size();
  f.resize(l4 + l4_hdr);
  StoreBe16(&f[l4], 40000);
  StoreBe16(&f[l4 + 2], 80);
  if (tcp) {
    const uint32_t seq = __builtin_bswap32(0xfffff000u);  // wraps too
    std::memcpy(&f[l4 + 4], &seq, 4);
    f[l4 + 12] = 0x50;
    f[l4 + 13] = tcp_flags;
    StoreBe16(&f[l4 + 14], 65535);
  } else {
    StoreBe16(&f[l4 + 4], static_cast<uint16_t>(l4_len));
  }
  for (size_t i = 0; i < payload; ++i) f.push_back(static_cast<uint8_t>(i * 7 + 3));
  // CHECKSUM_PARTIAL: the field holds the pseudo-header's folded sum.
  const uint8_t* ip = &f[l3];
  uint64_t pseudo = ipv6 ? CsumAdd(0, ip + 8, 32) : CsumAdd(0, ip + 12, 8);
  pseudo += (tcp ? kIpProtoTcp : kIpProtoUdp) + l4_len;
  StoreBe16(&f[l4 + (tcp ? 16 : 6)], CsumFold(pseudo));
  Built b;
  b.bytes = std::move(f);
  b.off.flags = kVnetNeedsCsum;
  b.off.csum_start = static_cast<uint16_t>(l4);
  b.off.csum_offset = tcp ? 16 : 6;
  return b;
}

// A receiver's checks; returns the segment's payload.
std::vector<uint8_t> CheckSegment(const uint8_t* f, size_t len, bool ipv6, bool tcp, size_t l3) {
  const uint8_t* ip = f + l3;
  size_t l4;
  if (ipv6) {
    EXPECT_EQ(LoadBe16(ip + 4), len - l3 - 40);
    l4 = l3 + 40;
  } else {
    EXPECT_EQ(CsumFold(CsumAdd(0, ip, 20)), 0xffff) << "IPv4 header checksum";
    EXPECT_EQ(LoadBe16(ip + 2), len - l3);
    l4 = l3 + 20;
  }
  const size_t l4_len = len - l4;
  uint64_t sum = ipv6 ? CsumAdd(0, ip + 8, 32) : CsumAdd(0, ip + 12, 8);
  sum += (tcp ? kIpProtoTcp : kIpProtoUdp) + l4_len;
  EXPECT_EQ(CsumFold(CsumAdd(sum, f + l4, l4_len)), 0xffff) << "L4 checksum";
  if (!tcp) {
    EXPECT_EQ(LoadBe16(f + l4 + 4), l4_len);
  }
  const size_t hdr = tcp ? 20 : 8;
  return std::vector<uint8_t>(f + l4 + hdr, f + len);
}

TEST(WireFramesTest, PlainFrameIsCopiedAsIs) {
  Built b = MakeFrame(false, false, 100);
  b.off = Offload{};
  WireFrames out(8);
  ASSERT_TRUE(AppendWireFrames(b.bytes, b.off, out).ok());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out.len(0), b.bytes.size());
  EXPECT_EQ(0, std::memcmp(out.frame(0), b.bytes.data(), b.bytes.size()));
  EXPECT_EQ(out.frame(0) - out.with_headroom(0), 8);
}

TEST(WireFramesTest, PartialChecksumIsCompleted) {
  for (bool ipv6 : {false, true}) {
    for (bool tcp : {false, true}) {
      Built b = MakeFrame(ipv6, tcp, 333);
      WireFrames out;
      ASSERT_TRUE(AppendWireFrames(b.bytes, b.off, out).ok());
      ASSERT_EQ(out.size(), 1u);
      const std::vector<uint8_t> pl = CheckSegment(out.frame(0), out.len(0), ipv6, tcp, 14);
      EXPECT_EQ(pl.size(), 333u);
    }
  }
}

TEST(WireFramesTest, TcpSuperFrameIsCutLikeTso) {
  for (bool ipv6 : {false, true}) {
    for (bool vlan : {false, true}) {
      const size_t payload = 10000, mss = 1448;
      Built b = MakeFrame(ipv6, true, payload, /*PSH|FIN|CWR|ACK*/ 0x80 | 0x10 | 0x08 | 0x01, vlan);
      b.off.gso_type = ipv6 ? kVnetGsoTcpV6 : kVnetGsoTcpV4;
      b.off.gso_size = mss;
      const size_t l3 = vlan ? 18 : 14;
      WireFrames out(8);
      ASSERT_TRUE(AppendWireFrames(b.bytes, b.off, out).ok());
      ASSERT_EQ(out.size(), 7u);  // 6 x 1448 + 1312
      std::vector<uint8_t> joined;
      for (size_t i = 0; i < out.size(); ++i) {
        const uint8_t* f = out.frame(i);
        const std::vector<uint8_t> pl = CheckSegment(f, out.len(i), ipv6, true, l3);
        EXPECT_EQ(pl.size(), i + 1 < out.size() ? mss : payload - 6 * mss);
        joined.insert(joined.end(), pl.begin(), pl.end());
        const uint8_t* tcp = f + l3 + (ipv6 ? 40 : 20);
        EXPECT_EQ(LoadBe32(tcp + 4), static_cast<uint32_t>(0xfffff000u + i * mss)) << "sequence number";
        const uint8_t flags = tcp[13];
        EXPECT_EQ((flags & 0x80) != 0, i == 0) << "CWR on the first segment only";
        EXPECT_EQ((flags & 0x09) != 0, i + 1 == out.size()) << "FIN and PSH on the last only";
        EXPECT_NE(flags & 0x10, 0) << "ACK on all";
        if (!ipv6) {
          EXPECT_EQ(LoadBe16(f + l3 + 4), static_cast<uint16_t>(0xfff0 + i)) << "IPv4 ID";
        }
        EXPECT_EQ(0, std::memcmp(f, b.bytes.data(), 12)) << "MACs";
      }
      EXPECT_EQ(joined, std::vector<uint8_t>(b.bytes.end() - payload, b.bytes.end()));
    }
  }
}

TEST(WireFramesTest, UdpSuperFrameIsCutLikeUso) {
  Built b = MakeFrame(false, false, 3000);
  b.off.gso_type = kVnetGsoUdpL4;
  b.off.gso_size = 1000;
  WireFrames out;
  ASSERT_TRUE(AppendWireFrames(b.bytes, b.off, out).ok());
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(CheckSegment(out.frame(i), out.len(i), false, false, 14).size(), 1000u);
  }
}

TEST(WireFramesTest, BadOffloadStateAppendsNothing) {
  WireFrames out;
  Built b = MakeFrame(false, true, 500);
  b.off.csum_offset = 2000;  // outside the frame
  EXPECT_FALSE(AppendWireFrames(b.bytes, b.off, out).ok());
  b = MakeFrame(false, true, 5000);
  b.off.gso_type = kVnetGsoTcpV6;  // the frame is IPv4
  b.off.gso_size = 1000;
  EXPECT_FALSE(AppendWireFrames(b.bytes, b.off, out).ok());
  b.off.gso_type = kVnetGsoTcpV4;
  b.off.gso_size = 0;
  EXPECT_FALSE(AppendWireFrames(b.bytes, b.off, out).ok());
  b.off.gso_size = 1;  // 5000 segments
  EXPECT_FALSE(AppendWireFrames(b.bytes, b.off, out).ok());
  b.off.gso_type = kVnetGsoUdp;
  b.off.gso_size = 1000;
  EXPECT_FALSE(AppendWireFrames(b.bytes, b.off, out).ok());
  // Truncated in the middle of the TCP header.
  b = MakeFrame(false, true, 0);
  b.off.gso_type = kVnetGsoTcpV4;
  b.off.gso_size = 100;
  b.bytes.resize(14 + 20 + 10);
  EXPECT_FALSE(AppendWireFrames(b.bytes, b.off, out).ok());
  EXPECT_EQ(out.size(), 0u);
}

TEST(WireFramesTest, TxBytesCarryTheEgressTag) {
  Built b = MakeFrame(false, false, 10);
  Packet p;
  p.frame = b.bytes.data();
  p.len = p.wire_len = static_cast<uint32_t>(b.bytes.size());
  ASSERT_FALSE(ParseFrame(p).has_value());
  TxItem item;
  item.pkt = &p;
  item.tag = true;
  item.tag_bytes[2] = 0x00;
  item.tag_bytes[3] = 0x14;
  std::vector<uint8_t> out;
  EXPECT_EQ(AppendTxBytes(item, out), b.bytes.size() + 4);
  std::vector<uint8_t> want(b.bytes.begin(), b.bytes.begin() + 12);
  want.insert(want.end(), {0x81, 0x00, 0x00, 0x14});
  want.insert(want.end(), b.bytes.begin() + 12, b.bytes.end());
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace pvland
