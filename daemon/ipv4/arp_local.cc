#include "daemon/ipv4/arp_local.h"

#include <algorithm>

#include "daemon/ipv4/ipv4.h"

namespace pvland::ipv4 {
namespace {

bool IfaMatch(Ipv4 a, const Address& ifa) { return InPrefix(a, ifa.address, ifa.prefixlen); }

// confirm_addr_indev: walk the device's addresses in list order looking for an
// address `local` (any if 0) of scope <= `scope`, and for one prefix that contains
// both `local` and `dst` (either may be 0 = don't care). Answers the address found,
// or 0 when the pair of conditions is not met.
Ipv4 ConfirmAddrIndev(const kernel_state::L3State& state, const ConfLookup& confs, int ifindex,
                      Ipv4 dst, Ipv4 local, uint8_t scope) {
  uint8_t localnet_scope = kScopeHost;
  if (auto c = confs.ForIfindex(ifindex); c && c->RouteLocalnet()) localnet_scope = kScopeLink;
  Ipv4 addr = 0;
  bool same = false;
  for (const Address& ifa : state.AddressesOn(ifindex)) {
    const uint8_t min_scope = std::min(ifa.scope, localnet_scope);
    if (addr == 0 && (local == ifa.local || local == 0) && min_scope <= scope) {
      addr = ifa.local;
      if (same) break;
    }
    if (!same) {
      same = (local == 0 || IfaMatch(local, ifa)) && (dst == 0 || IfaMatch(dst, ifa));
      if (same && addr != 0) {
        if (local != 0 || dst == 0) break;
        if (IfaMatch(addr, ifa)) break;
        if (min_scope <= scope) {
          addr = ifa.local;
          break;
        }
        same = false;
      }
    }
  }
  return same ? addr : 0;
}

}  // namespace

bool ArpIgnoreSuppresses(const ConfLookup& confs, const ConfView& in_conf, int dev,
                         Ipv4 sip, Ipv4 tip) {
  const kernel_state::L3State& state = confs.state();
  Ipv4 dst = sip;
  uint8_t scope = kScopeHost;
  switch (in_conf.ArpIgnore()) {
    case 0:
      return false;
    case 1:
      dst = 0;
      break;
    case 2:
      break;
    case 3: {
      // inet_confirm_addr with no device: any device of the namespace.
      bool found = false;
      state.ForEachLink([&](const Link& link) {
        if (!found && ConfirmAddrIndev(state, confs, link.ifindex, 0, tip, kScopeLink) != 0) {
          found = true;
        }
      });
      return !found;
    }
    case 8:
      return true;
    default:  // 4-7 are reserved and answer; so does anything else
      return false;
  }
  return ConfirmAddrIndev(state, confs, dev, dst, tip, scope) == 0;
}

bool ArpFilterSuppresses(const kernel_state::L3State& state, int dev, Ipv4 sip, Ipv4 tip) {
  (void)tip;  // the source address only selects among equal routes with policy rules
  const auto res = state.fib().Lookup(sip, 0, 0);
  if (!res || res->IsError()) return true;  // ip_route_output failed
  // An output route to a local address uses the loopback device.
  if (res->type == RouteType::kLocal) return true;
  return res->oif != dev;
}

}  // namespace pvland::ipv4
