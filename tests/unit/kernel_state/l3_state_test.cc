#include "daemon/kernel_state/l3_state.h"

#include <linux/if.h>

#include "gtest/gtest.h"

namespace pvland::kernel_state {
namespace {

using ipv4::RouteType;

constexpr ipv4::Ipv4 A(int a, int b, int c, int d) {
  return (static_cast<ipv4::Ipv4>(a) << 24) | (b << 16) | (c << 8) | d;
}

ipv4::Link MakeLink(int ifindex, const char* name, uint32_t flags = IFF_UP | IFF_LOWER_UP) {
  ipv4::Link l;
  l.ifindex = ifindex;
  l.name = name;
  l.flags = flags;
  return l;
}

ipv4::Address MakeAddr(int ifindex, ipv4::Ipv4 a, uint8_t len) {
  return ipv4::Address{ifindex, a, a, len, ipv4::kScopeUniverse, 0, 0};
}

ipv4::Route Local(ipv4::Ipv4 a, int dev) {
  ipv4::Route r;
  r.table = ipv4::kTableLocal;
  r.type = RouteType::kLocal;
  r.scope = ipv4::kScopeHost;
  r.dst = a;
  r.dst_len = 32;
  r.nexthops.push_back(ipv4::NextHop{dev, 0, 0, 1});
  return r;
}

TEST(L3StateTest, LinksByIndexAndNameFollowRenames) {
  L3State s;
  uint64_t g0 = s.generation();
  s.UpsertLink(MakeLink(3, "eth0"));
  EXPECT_GT(s.generation(), g0);
  ASSERT_NE(s.LinkByName("eth0"), nullptr);
  EXPECT_EQ(s.LinkByName("eth0")->ifindex, 3);
  ipv4::Link renamed = MakeLink(3, "wan");
  renamed.mac = {2, 0, 0, 0, 0, 9};
  s.UpsertLink(renamed);
  EXPECT_EQ(s.LinkByName("eth0"), nullptr);
  EXPECT_EQ(s.LinkByName("wan")->ifindex, 3);
  EXPECT_EQ(s.LinkByIndex(3)->mac[5], 9);
  EXPECT_EQ(s.link_count(), 1u);
  EXPECT_TRUE(s.RemoveLink(3));
  EXPECT_EQ(s.LinkByIndex(3), nullptr);
  EXPECT_EQ(s.LinkByName("wan"), nullptr);
  EXPECT_FALSE(s.RemoveLink(3));
}

TEST(L3StateTest, AddressesPerLinkAndConfiguredAddressLookup) {
  L3State s;
  s.UpsertLink(MakeLink(2, "a"));
  s.UpsertLink(MakeLink(3, "b", 0));  // down
  s.UpsertAddress(MakeAddr(2, A(10, 0, 0, 1), 24));
  s.UpsertAddress(MakeAddr(2, A(10, 0, 1, 1), 24));
  s.UpsertAddress(MakeAddr(3, A(10, 0, 2, 1), 24));
  s.UpsertAddress(MakeAddr(2, A(10, 0, 0, 1), 24));  // same identity: no duplicate
  EXPECT_EQ(s.AddressesOn(2).size(), 2u);
  EXPECT_TRUE(s.HasAnyAddress(3));
  EXPECT_FALSE(s.HasAnyAddress(4));
  EXPECT_TRUE(s.AddressesOn(4).empty());
  EXPECT_TRUE(s.IsConfiguredAddress(A(10, 0, 2, 1)));  // on a down interface too
  EXPECT_FALSE(s.IsConfiguredAddress(A(10, 0, 2, 2)));
  EXPECT_EQ(s.DeviceOfAddress(A(10, 0, 1, 1)), 2);
  EXPECT_TRUE(s.RemoveAddress(MakeAddr(2, A(10, 0, 1, 1), 24)));
  EXPECT_FALSE(s.IsConfiguredAddress(A(10, 0, 1, 1)));
  EXPECT_FALSE(s.RemoveAddress(MakeAddr(2, A(10, 0, 1, 1), 24)));
  int n = 0;
  s.ForEachAddress([&](const ipv4::Address&) { ++n; });
  EXPECT_EQ(n, 2);
  s.RemoveLink(3);
  EXPECT_FALSE(s.HasAnyAddress(3));
  EXPECT_FALSE(s.IsConfiguredAddress(A(10, 0, 2, 1)));
}

TEST(L3StateTest, AddrTypeFollowsTheLocalTable) {
  L3State s;
  s.UpsertLink(MakeLink(2, "a", 0));  // admin down: local routes still count
  s.mutable_fib().Upsert(Local(A(10, 0, 0, 1), 2));
  ipv4::Route bc = Local(A(10, 0, 0, 255), 2);
  bc.type = RouteType::kBroadcast;
  bc.scope = ipv4::kScopeLink;
  s.mutable_fib().Upsert(bc);
  EXPECT_TRUE(s.IsLocalAddress(A(10, 0, 0, 1)));
  EXPECT_FALSE(s.IsLocalAddress(A(10, 0, 0, 2)));
  // A link-scope broadcast route on an admin-down device is dead (the kernel even
  // flushes it), unlike the host-scope local route.
  EXPECT_EQ(s.AddrType(A(10, 0, 0, 255)), RouteType::kUnicast);
  s.UpsertLink(MakeLink(2, "a"));
  EXPECT_EQ(s.AddrType(A(10, 0, 0, 255)), RouteType::kBroadcast);
  EXPECT_EQ(s.AddrType(0), RouteType::kBroadcast);
  EXPECT_EQ(s.AddrType(0xffffffff), RouteType::kBroadcast);
  EXPECT_EQ(s.AddrType(A(224, 0, 0, 1)), RouteType::kMulticast);
  EXPECT_EQ(s.AddrType(A(8, 8, 8, 8)), RouteType::kUnicast);
  EXPECT_EQ(s.AddrType(A(10, 0, 0, 1), 2), RouteType::kLocal);
  EXPECT_EQ(s.AddrType(A(10, 0, 0, 1), 5), RouteType::kUnicast);
}

TEST(L3StateTest, LinkStateAndIgnoreLinkdownReachTheFib) {
  L3State s;
  ipv4::Link l = MakeLink(2, "a", IFF_UP);  // up, no carrier
  s.UpsertLink(l);
  ipv4::Route r;
  r.dst = A(10, 0, 0, 0);
  r.dst_len = 24;
  r.nexthops.push_back(ipv4::NextHop{2, 0, 0, 1});
  s.mutable_fib().Upsert(r);
  EXPECT_TRUE(s.fib().Lookup(A(10, 0, 0, 1)).has_value());
  s.SetIgnoreRoutesWithLinkdownAll(true);
  EXPECT_FALSE(s.fib().Lookup(A(10, 0, 0, 1)).has_value());
  s.SetIgnoreRoutesWithLinkdownAll(false);
  l.has_inet_conf = true;
  l.inet_conf[28] = 1;  // IPV4_DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN on the device
  s.UpsertLink(l);
  EXPECT_FALSE(s.fib().Lookup(A(10, 0, 0, 1)).has_value());
  l.flags |= IFF_LOWER_UP;
  s.UpsertLink(l);
  EXPECT_TRUE(s.fib().Lookup(A(10, 0, 0, 1)).has_value());
}

TEST(L3StateTest, RemovingALinkDropsItsRoutes) {
  L3State s;
  s.UpsertLink(MakeLink(2, "a"));
  s.UpsertLink(MakeLink(3, "b"));
  ipv4::Route r;
  r.dst = A(10, 0, 0, 0);
  r.dst_len = 24;
  r.nexthops.push_back(ipv4::NextHop{2, 0, 0, 1});
  s.mutable_fib().Upsert(r);
  r.dst = A(10, 0, 1, 0);
  r.nexthops[0].ifindex = 3;
  s.mutable_fib().Upsert(r);
  s.RemoveLink(2);
  EXPECT_EQ(s.fib().size(), 1u);
  EXPECT_FALSE(s.fib().Lookup(A(10, 0, 0, 1)).has_value());
  EXPECT_TRUE(s.fib().Lookup(A(10, 0, 1, 1)).has_value());
}

// pneigh_lookup: an entry bound to the asking device, or to none.
TEST(L3StateTest, ProxyEntriesMatchTheirDeviceOrAny) {
  L3State s;
  s.UpsertLink(MakeLink(2, "a"));
  s.UpsertLink(MakeLink(3, "b"));
  const uint64_t g0 = s.generation();
  EXPECT_TRUE(s.ReplaceProxyEntries({{A(10, 9, 0, 1), 2}, {A(10, 9, 0, 2), 0}, {A(10, 9, 0, 3), 3}}));
  EXPECT_GT(s.generation(), g0);
  EXPECT_EQ(s.proxy_entry_count(), 3u);
  EXPECT_TRUE(s.HasProxyEntry(A(10, 9, 0, 1), 2));
  EXPECT_FALSE(s.HasProxyEntry(A(10, 9, 0, 1), 3));
  EXPECT_TRUE(s.HasProxyEntry(A(10, 9, 0, 2), 2));
  EXPECT_TRUE(s.HasProxyEntry(A(10, 9, 0, 2), 3));
  EXPECT_FALSE(s.HasProxyEntry(A(10, 9, 0, 3), 2));
  EXPECT_FALSE(s.HasProxyEntry(A(10, 9, 0, 4), 2));

  // The same set again, in another order: no change, no new generation.
  const uint64_t g1 = s.generation();
  EXPECT_FALSE(s.ReplaceProxyEntries({{A(10, 9, 0, 3), 3}, {A(10, 9, 0, 1), 2}, {A(10, 9, 0, 2), 0}}));
  EXPECT_EQ(s.generation(), g1);

  // A device going down or away takes its own entries; unbound ones stay.
  EXPECT_EQ(s.RemoveProxyEntriesOf(3), 1u);
  EXPECT_EQ(s.RemoveProxyEntriesOf(0), 0u);
  EXPECT_TRUE(s.RemoveLink(2));
  EXPECT_EQ(s.proxy_entry_count(), 1u);
  EXPECT_TRUE(s.HasProxyEntry(A(10, 9, 0, 2), 7));
  EXPECT_TRUE(s.ReplaceProxyEntries({}));
  EXPECT_FALSE(s.HasProxyEntry(A(10, 9, 0, 2), 7));
}

}  // namespace
}  // namespace pvland::kernel_state
