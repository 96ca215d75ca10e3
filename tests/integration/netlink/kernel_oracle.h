// The kernel as the reference for the netlink tests: route lookups and route dumps
// asked over rtnetlink with libmnl (independent of the libnl code under test), and
// shell commands run in the test's own network namespace.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <tuple>

namespace pvland::netlink::testing {

// What `ip route get ADDR [tos T]` reports: the same RTM_GETROUTE request.
struct KernelRoute {
  int error = 0;     // errno of the reply (ENETUNREACH, EHOSTUNREACH, EINVAL, EACCES)
  uint8_t type = 0;  // RTN_*
  int oif = 0;
  uint32_t gateway = 0;  // host order
  uint32_t table = 0;
};
KernelRoute KernelGetRoute(uint32_t dst, uint8_t tos = 0);

// (table, dst, dst_len, tos, priority) of every IPv4 FIB route, as a dump of all
// tables shows them (what `ip -j route show table all` prints).
using RouteIdentity = std::tuple<uint32_t, uint32_t, int, int, uint32_t>;
std::set<RouteIdentity> KernelRouteIdentities();

// Runs a shell command; returns its exit status.
int Sh(const std::string& cmd);

}  // namespace pvland::netlink::testing
