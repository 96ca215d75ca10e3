// Plain value types for the kernel state pvland mirrors over rtnetlink.
// No libnl type appears here: everything outside netlink/ sees only these.
// IPv4 addresses are host byte order uint32_t throughout (10.0.0.1 == 0x0a000001).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "include/pvland/types.h"

namespace pvland::ipv4 {

using Ipv4 = uint32_t;  // host byte order

// Values are the kernel's RTN_* numbers so they can be compared with `ip route` output.
enum class RouteType : uint8_t {
  kUnspec = 0, kUnicast = 1, kLocal = 2, kBroadcast = 3, kAnycast = 4, kMulticast = 5,
  kBlackhole = 6, kUnreachable = 7, kProhibit = 8, kThrow = 9, kNat = 10,
};

// RT_SCOPE_* numbers.
enum : uint8_t { kScopeUniverse = 0, kScopeSite = 200, kScopeLink = 253, kScopeHost = 254, kScopeNowhere = 255 };

// RT_TABLE_* numbers.
enum : uint32_t { kTableDefault = 253, kTableMain = 254, kTableLocal = 255 };

// Number of IPV4_DEVCONF_* entries in IFLA_INET_CONF (index k+1 at element k).
inline constexpr int kDevconfMax = 33;
using DevconfArray = std::array<int32_t, kDevconfMax>;

struct NextHop {
  int ifindex = 0;
  Ipv4 gateway = 0;   // 0: directly connected
  uint8_t flags = 0;  // RTNH_F_* (DEAD 1, ONLINK 4, LINKDOWN 16)
  int weight = 1;     // rtnh_hops + 1
};

struct Route {
  uint32_t table = kTableMain;
  Ipv4 dst = 0;
  uint8_t dst_len = 0;
  uint8_t tos = 0;
  uint32_t priority = 0;
  RouteType type = RouteType::kUnicast;
  uint8_t scope = kScopeUniverse;
  uint8_t protocol = 0;
  Ipv4 prefsrc = 0;
  bool has_realms = false;           // RTA_FLOW present (changes rp_filter's fast path)
  std::vector<NextHop> nexthops;     // empty for blackhole/unreachable/prohibit/throw
};

struct Address {
  int ifindex = 0;
  Ipv4 local = 0;        // IFA_LOCAL
  Ipv4 address = 0;      // IFA_ADDRESS (peer for point-to-point, else == local)
  uint8_t prefixlen = 0;
  uint8_t scope = kScopeUniverse;
  Ipv4 broadcast = 0;
  uint32_t flags = 0;    // IFA_F_*
};

// A static proxy entry of the ARP table (`ip neigh add proxy ADDR [dev DEV]`, the
// kernel's pneigh_entry): the kernel proxies ADDR for requests arriving on DEV, or on
// any device when the entry has none (ifindex 0).
struct ProxyEntry {
  Ipv4 address = 0;
  int ifindex = 0;  // 0: any device
  bool operator==(const ProxyEntry&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const ProxyEntry& e) {
    return H::combine(std::move(h), e.address, e.ifindex);
  }
};

struct Link {
  int ifindex = 0;
  std::string name;
  MacAddr mac{};
  uint32_t flags = 0;    // IFF_* (IFF_UP, IFF_RUNNING, IFF_LOWER_UP, IFF_NOARP)
  uint32_t mtu = 0;
  bool has_inet_conf = false;
  DevconfArray inet_conf{};  // IFLA_INET_CONF as reported by the kernel
};

}  // namespace pvland::ipv4
