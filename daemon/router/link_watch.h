// What a change of the kernel mirror means for pvland's own L3 state, computed
// without I/O so it can be tested on a hand-built L3State:
//  * an internal port's interface renamed or given a new MAC with `ip link`: the port
//    and its devconf follow it by ifindex;
//  * any interface going admin down, or losing carrier under arp_evict_nocarrier:
//    the kernel purges the whole ARP proxy queue (net/core/neighbour.c
//    pneigh_queue_purge from arp_ifdown and neigh_carrier_down);
//  * an internal port's forwarding changed in the kernel (`sysctl -w` from outside
//    pvland, announced by RTM_NEWNETCONF): forwarding is the one knob pvland shares
//    with the kernel behind the TAP, so the devconf store takes the kernel's value.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/ipv4.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::router {

struct InternalLinkChange {
  int ifindex = 0;
  std::string old_name;
  ipv4::Link link;  // as the kernel has it now
};

class LinkWatch {
 public:
  // Starts following internal port `name`, whose interface is `ifindex`.
  void AddInternal(int ifindex, const std::string& name, const MacAddr& mac);
  void RemoveInternal(const std::string& name);

  // Internal ports whose interface changed name or MAC since the last call; renames
  // are applied to `store` here. Call on every link change.
  std::vector<InternalLinkChange> TakeInternalChanges(const kernel_state::L3State& state,
                                                      ipv4::DevconfStore& store);

  // Whether the link flags seen now, against those seen at the last call, purge the
  // proxy queue. Call on every link change.
  bool LinkEventsPurgeProxyQueue(const kernel_state::L3State& state, const ipv4::DevconfStore& store);

 private:
  // Internal ports by kernel ifindex -> (name in the store, last MAC).
  absl::flat_hash_map<int, std::pair<std::string, MacAddr>> internal_;
  // Last seen IFF_UP / IFF_LOWER_UP per ifindex.
  absl::flat_hash_map<int, uint32_t> link_flags_;
};

// Copies the kernel's forwarding of each internal port, as the mirror has it, into
// `store` where it differs. Returns how many ports changed.
int FollowKernelForwarding(const kernel_state::L3State& state, ipv4::DevconfStore& store);

}  // namespace pvland::router
