// The VXLAN port's decisions without sockets: the remote table (learn, move, age, bound),
// the checks of its configuration, the reading of a received datagram, the headers it
// writes, and the factory's handling of type-specific settings.
#include <gtest/gtest.h>

#include <vector>

#include "daemon/packet/parser.h"
#include "daemon/port/port_factory.h"
#include "daemon/port/vxlan_port.h"
#include "daemon/port/vxlan_remotes.h"

namespace pvland {
namespace {

constexpr uint8_t kMacA[6] = {0x02, 0, 0, 0, 0, 0xa};
constexpr uint8_t kMacB[6] = {0x02, 0, 0, 0, 0, 0xb};
constexpr uint32_t kR1 = 0x0a000001, kR2 = 0x0a000002;  // 10.0.0.1, 10.0.0.2

TEST(VxlanRemoteTable, LearnsWhereEachMacCameFromAndFollowsAMove) {
  VxlanRemoteTable t;
  const MonoNs now = 1000 * kNsPerSec;
  EXPECT_FALSE(t.Lookup(kMacA, now));
  t.Learn(kMacA, kR1, now);
  t.Learn(kMacB, kR2, now);
  EXPECT_EQ(t.Lookup(kMacA, now), kR1);
  EXPECT_EQ(t.Lookup(kMacB, now), kR2);
  t.Learn(kMacA, kR2, now + 1);  // the station moved behind another remote
  EXPECT_EQ(t.Lookup(kMacA, now + 1), kR2);
  EXPECT_EQ(t.size(), 2u);
}

TEST(VxlanRemoteTable, AnEntryAgesOutAfterTheAgeingTimeUnlessSeenAgain) {
  VxlanRemoteTable t(16, 300 * kNsPerSec);
  const MonoNs t0 = 1000 * kNsPerSec;
  t.Learn(kMacA, kR1, t0);
  t.Learn(kMacB, kR1, t0);
  t.Learn(kMacB, kR1, t0 + 200 * kNsPerSec);  // seen again
  const MonoNs later = t0 + 301 * kNsPerSec;
  EXPECT_FALSE(t.Lookup(kMacA, later)) << "aged out";
  EXPECT_EQ(t.Lookup(kMacB, later), kR1);
  EXPECT_EQ(t.Live(later), 1u);
  EXPECT_EQ(t.size(), 2u) << "aged entries are kept until removed";
  EXPECT_EQ(t.Expire(later), 1u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(VxlanRemoteTable, AFullTableRefusesNewMacsUntilSomethingAges) {
  VxlanRemoteTable t(2, 10 * kNsPerSec);
  const MonoNs t0 = 1000 * kNsPerSec;
  const uint8_t c[6] = {0x02, 0, 0, 0, 0, 0xc};
  t.Learn(kMacA, kR1, t0);
  t.Learn(kMacB, kR1, t0 + 5 * kNsPerSec);
  t.Learn(c, kR2, t0 + 6 * kNsPerSec);
  EXPECT_FALSE(t.Lookup(c, t0 + 6 * kNsPerSec)) << "full: not learned";
  EXPECT_EQ(t.refused(), 1u);
  t.Learn(kMacA, kR2, t0 + 6 * kNsPerSec);
  EXPECT_EQ(t.Lookup(kMacA, t0 + 6 * kNsPerSec), kR2) << "a known MAC still moves when full";
  // A ages out 10 s after t0 + 6 s; B at t0 + 15 s: at t0 + 15.5 s B's place is free.
  t.Learn(c, kR2, t0 + 15500 * kNsPerMs);
  EXPECT_EQ(t.Lookup(c, t0 + 15500 * kNsPerMs), kR2);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.refused(), 1u);
}

VxlanConfig Config(std::vector<uint32_t> remotes, uint32_t vni = 42) {
  VxlanConfig c;
  c.vni = vni;
  c.remotes = std::move(remotes);
  return c;
}

TEST(VxlanConfig, ChecksNameTheProblem) {
  EXPECT_TRUE(CheckVxlanConfig(Config({kR1, kR2})).ok());
  EXPECT_TRUE(CheckVxlanConfig(Config({kR1}, 0)).ok()) << "VNI 0 is a VNI (the kernel accepts id 0)";
  EXPECT_TRUE(CheckVxlanConfig(Config({kR1}, kVniMax)).ok());
  struct Bad {
    VxlanConfig cfg;
    const char* message;
  };
  VxlanConfig bad_local = Config({kR1});
  bad_local.local = 0xe0000001;
  VxlanConfig bad_port = Config({kR1});
  bad_port.dstport = 0;
  std::vector<uint32_t> many;
  for (uint32_t i = 0; i <= VxlanConfig::kMaxRemotes; ++i) many.push_back(kR1 + i);
  const Bad cases[] = {
      {Config({kR1}, kVniMax + 1), "vni must be 0-16777215"},
      {Config({}), "type vxlan needs at least one remote IP"},
      {Config(many), "at most 64 remotes per VXLAN port"},
      {Config({0}), "remote 0.0.0.0 is not a unicast address"},
      {Config({0xffffffff}), "remote 255.255.255.255 is not a unicast address"},
      {Config({0xefff0001}), "remote 239.255.0.1 is a multicast address: pvland sends a copy of each flooded frame to every remote itself"},
      {Config({kR1, kR2, kR1}), "remote 10.0.0.1 is given twice"},
      {bad_local, "local 224.0.0.1 is not a unicast address"},
      {bad_port, "dstport must be 1-65535"},
  };
  for (const Bad& b : cases) {
    const absl::Status s = CheckVxlanConfig(b.cfg);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << b.message;
    EXPECT_EQ(s.message(), b.message);
  }
}

TEST(VxlanConfig, BindingsOverlapOnOnePortWhenEitherIsAnyOrBothAreEqual) {
  VxlanConfig a = Config({kR1}), b = Config({kR2}, 7);
  EXPECT_TRUE(VxlanBindingsOverlap(a, b)) << "both 0.0.0.0:4789, whatever the VNI";
  b.local = kR1;
  EXPECT_TRUE(VxlanBindingsOverlap(a, b)) << "0.0.0.0 covers every address";
  a.local = kR2;
  EXPECT_FALSE(VxlanBindingsOverlap(a, b));
  a.local = kR1;
  EXPECT_TRUE(VxlanBindingsOverlap(a, b));
  a.dstport = 4790;
  EXPECT_FALSE(VxlanBindingsOverlap(a, b));
}

// An 8-byte VXLAN header for `vni` with `flags`, then a 14-byte Ethernet header.
std::vector<uint8_t> Datagram(uint8_t flags, uint32_t vni, size_t extra = 0) {
  std::vector<uint8_t> d(kVxlanHeaderLen + 14 + extra, 0);
  WriteVxlanHeader(d.data(), vni);
  d[0] = flags;
  d[kVxlanHeaderLen] = 0x02;
  return d;
}

TEST(VxlanDatagram, OnlyAWholeHeaderWithTheIFlagAndThePortsVniPasses) {
  auto ok = Datagram(kVxlanFlagI, 42);
  EXPECT_EQ(CheckVxlanDatagram(ok.data(), ok.size(), 42), std::nullopt);
  EXPECT_EQ(CheckVxlanDatagram(ok.data(), ok.size(), 43), DropReason::kVxlanWrongVni);
  auto reserved = Datagram(kVxlanFlagI | 0x77, 42);
  reserved[1] = reserved[2] = reserved[3] = reserved[7] = 0xff;
  EXPECT_EQ(CheckVxlanDatagram(reserved.data(), reserved.size(), 42), std::nullopt) << "reserved bits are ignored";
  auto no_i = Datagram(0, 42);
  EXPECT_EQ(CheckVxlanDatagram(no_i.data(), no_i.size(), 42), DropReason::kVxlanMalformed);
  auto gbp = Datagram(kVxlanFlagI | kVxlanFlagGbp, 42);
  EXPECT_EQ(CheckVxlanDatagram(gbp.data(), gbp.size(), 42), DropReason::kVxlanMalformed);
  EXPECT_EQ(CheckVxlanDatagram(ok.data(), ok.size() - 1, 42), DropReason::kVxlanMalformed)
      << "an inner frame shorter than an Ethernet header";
  EXPECT_EQ(CheckVxlanDatagram(ok.data(), 3, 42), DropReason::kVxlanMalformed);
  EXPECT_EQ(CheckVxlanDatagram(ok.data(), 0, 42), DropReason::kVxlanMalformed);
}

TEST(VxlanDatagram, HeadersAreUdpWithoutChecksumThenRfc7348) {
  uint8_t h[kVxlanUdpHeadroom];
  WriteVxlanUdpHeaders(h, 51234, 4789, 0x123456, 98);
  const uint8_t want[kVxlanUdpHeadroom] = {0xc8, 0x22, 0x12, 0xb5, 0x00, 98 + 16, 0x00, 0x00,
                                           0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0};
  EXPECT_EQ(std::vector<uint8_t>(h, h + sizeof h), std::vector<uint8_t>(want, want + sizeof want));
}

TEST(VxlanDatagram, AFrameThePortRefusesIsCountedByTheParserUnderThePortsReason) {
  std::vector<uint8_t> f(60, 0);
  f[0] = 2;
  f[6] = 2;
  Packet p;
  p.frame = f.data();
  p.len = 60;
  p.wire_len = 61;
  EXPECT_EQ(ParseFrame(p), DropReason::kOversize) << "a cut frame, as before";
  p.rx_drop = DropReason::kVxlanWrongVni;
  EXPECT_EQ(ParseFrame(p), DropReason::kVxlanWrongVni);
  p.wire_len = 60;
  EXPECT_EQ(ParseFrame(p), std::nullopt) << "read only when the port marked the frame";
}

TEST(VxlanFactory, TypeVxlanNeedsItsSettingsAndOtherTypesRefuseThem) {
  auto none = MakePort("vxlan", "vx0", PortEnv{});
  EXPECT_EQ(none.status().message(), "type vxlan needs vni N and remote IP");
  PortParams params;
  params.vxlan = Config({kR1});
  auto tap = MakePort("tap", "t0", PortEnv{}, params);
  EXPECT_EQ(tap.status().message(), "vni, remote, local and dstport are settings of type vxlan, not tap");
  params.vxlan->remotes = {0};
  EXPECT_EQ(MakePort("vxlan", "vx0", PortEnv{}, params).status().message(), "remote 0.0.0.0 is not a unicast address");
  params.vxlan->remotes = {kR1, kR2};
  FakeClock clock;
  PortEnv env;
  env.clock = &clock;
  auto port = MakePort("vxlan", "vx0", env, params);
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ((*port)->type(), "vxlan");
  EXPECT_FALSE((*port)->is_open());
  ASSERT_NE((*port)->tunnel(), nullptr);
  const TunnelInfo info = (*port)->tunnel()->Info();
  EXPECT_EQ(info.vni, 42u);
  EXPECT_EQ(info.dstport, kVxlanPort);
  ASSERT_EQ(info.remotes.size(), 2u);
  EXPECT_EQ(info.remotes[1].addr, kR2);
  EXPECT_EQ(info.learned, 0u);
  EXPECT_EQ((*port)->ifindex(), 0);
  EXPECT_EQ(MakePort("tap", "t0", PortEnv{}).value()->tunnel(), nullptr) << "local interfaces have no far side";
}

}  // namespace
}  // namespace pvland
