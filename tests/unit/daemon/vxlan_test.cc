#include "daemon/packet/vxlan.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

#include "daemon/packet/parser.h"

namespace pvland {
namespace {

TEST(VxlanHeaderTest, WritesRfc7348Bytes) {
  uint8_t h[8];
  std::memset(h, 0xaa, sizeof h);
  WriteVxlanHeader(h, 4242);
  const uint8_t want[8] = {0x08, 0, 0, 0, 0x00, 0x10, 0x92, 0};
  EXPECT_EQ(0, std::memcmp(h, want, 8));
  WriteVxlanHeader(h, kVniMax);
  EXPECT_EQ(h[4] & h[5] & h[6], 0xff);
}

TEST(VxlanHeaderTest, ReadsAndIgnoresReservedBits) {
  std::vector<uint8_t> d(8 + 14, 0);
  WriteVxlanHeader(d.data(), 100);
  EXPECT_EQ(ReadVxlanHeader(d.data(), d.size()), 100u);
  d[1] = 0xff;  // reserved: ignored
  d[7] = 0xff;
  d[0] |= 0x01;
  EXPECT_EQ(ReadVxlanHeader(d.data(), d.size()), 100u);
  d[0] = 0;  // no I flag
  EXPECT_FALSE(ReadVxlanHeader(d.data(), d.size()).has_value());
  d[0] = 0x88;  // GBP's G flag: not for a plain VTEP
  EXPECT_FALSE(ReadVxlanHeader(d.data(), d.size()).has_value());
  d[0] = 0x08;
  EXPECT_FALSE(ReadVxlanHeader(d.data(), d.size() - 1).has_value()) << "no room for an Ethernet header";
}

std::vector<uint8_t> UdpFrame(uint16_t sport, uint16_t dport, uint8_t last_src_octet) {
  std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0,
                            10, 0, 0, last_src_octet, 10, 0, 0, 2};
  for (uint16_t v : {sport, dport, uint16_t{8}, uint16_t{0}}) {
    f.push_back(static_cast<uint8_t>(v >> 8));
    f.push_back(static_cast<uint8_t>(v));
  }
  return f;
}

uint16_t PortOf(std::vector<uint8_t>& f) {
  Packet p;
  p.frame = f.data();
  p.len = p.wire_len = static_cast<uint32_t>(f.size());
  EXPECT_FALSE(ParseFrame(p).has_value());
  return VxlanSourcePort(p);
}

TEST(VxlanSourcePortTest, OneFlowOnePortInTheDynamicRange) {
  std::set<uint16_t> ports;
  for (uint16_t sport = 1000; sport < 1100; ++sport) {
    auto a = UdpFrame(sport, 53, 1);
    auto b = UdpFrame(sport, 53, 1);
    b.push_back(0);  // a longer frame of the same flow
    const uint16_t pa = PortOf(a);
    EXPECT_EQ(pa, PortOf(b));
    EXPECT_GE(pa, 49152);
    ports.insert(pa);
  }
  EXPECT_GT(ports.size(), 90u) << "100 flows should spread over the range";
  auto c = UdpFrame(1000, 53, 9);
  auto d = UdpFrame(1000, 53, 1);
  EXPECT_NE(PortOf(c), PortOf(d));
}

}  // namespace
}  // namespace pvland
