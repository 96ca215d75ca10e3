// The two filters on replies about the host's own addresses (never on proxy
// replies): arp_ignore (net/ipv4/arp.c arp_ignore -> devinet.c inet_confirm_addr,
// confirm_addr_indev; docs/kernel-semantics.md §2.6) and arp_filter (arp.c arp_filter,
// §2.7).
#pragma once

#include "daemon/ipv4/conf_lookup.h"
#include "daemon/ipv4/devconf.h"

namespace pvland::ipv4 {

// True when arp_ignore (MAX of all and dev) forbids answering for `tip` asked by
// `sip` on device `dev`. sip is 0 for duplicate address detection.
//   0, 4-7, >8 or negative: answer;  8: never;
//   1: tip must be an address of dev, inside some prefix of dev;
//   2: as 1, and one prefix of dev must hold both tip and sip;
//   3: tip must be an address of some device with scope link or universe
//      (host scope counts as link when that device has route_localnet).
bool ArpIgnoreSuppresses(const ConfLookup& confs, const ConfView& in_conf, int dev,
                         Ipv4 sip, Ipv4 tip);

// True when arp_filter forbids the reply: the host's own route back to `sip`
// (source tip) fails or leaves through another device than `dev`. Only consulted
// when arp_filter (OR) is on; a sip that is one of our addresses routes via
// loopback, which is never `dev`.
bool ArpFilterSuppresses(const kernel_state::L3State& state, int dev, Ipv4 sip, Ipv4 tip);

}  // namespace pvland::ipv4
