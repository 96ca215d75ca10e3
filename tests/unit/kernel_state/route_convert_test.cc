// The mirror's conversion of an RTM_NEWROUTE message, parsed by libnl as the sync parses
// it (rtnl_route_parse), into an ipv4::Route.
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netlink/route/route.h>

#include <cstring>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "netlink/nl_convert.h"

namespace pvland::netlink {
namespace {

// RTM_NEWROUTE for 10.2.0.0/dst_len (RTA_DST), table main, dev 2: what `ip route add`
// makes the kernel send, with the prefix length given; `multipath`: an RTA_MULTIPATH of
// those bytes instead of RTA_OIF.
std::vector<uint8_t> Message(uint8_t dst_len, const std::vector<uint8_t>* multipath = nullptr,
                             uint16_t multipath_flags = 0) {
  std::vector<uint8_t> buf(NLMSG_LENGTH(sizeof(rtmsg)));
  auto attr = [&](uint16_t type, const void* data, size_t len) {
    const size_t at = buf.size();
    buf.resize(at + RTA_SPACE(len));
    auto* rta = reinterpret_cast<rtattr*>(buf.data() + at);
    rta->rta_type = type;
    rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
    std::memcpy(RTA_DATA(rta), data, len);
  };
  auto u32 = [&](uint16_t type, uint32_t v) { attr(type, &v, 4); };
  u32(RTA_DST, htonl(0x0a020000));
  if (multipath) attr(RTA_MULTIPATH | multipath_flags, multipath->data(), multipath->size());
  else u32(RTA_OIF, 2);
  u32(RTA_TABLE, RT_TABLE_MAIN);
  auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
  h->nlmsg_len = static_cast<uint32_t>(buf.size());
  h->nlmsg_type = RTM_NEWROUTE;
  auto* rtm = static_cast<rtmsg*>(NLMSG_DATA(h));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = dst_len;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_LINK;
  rtm->rtm_type = RTN_UNICAST;
  return buf;
}

std::optional<ipv4::Route> Convert(uint8_t dst_len) {
  std::vector<uint8_t> buf = Message(dst_len);
  auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
  EXPECT_TRUE(RouteMessageWellFormed(h, buf.size()));
  struct rtnl_route* route = nullptr;
  if (rtnl_route_parse(h, &route) < 0 || route == nullptr) {
    ADD_FAILURE() << "libnl refused the message";
    return std::nullopt;
  }
  std::optional<ipv4::Route> r = ConvertRoute(route);
  rtnl_route_put(route);
  return r;
}

TEST(RouteConvertTest, AnIpv4RouteKeepsItsPrefix) {
  std::optional<ipv4::Route> r = Convert(16);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->dst, 0x0a020000u);
  EXPECT_EQ(r->dst_len, 16);
  EXPECT_EQ(r->table, RT_TABLE_MAIN);
  ASSERT_EQ(r->nexthops.size(), 1u);
  EXPECT_EQ(r->nexthops[0].ifindex, 2);
}

// rtm_dst_len is a byte: a message claiming more than 32 bits for an IPv4 prefix is
// malformed, and the FIB must never see it (its masks are 32-bit shifts).
TEST(RouteConvertTest, AnIpv4PrefixLongerThan32BitsIsNoRoute) {
  EXPECT_TRUE(Convert(32).has_value());
  EXPECT_FALSE(Convert(33).has_value());
  EXPECT_FALSE(Convert(253).has_value());
}

// Nexthops of RTA_MULTIPATH: an rtnexthop (8 bytes: length, flags, hops, ifindex) each.
std::vector<uint8_t> Nexthop(uint16_t len, int ifindex) {
  std::vector<uint8_t> nh(8, 0);
  std::memcpy(&nh[0], &len, 2);
  std::memcpy(&nh[4], &ifindex, 4);
  return nh;
}

TEST(RouteConvertTest, MultipathNexthopsMustHaveALength) {
  std::vector<uint8_t> two = Nexthop(8, 2), tail = Nexthop(8, 3);
  two.insert(two.end(), tail.begin(), tail.end());
  std::vector<uint8_t> m = Message(16, &two);
  EXPECT_TRUE(RouteMessageWellFormed(reinterpret_cast<nlmsghdr*>(m.data()), m.size()));
  // A nexthop of length 0 (libnl would read it again and again, allocating a nexthop
  // each time), one shorter than its header, one past the attribute.
  for (uint16_t len : {0, 4, 12}) {
    std::vector<uint8_t> nhs = Nexthop(8, 2), second = Nexthop(len, 3);
    nhs.insert(nhs.end(), second.begin(), second.end());
    m = Message(16, &nhs);
    EXPECT_FALSE(RouteMessageWellFormed(reinterpret_cast<nlmsghdr*>(m.data()), m.size())) << len;
  }
  // The same with the attribute type's flag bits set: libnl masks them off (nla_type)
  // and reads the attribute as RTA_MULTIPATH all the same (found by fuzzing:
  // corpus/rtnl_convert/regress_multipath_flagged_type).
  for (uint16_t flags : {NLA_F_NET_BYTEORDER, NLA_F_NESTED}) {
    std::vector<uint8_t> nhs = Nexthop(8, 2), second = Nexthop(0, 3);
    nhs.insert(nhs.end(), second.begin(), second.end());
    m = Message(16, &nhs, flags);
    EXPECT_FALSE(RouteMessageWellFormed(reinterpret_cast<nlmsghdr*>(m.data()), m.size())) << flags;
  }
  // A message shorter than its rtmsg, and one claiming more bytes than there are.
  m = Message(16);
  EXPECT_FALSE(RouteMessageWellFormed(reinterpret_cast<nlmsghdr*>(m.data()), NLMSG_LENGTH(4)));
  EXPECT_FALSE(RouteMessageWellFormed(reinterpret_cast<nlmsghdr*>(m.data()), m.size() - 4));
}

}  // namespace
}  // namespace pvland::netlink
