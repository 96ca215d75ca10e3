// What the ARP stage asks of the namespace's router, and nothing more: the L3 device
// of a VLAN as the kernel mirror has it, the kernel's verdict on a request, and a
// place in the proxy delay queue. The stage sees only this interface, so it can be
// tested with a fake; the implementation (daemon/router/) keeps every piece of I/O
// (netlink, /proc, the queue's timer, sending delayed replies) on its side.
#pragma once

#include <cstdint>

#include "absl/types/span.h"
#include "daemon/ipv4/arp_decide.h"
#include "daemon/kernel_state/l3_types.h"

namespace pvland::ipv4 {

class ArpDecider {
 public:
  virtual ~ArpDecider() = default;

  // The device with kernel ifindex `ifindex`; null until netlink has reported it.
  virtual const Link* Device(int ifindex) const = 0;

  // arp_process for a request received on in.ifindex, with that device's conf and
  // the routes as they are now. Logs the martian lines the kernel would
  // (log_martians), rate-limited. `ll_header` is the request's Ethernet header as
  // the device sees it, for those lines. Performs no I/O and no allocation.
  virtual ArpDecision Decide(const ArpInput& in, absl::Span<const uint8_t> ll_header) = 0;

  // Holds a request whose decision was kEnqueue for the device's proxy_delay;
  // `cookie` comes back with its later verdict. false: over proxy_qlen, dropped.
  virtual bool Enqueue(const ArpInput& in, uint64_t cookie) = 0;
};

}  // namespace pvland::ipv4
