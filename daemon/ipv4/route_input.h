// The IPv4 input routing decision (net/ipv4/route.c ip_route_input_slow,
// ip_mkroute_input, __mkroute_input) in the two shapes pvland needs:
//  * RouteInputForArp: the check arp_process() makes for a request, dst = tip,
//    src = sip, tos 0, on a non-IP packet (docs/kernel-semantics.md §2.2 rows 1-14);
//  * RouteInputForIp: the same checks for a real IPv4 packet, with the broadcast
//    path, multicast hand-off and no-route outcomes (§2.9), for later IP filtering.
// Both report which martian the kernel would log; whether it is logged depends on
// log_martians of the ingress device (see martian_log.h).
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/validate_source.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::ipv4 {

enum class MartianKind : uint8_t { kNone, kSource, kDestination };

struct RouteInputArgs {
  ipv4::Ipv4 dst = 0;
  ipv4::Ipv4 src = 0;
  uint8_t dscp = 0;
  int dev = 0;  // ingress ifindex
};

struct ArpRouteResult {
  // The kernel's ip_route_input_noref() == 0.
  bool ok = false;
  // When ok: kUnicast (with oif), kLocal, kBroadcast (bc_forwarding), or
  // kUnreachable (no route / error route / forwarding off: the pseudo-route that
  // makes arp_process answer nothing).
  RouteType type = RouteType::kUnspec;
  int oif = 0;
  MartianKind martian = MartianKind::kNone;
  std::string_view reason;  // stable snake_case
};

ArpRouteResult RouteInputForArp(const kernel_state::L3State& state, const NetnsFlags& flags,
                                const ConfView& in_conf, const RouteInputArgs& args);

enum class IpRouteAction : uint8_t {
  kMulticastPath,   // dst multicast: ip_route_input_mc decides (not modelled here)
  kLocalDeliver,    // LOCAL route, source valid
  kBroadcastDeliver,  // broadcast path, source valid (or 0.0.0.0)
  kForward,         // UNICAST (or broadcast with bc_forwarding), source valid
  kNoRoute,         // lookup failed: ip_error (ICMP only if the device forwards)
  kForwardingOff,   // not local and the device does not forward: silent drop
  kMartianSource,
  kMartianDestination,
};

struct IpRouteResult {
  IpRouteAction action = IpRouteAction::kNoRoute;
  RouteType type = RouteType::kUnspec;  // FIB type when a lookup was made
  int oif = 0;
  bool source_directly_connected = false;  // for the redirect decision (§2.11)
  MartianKind martian = MartianKind::kNone;
  std::string_view reason;
};

IpRouteResult RouteInputForIp(const kernel_state::L3State& state, const NetnsFlags& flags,
                              const ConfView& in_conf, const RouteInputArgs& args);

}  // namespace pvland::ipv4
