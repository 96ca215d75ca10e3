// What the router makes of link changes, on the T1 namespace of the ipv4 tests:
// internal ports followed by ifindex, proxy-queue purges, forwarding from the kernel.
#include "daemon/router/link_watch.h"

#include <gtest/gtest.h>
#include <linux/if.h>

#include "tests/unit/ipv4/topo.h"

namespace pvland::router {
namespace {

using ipv4::testing::BuildT1;
using ipv4::testing::kEth1;
using ipv4::testing::kEth1Mac;
using ipv4::testing::kEth2;
using ipv4::testing::Topo;

class LinkWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildT1(t_, /*eth2_is_port=*/false);
    watch_.AddInternal(kEth1, "eth1", kEth1Mac);
    watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store);  // the flags as they start
  }
  // Replaces link `ifindex` with `edit` applied, as a netlink event would.
  template <typename F>
  void Edit(int ifindex, F edit) {
    ipv4::Link l = *t_.state.LinkByIndex(ifindex);
    edit(l);
    t_.state.UpsertLink(l);
  }

  Topo t_;
  LinkWatch watch_;
};

TEST_F(LinkWatchTest, NothingChangedNothingReported) {
  EXPECT_TRUE(watch_.TakeInternalChanges(t_.state, t_.store).empty());
  EXPECT_FALSE(watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store));
}

TEST_F(LinkWatchTest, RenameMovesTheDevconfAndIsReportedOnce) {
  ASSERT_TRUE(t_.store.Write("eth1", ipv4::Knob::kProxyArp, 1).ok());
  Edit(kEth1, [](ipv4::Link& l) { l.name = "r1"; });
  const auto changes = watch_.TakeInternalChanges(t_.state, t_.store);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].ifindex, kEth1);
  EXPECT_EQ(changes[0].old_name, "eth1");
  EXPECT_EQ(changes[0].link.name, "r1");
  EXPECT_FALSE(t_.store.HasPort("eth1"));
  ASSERT_TRUE(t_.store.HasPort("r1"));
  EXPECT_EQ(t_.store.Find("r1")->Get(ipv4::Knob::kProxyArp), 1) << "the conf followed the device";
  EXPECT_TRUE(watch_.TakeInternalChanges(t_.state, t_.store).empty());
}

TEST_F(LinkWatchTest, MacChangeIsReported) {
  const MacAddr mac = {0x02, 0, 0, 0, 0, 0xaa};
  Edit(kEth1, [&](ipv4::Link& l) { l.mac = mac; });
  const auto changes = watch_.TakeInternalChanges(t_.state, t_.store);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].link.mac, mac);
  EXPECT_EQ(changes[0].old_name, "eth1");
}

TEST_F(LinkWatchTest, RemovedPortIsNoLongerFollowed) {
  watch_.RemoveInternal("eth1");
  Edit(kEth1, [](ipv4::Link& l) { l.name = "r1"; });
  EXPECT_TRUE(watch_.TakeInternalChanges(t_.state, t_.store).empty());
}

TEST_F(LinkWatchTest, AnyDeviceGoingAdminDownPurgesTheQueueOnce) {
  Edit(kEth2, [](ipv4::Link& l) { l.flags &= ~IFF_UP; });
  EXPECT_TRUE(watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store));
  EXPECT_FALSE(watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store)) << "already down";
  Edit(kEth2, [](ipv4::Link& l) { l.flags |= IFF_UP; });
  EXPECT_FALSE(watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store)) << "coming up purges nothing";
}

TEST_F(LinkWatchTest, CarrierLossPurgesOnlyUnderArpEvictNocarrier) {
  constexpr int kSlot = ipv4::KnobSlot(ipv4::Knob::kArpEvictNocarrier);
  ASSERT_EQ(t_.state.LinkByIndex(kEth2)->inet_conf[kSlot], 1) << "the kernel's default";
  Edit(kEth2, [](ipv4::Link& l) { l.flags &= ~IFF_LOWER_UP; });
  EXPECT_TRUE(watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store));

  Edit(kEth2, [&](ipv4::Link& l) {
    l.flags |= IFF_LOWER_UP;
    l.inet_conf[kSlot] = 0;
  });
  watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store);
  Edit(kEth2, [](ipv4::Link& l) { l.flags &= ~IFF_LOWER_UP; });
  EXPECT_FALSE(watch_.LinkEventsPurgeProxyQueue(t_.state, t_.store));
}

TEST(FollowKernelForwardingTest, InternalPortsTakeTheKernelsForwarding) {
  Topo t;
  BuildT1(t);
  ASSERT_EQ(t.store.Find("eth1")->Get(ipv4::Knob::kForwarding), 1);
  EXPECT_EQ(FollowKernelForwarding(t.state, t.store), 2) << "the kernel's conf starts at its defaults (off)";
  EXPECT_EQ(t.store.Find("eth2")->Get(ipv4::Knob::kForwarding), 0);
  t.SetKernelConf(kEth1, ipv4::Knob::kForwarding, 1);
  EXPECT_EQ(FollowKernelForwarding(t.state, t.store), 1);
  ASSERT_EQ(t.store.Find("eth1")->Get(ipv4::Knob::kForwarding), 1);
  EXPECT_EQ(FollowKernelForwarding(t.state, t.store), 0) << "already in step";

  ipv4::Link l = *t.state.LinkByIndex(kEth1);
  l.inet_conf[ipv4::KnobSlot(ipv4::Knob::kForwarding)] = 0;
  t.state.UpsertLink(l);
  EXPECT_EQ(FollowKernelForwarding(t.state, t.store), 1);
  EXPECT_EQ(t.store.Find("eth1")->Get(ipv4::Knob::kForwarding), 0);
  EXPECT_EQ(FollowKernelForwarding(t.state, t.store), 0);
}

}  // namespace
}  // namespace pvland::router
