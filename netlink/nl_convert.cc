#include "netlink/nl_convert.h"

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include <cstring>

namespace pvland::netlink {
namespace {

// An IPv4 nl_addr as a host-order integer; 0 if absent or of another family.
ipv4::Ipv4 V4(struct nl_addr* a) {
  if (a == nullptr || nl_addr_get_family(a) != AF_INET || nl_addr_get_len(a) != 4) return 0;
  uint32_t be;
  std::memcpy(&be, nl_addr_get_binary_addr(a), 4);
  return ntohl(be);
}

}  // namespace

bool RouteMessageWellFormed(const struct nlmsghdr* nlh, size_t len) {
  if (len < sizeof(*nlh) || nlh->nlmsg_len > len || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg))) return false;
  int attrlen = static_cast<int>(nlh->nlmsg_len - NLMSG_LENGTH(sizeof(struct rtmsg)));
  // RTA_OK and RTA_NEXT take a non-const pointer; nothing is written through it.
  auto* rta = reinterpret_cast<struct rtattr*>(const_cast<char*>(static_cast<const char*>(NLMSG_DATA(nlh))) +
                                               NLMSG_ALIGN(sizeof(struct rtmsg)));
  for (; RTA_OK(rta, attrlen); rta = RTA_NEXT(rta, attrlen)) {
    // As libnl reads the type (nla_type): without the nested and byte-order flag bits.
    if ((rta->rta_type & NLA_TYPE_MASK) != RTA_MULTIPATH) continue;
    int left = static_cast<int>(RTA_PAYLOAD(rta));
    auto* nh = static_cast<struct rtnexthop*>(RTA_DATA(rta));
    while (left > 0) {
      if (left < static_cast<int>(sizeof(*nh)) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left) return false;
      left -= static_cast<int>(RTNH_ALIGN(nh->rtnh_len));
      nh = RTNH_NEXT(nh);
    }
  }
  // Attributes must fill the message exactly (up to alignment), as the kernel builds it.
  return attrlen < static_cast<int>(sizeof(struct rtattr));
}

std::optional<ipv4::Route> ConvertRoute(struct rtnl_route* route) {
  if (rtnl_route_get_family(route) != AF_INET) return std::nullopt;
  if (rtnl_route_get_flags(route) & RTM_F_CLONED) return std::nullopt;
  ipv4::Route r;
  r.table = rtnl_route_get_table(route);
  struct nl_addr* dst = rtnl_route_get_dst(route);
  r.dst = V4(dst);
  const unsigned dst_len = dst ? nl_addr_get_prefixlen(dst) : 0;
  // rtm_dst_len is a byte: more than 32 bits of an IPv4 prefix is a malformed message.
  if (dst_len > 32) return std::nullopt;
  r.dst_len = static_cast<uint8_t>(dst_len);
  r.tos = rtnl_route_get_tos(route);
  r.priority = rtnl_route_get_priority(route);  // 0 when RTA_PRIORITY is absent
  r.type = static_cast<ipv4::RouteType>(rtnl_route_get_type(route));
  r.scope = rtnl_route_get_scope(route);
  r.protocol = rtnl_route_get_protocol(route);
  r.prefsrc = V4(rtnl_route_get_pref_src(route));
  int n = rtnl_route_get_nnexthops(route);
  r.nexthops.reserve(n);
  for (int i = 0; i < n; ++i) {
    struct rtnl_nexthop* nh = rtnl_route_nexthop_n(route, i);
    ipv4::NextHop h;
    h.ifindex = rtnl_route_nh_get_ifindex(nh);
    h.gateway = V4(rtnl_route_nh_get_gateway(nh));
    h.flags = static_cast<uint8_t>(rtnl_route_nh_get_flags(nh));
    h.weight = rtnl_route_nh_get_weight(nh) + 1;  // libnl reports rtnh_hops
    if (rtnl_route_nh_get_realms(nh) != 0) r.has_realms = true;
    r.nexthops.push_back(h);
  }
  return r;
}

ipv4::Link ConvertLink(struct rtnl_link* link) {
  ipv4::Link l;
  l.ifindex = rtnl_link_get_ifindex(link);
  if (const char* name = rtnl_link_get_name(link)) l.name = name;
  struct nl_addr* mac = rtnl_link_get_addr(link);
  if (mac != nullptr && nl_addr_get_len(mac) == l.mac.size()) {
    std::memcpy(l.mac.data(), nl_addr_get_binary_addr(mac), l.mac.size());
  }
  l.flags = rtnl_link_get_flags(link);
  l.mtu = rtnl_link_get_mtu(link);
  for (int k = 1; k <= ipv4::kDevconfMax; ++k) {
    uint32_t v;
    if (rtnl_link_inet_get_conf(link, k, &v) == 0) {
      l.inet_conf[k - 1] = static_cast<int32_t>(v);
      l.has_inet_conf = true;
    }
  }
  return l;
}

std::optional<ipv4::Address> ConvertAddress(struct rtnl_addr* addr) {
  if (rtnl_addr_get_family(addr) != AF_INET) return std::nullopt;
  ipv4::Address a;
  a.ifindex = rtnl_addr_get_ifindex(addr);
  a.local = V4(rtnl_addr_get_local(addr));
  // libnl keeps IFA_ADDRESS as "peer" only when it differs from IFA_LOCAL.
  struct nl_addr* peer = rtnl_addr_get_peer(addr);
  a.address = peer ? V4(peer) : a.local;
  a.prefixlen = static_cast<uint8_t>(rtnl_addr_get_prefixlen(addr));
  a.scope = static_cast<uint8_t>(rtnl_addr_get_scope(addr));
  a.broadcast = V4(rtnl_addr_get_broadcast(addr));
  a.flags = rtnl_addr_get_flags(addr);
  return a;
}

std::optional<ipv4::ProxyEntry> ConvertProxyNeigh(const struct nlmsghdr* nlh, size_t len) {
  if (len < sizeof(*nlh) || nlh->nlmsg_len > len || nlh->nlmsg_type != RTM_NEWNEIGH) return std::nullopt;
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ndmsg))) return std::nullopt;
  const auto* ndm = static_cast<const struct ndmsg*>(NLMSG_DATA(nlh));
  if (ndm->ndm_family != AF_INET || (ndm->ndm_flags & NTF_PROXY) == 0 || ndm->ndm_ifindex < 0) return std::nullopt;
  int attrlen = static_cast<int>(nlh->nlmsg_len - NLMSG_LENGTH(sizeof(struct ndmsg)));
  // RTA_OK and RTA_NEXT take a non-const pointer; nothing is written through it.
  auto* rta = reinterpret_cast<struct rtattr*>(const_cast<char*>(reinterpret_cast<const char*>(ndm)) +
                                               NLMSG_ALIGN(sizeof(struct ndmsg)));
  for (; RTA_OK(rta, attrlen); rta = RTA_NEXT(rta, attrlen)) {
    if (rta->rta_type != NDA_DST) continue;
    if (RTA_PAYLOAD(rta) != 4) return std::nullopt;
    uint32_t be;
    std::memcpy(&be, RTA_DATA(rta), 4);
    return ipv4::ProxyEntry{ntohl(be), ndm->ndm_ifindex};
  }
  return std::nullopt;
}

}  // namespace pvland::netlink
