// vlan add | del and fdb add | del | flush, bridge set through the dispatcher: refused
// requests leave the tables as they were.
#include <gtest/gtest.h>

#include "tests/unit/control/control_fixture.h"

namespace pvland::testing {
namespace {

using VlanFdbHandlersTest = ControlFixture;

constexpr uint8_t kMacA[6] = {0x02, 0, 0, 0, 0, 0xa};

TEST_F(VlanFdbHandlersTest, PrivateVlansDeclareAndDelete) {
  ASSERT_TRUE(Run("vlan add 100 pvlan primary").ok());
  ASSERT_TRUE(Run("vlan add 101 pvlan isolated primary 100").ok());
  EXPECT_EQ(bridge_.vlans().Role(101), PvlanRole::kIsolated);
  EXPECT_EQ(bridge_.vlans().Domain(101), bridge_.vlans().Domain(100));
  ASSERT_TRUE(Run("vlan del 101").ok());
  EXPECT_FALSE(bridge_.vlans().Get(101).declared);
  EXPECT_NE(bridge_.vlans().Domain(101), bridge_.vlans().Domain(100));
}

TEST_F(VlanFdbHandlersTest, ASecondaryWithoutPrimaryIsRefused) {
  auto s = RunRaw(PVL_CMD_VLAN_ADD, [](ctl::MessageBuilder& b) {
    b.PutU16(PVL_A_VLAN, 101);
    b.PutString(PVL_A_PVLAN_TYPE, "isolated");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(bridge_.vlans().Get(101).declared);
}

TEST_F(VlanFdbHandlersTest, DeletingAnUndeclaredVlanFails) {
  EXPECT_FALSE(Run("vlan del 555").ok());
}

TEST_F(VlanFdbHandlersTest, ChangingADomainForgetsItsLearnedEntries) {
  const uint16_t p1 = AddPort("p1");
  ASSERT_TRUE(Run("vlan add 100 pvlan primary").ok());
  const uint16_t domain = bridge_.vlans().Domain(100);
  bridge_.fdb().Learn(domain, 100, kMacA, p1, clock_.Now());
  ASSERT_TRUE(Run("vlan add 101 pvlan isolated primary 100").ok());
  EXPECT_EQ(bridge_.fdb().Lookup(domain, kMacA), nullptr);
}

TEST_F(VlanFdbHandlersTest, StaticEntriesSurviveADynamicFlush) {
  const uint16_t p1 = AddPort("p1");
  AddPort("p2");
  bridge_.fdb().Learn(1, 1, kMacA, p1, clock_.Now());
  ASSERT_TRUE(Run("fdb add 02:00:00:00:00:0b port p2").ok());
  ASSERT_TRUE(Run("fdb flush dynamic").ok());
  EXPECT_EQ(bridge_.fdb().size(), 1u);
  const uint8_t b[6] = {0x02, 0, 0, 0, 0, 0xb};
  ASSERT_NE(bridge_.fdb().Lookup(1, b), nullptr);
  EXPECT_TRUE(bridge_.fdb().Lookup(1, b)->is_static);
  ASSERT_TRUE(Run("fdb flush").ok());
  EXPECT_EQ(bridge_.fdb().size(), 0u);
}

TEST_F(VlanFdbHandlersTest, FdbAddRefusesGroupAddressesAndUnknownPorts) {
  AddPort("p1");
  auto s = RunRaw(PVL_CMD_FDB_ADD, [](ctl::MessageBuilder& b) {
    const uint8_t mcast[6] = {0x01, 0, 0x5e, 0, 0, 1};
    b.PutMac(PVL_A_MAC, mcast);
    b.PutString(PVL_A_PORT, "p1");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run("fdb add 02:00:00:00:00:0b port nosuch").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(bridge_.fdb().size(), 0u);
}

TEST_F(VlanFdbHandlersTest, FdbFlushByPortLeavesOtherPorts) {
  const uint16_t p1 = AddPort("p1");
  const uint16_t p2 = AddPort("p2");
  const uint8_t b[6] = {0x02, 0, 0, 0, 0, 0xb};
  bridge_.fdb().Learn(1, 1, kMacA, p1, clock_.Now());
  bridge_.fdb().Learn(1, 1, b, p2, clock_.Now());
  ASSERT_TRUE(Run("fdb flush port p1").ok());
  EXPECT_EQ(bridge_.fdb().Lookup(1, kMacA), nullptr);
  EXPECT_NE(bridge_.fdb().Lookup(1, b), nullptr);
}

TEST_F(VlanFdbHandlersTest, AgeingTimeOutOfRangeChangesNothing) {
  ASSERT_TRUE(Run("bridge set ageing_time 60").ok());
  EXPECT_EQ(bridge_.ageing(), 60 * kNsPerSec);
  auto s = RunRaw(PVL_CMD_BRIDGE_SET, [](ctl::MessageBuilder& b) { b.PutU32(PVL_A_AGEING_TIME, 1000001); });
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(bridge_.ageing(), 60 * kNsPerSec);
  ASSERT_TRUE(Run("bridge set ageing_time 0").ok());
  EXPECT_EQ(bridge_.ageing(), 0);
}

}  // namespace
}  // namespace pvland::testing
