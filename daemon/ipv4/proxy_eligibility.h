// Whether a request whose route check found a UNICAST route may be answered by
// proxy (net/ipv4/arp.c arp_fwd_proxy, arp_fwd_pvlan, and arp_process's
// pneigh_lookup; docs/kernel-semantics.md §2.4).
#pragma once

#include <optional>

#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/ipv4.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::ipv4 {

// Classic proxy_arp: the route leaves by another device, proxy_arp (OR) is on, and
// the medium_id pair allows it. in_conf is the ingress device's; out_conf the
// route's output device's, nullopt when it has no IPv4 (its medium_id counts as -1).
//   ingress 0 -> yes; ingress -1 -> no; otherwise yes iff out != ingress and
//   out != -1.
bool ArpFwdProxy(const ConfView& in_conf, int in_dev, int out_dev,
                 const std::optional<ConfView>& out_conf);

// RFC 3069 private VLAN: the route leaves by the ingress device itself, the request
// is not a self-probe (sip != tip), and proxy_arp_pvlan (OR) is on.
bool ArpFwdPvlan(const ConfView& in_conf, int in_dev, int out_dev, Ipv4 sip, Ipv4 tip);

// A static proxy entry (`ip neigh add proxy TIP [dev IN_DEV]`): the route leaves by
// another device and the namespace has an entry for tip bound to the ingress device
// or to no device. No devconf knob is involved (forwarding and the unicast route are
// checked before, as for the other two).
bool ArpFwdProxyEntry(const kernel_state::L3State& state, int in_dev, int out_dev, Ipv4 tip);

}  // namespace pvland::ipv4
