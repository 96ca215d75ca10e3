// port add | del | set through the dispatcher: the daemon validates what it receives
// (requests built by hand, past the grammar), and a refused request changes nothing.
#include <gtest/gtest.h>

#include "tests/unit/control/control_fixture.h"

namespace pvland::testing {
namespace {

using PortHandlersTest = ControlFixture;

constexpr uint8_t kMacA[6] = {0x02, 0, 0, 0, 0, 0xa};
constexpr uint8_t kMacB[6] = {0x02, 0, 0, 0, 0, 0xb};

TEST_F(PortHandlersTest, AddWithoutANameIsRefused) {
  EXPECT_EQ(RunRaw(PVL_CMD_PORT_ADD, [](ctl::MessageBuilder&) {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunRaw(PVL_CMD_PORT_ADD, [](ctl::MessageBuilder& b) { b.PutString(PVL_A_NAME, ""); }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(bridge_.FindPort(""));
}

TEST_F(PortHandlersTest, AddOfAnUnknownTypeIsRefusedNamingIt) {
  auto s = RunRaw(PVL_CMD_PORT_ADD, [](ctl::MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "v1");
    b.PutString(PVL_A_PORT_TYPE, "bogus");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'bogus'"), std::string_view::npos) << s;
  EXPECT_FALSE(bridge_.FindPort("v1"));
}

TEST_F(PortHandlersTest, AddOfAnInvalidVlanIsRefusedBeforeAnythingOpens) {
  auto s = RunRaw(PVL_CMD_PORT_ADD, [](ctl::MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "v1");
    b.PutU16(PVL_A_VLAN, 4095);
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(bridge_.FindPort("v1"));
}

TEST_F(PortHandlersTest, AddOfAnExistingNameKeepsTheOriginal) {
  AddPort("p1", PortKind::kTap);
  ASSERT_TRUE(Run("port set p1 vlan 10").ok());
  auto s = Run("port add p1 type netdev vlan 20");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(Port("p1").cfg.vlan, 10);
  EXPECT_EQ(Port("p1").kind, PortKind::kTap);
}

TEST_F(PortHandlersTest, SetAppliesEveryKey) {
  AddPort("p1");
  ASSERT_TRUE(Run("port set p1 mode trunk allowed 10,20-22 native 10 isolated on mcast_flood off").ok());
  const PortConfig& c = Port("p1").cfg;
  EXPECT_EQ(c.mode, PortMode::kTrunk);
  EXPECT_TRUE(c.allowed.test(10) && c.allowed.test(21) && !c.allowed.test(23));
  EXPECT_EQ(c.native, 10);
  EXPECT_TRUE(c.isolated);
  EXPECT_FALSE(c.mcast_flood);
  EXPECT_TRUE(c.bcast_flood);
}

TEST_F(PortHandlersTest, SetAppliesThePortSecurityKeys) {
  AddPort("p1");
  ASSERT_TRUE(Run("port set p1 initial_mac 02:00:00:00:00:01 forged_transmits reject mac_changes reject "
                  "promiscuous accept mac_learning on mac_limit 16 mac_limit_policy drop mac_aging 30")
                  .ok());
  const PortSecurityConfig& s = Port("p1").cfg.security;
  EXPECT_EQ(s.forged_transmits, SecurityPolicy::kReject);
  EXPECT_EQ(s.mac_changes, SecurityPolicy::kReject);
  EXPECT_EQ(s.promiscuous, SecurityPolicy::kAccept);
  EXPECT_TRUE(s.mac_learning);
  EXPECT_EQ(s.mac_limit, 16);
  EXPECT_EQ(s.mac_limit_policy, MacLimitPolicy::kDrop);
  EXPECT_EQ(s.mac_aging_s, 30u);
  EXPECT_EQ(Port("p1").security.effective, (MacAddr{2, 0, 0, 0, 0, 1})) << "resolved at once";
  ASSERT_TRUE(Run("port set p1 initial_mac auto mac_changes accept forged_transmits accept").ok());
  EXPECT_FALSE(Port("p1").cfg.security.initial_mac.has_value());
}

TEST_F(PortHandlersTest, ARejectPolicyWithoutAnInitialMacIsRefused) {
  AddPort("p1");  // a fake port: no endpoint to read
  const absl::Status s = Run("port set p1 forged_transmits reject");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("initial_mac"), std::string_view::npos) << s;
  EXPECT_EQ(Port("p1").cfg.security.forged_transmits, SecurityPolicy::kAccept) << "nothing changed";
}

TEST_F(PortHandlersTest, PortSecurityIsRefusedOnInternalPorts) {
  AddPort("gw0", PortKind::kInternal);
  const absl::Status s = Run("port set gw0 promiscuous accept");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("internal port"), std::string_view::npos) << s;
}

TEST_F(PortHandlersTest, TurningMacLearningOnForgetsWhatThePortLearnedUnbounded) {
  AddPort("p1");
  bridge_.fdb().Learn(1, 1, MacAddr{2, 0, 0, 0, 0, 9}.data(), 0, 0);
  ASSERT_TRUE(Run("port set p1 mac_learning on mac_limit 1").ok());
  EXPECT_EQ(bridge_.fdb().size(), 0u) << "relearned under the limit";
}

TEST_F(PortHandlersTest, ASetWithOneBadKeyChangesNothing) {
  AddPort("p1");
  ASSERT_TRUE(Run("port set p1 vlan 10").ok());
  auto s = RunRaw(PVL_CMD_PORT_SET, [](ctl::MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "p1");
    b.PutBool(PVL_A_ISOLATED, true);
    b.PutString(PVL_A_MODE, "hybrid");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Port("p1").cfg.isolated);
  EXPECT_EQ(Port("p1").cfg.mode, PortMode::kAccess);

  s = RunRaw(PVL_CMD_PORT_SET, [](ctl::MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "p1");
    b.PutBool(PVL_A_LEARNING, false);
    b.PutString(PVL_A_ALLOWED, "10,5000");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Port("p1").cfg.learning);
  EXPECT_EQ(Port("p1").cfg.vlan, 10);
}

TEST_F(PortHandlersTest, SetOfAnUnknownPortIsNotFound) {
  AddPort("p1");
  EXPECT_EQ(Run("port set p2 isolated on").code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(Port("p1").cfg.isolated);
}

TEST_F(PortHandlersTest, AVlanChangeForgetsWhatThePortLearnedOnly) {
  const uint16_t p1 = AddPort("p1");
  const uint16_t p2 = AddPort("p2");
  bridge_.fdb().Learn(1, 1, kMacA, p1, clock_.Now());
  bridge_.fdb().Learn(1, 1, kMacB, p2, clock_.Now());
  ASSERT_TRUE(Run("fdb add 02:00:00:00:00:0c port p1").ok());
  ASSERT_TRUE(Run("port set p1 vlan 10").ok());
  EXPECT_EQ(bridge_.fdb().Lookup(1, kMacA), nullptr);
  ASSERT_NE(bridge_.fdb().Lookup(1, kMacB), nullptr);
  EXPECT_EQ(bridge_.fdb().size(), 2u);  // p2's entry and p1's static one
}

TEST_F(PortHandlersTest, SettingTheSameVlanKeepsLearnedEntries) {
  const uint16_t p1 = AddPort("p1");
  bridge_.fdb().Learn(1, 1, kMacA, p1, clock_.Now());
  ASSERT_TRUE(Run("port set p1 vlan 1 isolated on").ok());
  EXPECT_NE(bridge_.fdb().Lookup(1, kMacA), nullptr);
}

TEST_F(PortHandlersTest, DelRemovesThePortAndItsEntries) {
  const uint16_t p1 = AddPort("p1");
  AddPort("p2");
  bridge_.fdb().Learn(1, 1, kMacA, p1, clock_.Now());
  ASSERT_TRUE(Run("port del p1").ok());
  EXPECT_FALSE(bridge_.FindPort("p1"));
  EXPECT_TRUE(bridge_.FindPort("p2"));
  EXPECT_EQ(bridge_.fdb().size(), 0u);
  EXPECT_EQ(Run("port del p1").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace pvland::testing
