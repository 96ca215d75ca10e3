// The router's per-ifindex conf for IP decisions: the same answer as a fresh
// LinkByIndex + View after every kind of change, on the T1 namespace of the ipv4 tests.
#include "daemon/router/input_conf_cache.h"

#include <gtest/gtest.h>

#include "tests/unit/ipv4/topo.h"

namespace pvland::router {
namespace {

using ipv4::Knob;
using ipv4::testing::BuildT1;
using ipv4::testing::kEth1;
using ipv4::testing::kEth2;
using ipv4::testing::Topo;

class InputConfCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { BuildT1(t_, /*eth2_is_port=*/false); }
  int32_t Rp(int ifindex) {
    const ipv4::ConfView* v = cache_.Get(t_.state, t_.store, ifindex);
    return v ? v->RpFilter() : -1;
  }
  Topo t_;
  InputConfCache cache_;
};

TEST_F(InputConfCacheTest, OnlyInternalPortsHaveAConf) {
  EXPECT_NE(cache_.Get(t_.state, t_.store, kEth1), nullptr);
  EXPECT_EQ(cache_.Get(t_.state, t_.store, kEth2), nullptr);  // not a pvland port
  EXPECT_EQ(cache_.Get(t_.state, t_.store, 99), nullptr);     // no such link
  EXPECT_NE(cache_.Get(t_.state, t_.store, kEth1), nullptr);  // still there after misses
}

TEST_F(InputConfCacheTest, FollowsWritesToTheDeviceAndToAll) {
  EXPECT_EQ(Rp(kEth1), 0);
  ASSERT_TRUE(t_.store.Write("eth1", Knob::kRpFilter, 2).ok());
  EXPECT_EQ(Rp(kEth1), 2);
  ASSERT_TRUE(t_.store.Write("all", Knob::kRpFilter, 1).ok());
  EXPECT_EQ(Rp(kEth1), 2);  // max(all, dev)
  ASSERT_TRUE(t_.store.Write("eth1", Knob::kRpFilter, 0).ok());
  EXPECT_EQ(Rp(kEth1), 1);
  ASSERT_TRUE(t_.store.Write("all", Knob::kLogMartians, 1).ok());
  EXPECT_TRUE(cache_.Get(t_.state, t_.store, kEth1)->LogMartians());
}

TEST_F(InputConfCacheTest, FollowsPortsAddedRemovedAndRenamed) {
  ASSERT_TRUE(t_.store.Write("eth1", Knob::kRpFilter, 1).ok());
  EXPECT_EQ(Rp(kEth1), 1);
  ASSERT_TRUE(t_.store.RemovePort("eth1").ok());
  EXPECT_EQ(Rp(kEth1), -1);
  ASSERT_TRUE(t_.store.AddPort("eth2").ok());
  EXPECT_EQ(Rp(kEth2), 0);
  // `ip link set eth1 name gw0` with the conf moved along, as the router does it.
  ASSERT_TRUE(t_.store.AddPort("eth1").ok());
  ASSERT_TRUE(t_.store.Write("eth1", Knob::kRpFilter, 2).ok());
  EXPECT_EQ(Rp(kEth1), 2);
  ipv4::Link l = *t_.state.LinkByIndex(kEth1);
  l.name = "gw0";
  t_.state.UpsertLink(l);
  EXPECT_EQ(Rp(kEth1), -1);  // the link is gw0 now; the store still says eth1
  ASSERT_TRUE(t_.store.RenamePort("eth1", "gw0").ok());
  EXPECT_EQ(Rp(kEth1), 2);
}

TEST_F(InputConfCacheTest, ForgetsARemovedLink) {
  ASSERT_NE(cache_.Get(t_.state, t_.store, kEth1), nullptr);
  t_.state.RemoveLink(kEth1);
  EXPECT_EQ(cache_.Get(t_.state, t_.store, kEth1), nullptr);
}

}  // namespace
}  // namespace pvland::router
