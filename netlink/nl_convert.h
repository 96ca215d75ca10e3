// Private to netlink/: libnl-route-3 objects -> the plain l3 value types. The only
// place that knows libnl's getters; nothing outside netlink/*.cc includes it.
#pragma once

#include <optional>

#include "daemon/kernel_state/l3_types.h"

struct rtnl_route;
struct rtnl_link;
struct rtnl_addr;
struct nlmsghdr;

namespace pvland::netlink {

// IPv4 FIB routes only: nullopt for other families, for cloned (cache) routes and for a
// prefix length over 32.
// Routes using a nexthop object (RTA_NH_ID) convert with the legs the kernel
// expands for them (nexthop_compat_mode=1); without that expansion they have none
// and a unicast route without legs is never usable in the Fib.
std::optional<ipv4::Route> ConvertRoute(struct rtnl_route* route);

// Whether an RTM_NEWROUTE/RTM_DELROUTE message may be handed to rtnl_route_parse: the
// rtmsg and every attribute lie within nlmsg_len (itself within `len`), and each nexthop
// of RTA_MULTIPATH (its type read without flag bits, as libnl does) is at least a struct
// rtnexthop long and lies within the attribute (the kernel's rtnh_ok). libnl's multipath
// reader skips that check: a nexthop of length 0 makes it allocate nexthops without end.
bool RouteMessageWellFormed(const struct nlmsghdr* nlh, size_t len);

// Every link; has_inet_conf tells whether IFLA_INET_CONF came with it.
ipv4::Link ConvertLink(struct rtnl_link* link);

// IPv4 addresses only.
std::optional<ipv4::Address> ConvertAddress(struct rtnl_addr* addr);

// One message of an RTM_GETNEIGH dump asked with ndm_flags NTF_PROXY (the kernel's
// pneigh_fill_info): an IPv4 static proxy entry, its device (ndm_ifindex, 0 for an
// entry without one) and its address (NDA_DST). nullopt for anything else: another
// message type or family, an ordinary neighbour, a missing or malformed NDA_DST.
// `len` is the number of bytes readable at `nlh`.
std::optional<ipv4::ProxyEntry> ConvertProxyNeigh(const struct nlmsghdr* nlh, size_t len);

}  // namespace pvland::netlink
