#include "daemon/pipeline/vlan_stage.h"

#include <gtest/gtest.h>

namespace pvland {
namespace {

Packet Tagged(uint16_t tci) {
  Packet p;
  p.tagged = true;
  p.tci = tci;
  return p;
}

TEST(VlanClassifyTest, AccessPort) {
  VlanTable vlans;
  PortConfig cfg;
  cfg.vlan = 10;
  Packet untagged;
  EXPECT_EQ(ClassifyIngress(cfg, vlans, untagged), std::nullopt);
  EXPECT_EQ(untagged.vid, 10);
  EXPECT_EQ(untagged.domain, 10);
  EXPECT_EQ(untagged.role, PvlanRole::kNone);

  Packet prio = Tagged(0xa000);  // priority tag, VID 0
  EXPECT_EQ(ClassifyIngress(cfg, vlans, prio), std::nullopt);
  EXPECT_EQ(prio.vid, 10);

  Packet tagged = Tagged(10);
  EXPECT_EQ(ClassifyIngress(cfg, vlans, tagged), DropReason::kVlanTagOnAccess);
}

TEST(VlanClassifyTest, TrunkPort) {
  VlanTable vlans;
  PortConfig cfg;
  cfg.mode = PortMode::kTrunk;
  cfg.allowed = *ParseVlanSet("20,30-32");
  Packet t20 = Tagged(20);
  EXPECT_EQ(ClassifyIngress(cfg, vlans, t20), std::nullopt);
  EXPECT_EQ(t20.vid, 20);
  Packet t33 = Tagged(33);
  EXPECT_EQ(ClassifyIngress(cfg, vlans, t33), DropReason::kVlanNotAllowed);
  Packet untagged;
  EXPECT_EQ(ClassifyIngress(cfg, vlans, untagged), DropReason::kUntaggedOnTrunk);
  cfg.native = 5;
  Packet native;
  EXPECT_EQ(ClassifyIngress(cfg, vlans, native), std::nullopt);
  EXPECT_EQ(native.vid, 5);
  Packet t5 = Tagged(5);
  EXPECT_EQ(ClassifyIngress(cfg, vlans, t5), std::nullopt) << "the native VLAN may also arrive tagged";
}

TEST(VlanClassifyTest, PrivateVlanRolesAndSharedDomain) {
  VlanTable vlans;
  ASSERT_TRUE(vlans.Add(100, PvlanType::kPrimary, 0).ok());
  ASSERT_TRUE(vlans.Add(101, PvlanType::kIsolated, 100).ok());
  ASSERT_TRUE(vlans.Add(102, PvlanType::kCommunity, 100).ok());
  struct Case {
    uint16_t port_vlan;
    PvlanRole role;
  } cases[] = {{100, PvlanRole::kPromiscuous}, {101, PvlanRole::kIsolated}, {102, PvlanRole::kCommunity}};
  for (const Case& c : cases) {
    PortConfig cfg;
    cfg.vlan = c.port_vlan;
    Packet p;
    EXPECT_EQ(ClassifyIngress(cfg, vlans, p), std::nullopt);
    EXPECT_EQ(p.vid, c.port_vlan);
    EXPECT_EQ(p.domain, 100) << "secondaries learn in their primary's domain";
    EXPECT_EQ(p.role, c.role);
  }
  // On a trunk the tag says which role sent the frame.
  PortConfig trunk;
  trunk.mode = PortMode::kTrunk;
  trunk.allowed = *ParseVlanSet("100-102");
  Packet from_isolated = Tagged(101);
  EXPECT_EQ(ClassifyIngress(trunk, vlans, from_isolated), std::nullopt);
  EXPECT_EQ(from_isolated.role, PvlanRole::kIsolated);
  EXPECT_EQ(from_isolated.domain, 100);
}

TEST(VlanTableTest, ValidationChangesNothingOnError) {
  VlanTable vlans;
  EXPECT_FALSE(vlans.Add(101, PvlanType::kIsolated, 100).ok()) << "primary must exist";
  ASSERT_TRUE(vlans.Add(100, PvlanType::kPrimary, 0).ok());
  ASSERT_TRUE(vlans.Add(101, PvlanType::kIsolated, 100).ok());
  EXPECT_FALSE(vlans.Add(105, PvlanType::kIsolated, 100).ok()) << "one isolated VLAN per primary";
  EXPECT_EQ(vlans.Get(105).type, PvlanType::kNone);
  EXPECT_FALSE(vlans.Remove(100).ok()) << "primary still has a secondary";
  EXPECT_EQ(vlans.Get(100).type, PvlanType::kPrimary);
  EXPECT_FALSE(vlans.Add(0, PvlanType::kNone, 0).ok());
  EXPECT_FALSE(vlans.Add(4095, PvlanType::kNone, 0).ok());
  EXPECT_TRUE(vlans.Remove(101).ok());
  EXPECT_TRUE(vlans.Remove(100).ok());
}

}  // namespace
}  // namespace pvland
