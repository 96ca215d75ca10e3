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
// makes the kernel send, with the prefix length given.
std::optional<ipv4::Route> Convert(uint8_t dst_len) {
  std::vector<uint8_t> buf(NLMSG_LENGTH(sizeof(rtmsg)));
  auto attr = [&](uint16_t type, uint32_t v) {
    const size_t at = buf.size();
    buf.resize(at + RTA_SPACE(4));
    auto* rta = reinterpret_cast<rtattr*>(buf.data() + at);
    rta->rta_type = type;
    rta->rta_len = RTA_LENGTH(4);
    std::memcpy(RTA_DATA(rta), &v, 4);
  };
  attr(RTA_DST, htonl(0x0a020000));
  attr(RTA_OIF, 2);
  attr(RTA_TABLE, RT_TABLE_MAIN);
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

}  // namespace
}  // namespace pvland::netlink
