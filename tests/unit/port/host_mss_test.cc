// The MSS a VXLAN port's side announced, per host: learned from SYNs leaving through the
// port, looked up by a super-frame's destination, the protocol's default otherwise.
#include "daemon/port/host_mss.h"

#include <gtest/gtest.h>

#include <vector>

#include "daemon/packet/lost_offload.h"
#include "daemon/packet/parser.h"

namespace pvland {
namespace {

// An Ethernet/IPv4 TCP frame src -> dst with `flags`, an MSS option of `mss` (0: none).
std::vector<uint8_t> Tcp(uint8_t src, uint8_t dst, uint8_t flags, uint16_t mss) {
  std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
  const size_t doff = mss ? 24 : 20;
  std::vector<uint8_t> ip(20 + doff, 0);
  ip[0] = 0x45;
  StoreBe16(&ip[2], static_cast<uint16_t>(ip.size()));
  ip[8] = 64;
  ip[9] = kIpProtoTcp;
  const uint8_t a[8] = {10, 0, 0, src, 10, 0, 0, dst};
  std::copy(a, a + 8, &ip[12]);
  ip[20 + 12] = static_cast<uint8_t>(doff / 4 << 4);
  ip[20 + 13] = flags;
  if (mss) {
    ip[40] = 2;
    ip[41] = 4;
    StoreBe16(&ip[42], mss);
  }
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

Packet Parsed(std::vector<uint8_t>& f) {
  Packet p;
  p.frame = f.data();
  p.len = p.wire_len = static_cast<uint32_t>(f.size());
  EXPECT_EQ(ParseFrame(p), std::nullopt);
  return p;
}

TEST(HostMssTable, ASynTeachesItsSourcesMssAndOthersGetTheDefault) {
  HostMssTable t;
  auto syn = Tcp(1, 2, 0x02, 1410);
  t.Learn(Parsed(syn));
  auto to1 = Tcp(2, 1, 0x10, 0);
  EXPECT_EQ(t.For(Parsed(to1)), 1410);
  auto to3 = Tcp(2, 3, 0x10, 0);
  EXPECT_EQ(t.For(Parsed(to3)), kDefaultMssIpv4) << "never seen";
  auto ack = Tcp(3, 2, 0x10, 1200);  // an MSS option outside a SYN means nothing
  t.Learn(Parsed(ack));
  EXPECT_EQ(t.For(Parsed(to3)), kDefaultMssIpv4);
  auto synack = Tcp(1, 2, 0x12, 1360);  // the latest wins
  t.Learn(Parsed(synack));
  EXPECT_EQ(t.For(Parsed(to1)), 1360);
  EXPECT_EQ(t.size(), 1u);
}

TEST(HostMssTable, AFullTableStartsAgain) {
  HostMssTable t;
  for (size_t i = 0; i < HostMssTable::kMaxHosts; ++i) {
    auto syn = Tcp(static_cast<uint8_t>(i), 2, 0x02, 1400);
    syn[14 + 12 + 2] = static_cast<uint8_t>(i >> 8);  // 10.0.(i>>8).(i&255)
    t.Learn(Parsed(syn));
  }
  EXPECT_EQ(t.size(), HostMssTable::kMaxHosts);
  auto another = Tcp(1, 2, 0x02, 1400);
  another[14 + 12 + 1] = 1;  // 10.1.0.1
  t.Learn(Parsed(another));
  EXPECT_EQ(t.size(), 1u);
}

}  // namespace
}  // namespace pvland
