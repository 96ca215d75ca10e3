// A tunnel port (VXLAN) through the control path, with a fake far side: `port show` prints
// its VNI, binding, remotes and counters, `fdb show` the remote behind each station, and
// `port add ... type vxlan` refuses bad settings and a binding another port holds, before
// any socket is opened.
#include <gtest/gtest.h>

#include "absl/container/flat_hash_map.h"
#include "tests/unit/control/control_fixture.h"
#include "tests/unit/ctl/decode.h"

namespace pvland::testing {
namespace {

class FakeTunnel final : public Tunnel {
 public:
  TunnelInfo Info() const override { return info; }
  std::optional<uint32_t> RemoteOf(const MacAddr& mac) const override {
    auto it = remotes.find(mac);
    if (it == remotes.end()) return std::nullopt;
    return it->second;
  }
  TunnelInfo info;
  absl::flat_hash_map<MacAddr, uint32_t> remotes;
};

class TunnelHandlersTest : public ControlFixture {
 protected:
  TunnelHandlersTest() {
    tunnel_.info.vni = 42;
    tunnel_.info.dstport = 4789;
    tunnel_.info.remotes = {TunnelRemote{0x0a000002, 1, 2, 3, 4, 5}, TunnelRemote{0x0a000003}};
    tunnel_.info.learned = 1;
    tunnel_.remotes[kMacA] = 0x0a000002;
    auto port = std::make_unique<FakePort>("vx0", PortKind::kNetdev);
    port->far_side = &tunnel_;
    vx_ = *dataplane_.AddPort(std::move(port), PortConfig{});
    p1_ = AddPort("p1");
  }
  // The one record `line` answers with, described attribute by attribute.
  std::vector<std::string> Records(std::string_view line) {
    std::vector<std::string> out;
    for (const ctl::Message& m : Exchange(Request(line)))
      if (m.type == PVL_MSG_CTL) out.push_back(ctl::testing::DescribeAttrs(*m.Attrs()));
    return out;
  }

  static constexpr MacAddr kMacA{0x02, 0, 0, 0, 0, 0xa};
  static constexpr MacAddr kMacB{0x02, 0, 0, 0, 0, 0xb};
  FakeTunnel tunnel_;
  uint16_t vx_ = 0, p1_ = 0;
};

TEST_F(TunnelHandlersTest, PortShowPrintsTheFarSide) {
  auto r = Records("port show vx0");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].find(" vni=42 local=0.0.0.0 dstport=4789 remotes=[{addr=10.0.0.2 rx_packets=1 rx_bytes=2 "
                      "tx_packets=3 tx_bytes=4 tx_errors=5},{addr=10.0.0.3 rx_packets=0 rx_bytes=0 tx_packets=0 "
                      "tx_bytes=0 tx_errors=0}] remotes_learned=1 remote_learn_refused=0"),
            std::string::npos)
      << r[0];
  auto plain = Records("port show p1");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].find("vni="), std::string::npos) << "a port on an interface has no far side";
}

TEST_F(TunnelHandlersTest, FdbShowSaysWhichRemoteAStationIsBehind) {
  bridge_.fdb().Learn(1, 1, kMacA.data(), vx_, clock_.Now());
  bridge_.fdb().Learn(1, 1, kMacB.data(), vx_, clock_.Now());  // its remote aged out
  bridge_.fdb().Learn(1, 1, (MacAddr{0x02, 0, 0, 0, 0, 0xc}).data(), p1_, clock_.Now());
  auto r = Records("fdb show");
  ASSERT_EQ(r.size(), 3u);
  std::sort(r.begin(), r.end());
  EXPECT_EQ(r[0], "mac=02:00:00:00:00:0a vlan=1 port=vx0 kind=dynamic age_ms=0 remote=10.0.0.2");
  EXPECT_EQ(r[1], "mac=02:00:00:00:00:0b vlan=1 port=vx0 kind=dynamic age_ms=0");
  EXPECT_EQ(r[2], "mac=02:00:00:00:00:0c vlan=1 port=p1 kind=dynamic age_ms=0");
}

TEST_F(TunnelHandlersTest, AddRefusesABindingAnotherPortHoldsAndNamesIt) {
  auto s = Run("port add vx1 type vxlan vni 7 remote 10.0.0.9");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(s.message(),
            "port vx0 already receives on local 0.0.0.0 dstport 4789: one VXLAN port per local address and UDP port "
            "(give another local or dstport)");
  s = Run("port add vx1 type vxlan vni 7 remote 10.0.0.9 local 10.0.0.1");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << "0.0.0.0 holds every address: " << s;
  EXPECT_FALSE(bridge_.FindPort("vx1"));
}

TEST_F(TunnelHandlersTest, AddRefusesBadSettingsBeforeOpeningAnything) {
  EXPECT_EQ(Run("port add vx1 type vxlan vni 7 remote 239.1.1.1 dstport 4790").message(),
            "remote 239.1.1.1 is a multicast address: pvland sends a copy of each flooded frame to every remote itself");
  EXPECT_EQ(Run("port add vx1 type vxlan vni 7 remote 10.0.0.2 remote 10.0.0.2 dstport 4790").message(),
            "remote 10.0.0.2 is given twice");
  auto s = RunRaw(PVL_CMD_PORT_ADD, [](ctl::MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "t1");
    b.PutString(PVL_A_PORT_TYPE, "tap");
    b.PutU32(PVL_A_VNI, 5);
  });
  EXPECT_EQ(s.message(), "vni, remote, local and dstport are settings of type vxlan, not tap");
  s = RunRaw(PVL_CMD_PORT_ADD, [](ctl::MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "vx1");
    b.PutString(PVL_A_PORT_TYPE, "vxlan");
    b.PutU16(PVL_A_DSTPORT, 4790);
  });
  EXPECT_EQ(s.message(), "type vxlan needs vni N");
  s = RunRaw(PVL_CMD_PORT_ADD, [](ctl::MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "vx1");
    b.PutString(PVL_A_PORT_TYPE, "vxlan");
  });
  EXPECT_EQ(s.message(), "type vxlan needs vni N and remote IP");
  EXPECT_FALSE(bridge_.FindPort("vx1"));
  EXPECT_FALSE(bridge_.FindPort("t1"));
}

}  // namespace
}  // namespace pvland::testing
