// What the IP guard and the source guard ask of the namespace's router: the kernel's
// verdict on an IPv4 packet arriving on an internal port, and the source guard's on a
// frame switched in that port's VLAN. The implementation (daemon/router/) reads its
// mirrored routes and devconf and prints the kernel's martian lines through the same
// rate-limited logger as ARP; the stages see only this interface.
#pragma once

#include "absl/types/span.h"
#include "daemon/ipv4/ip_input.h"

namespace pvland::ipv4 {

class IpDecider {
 public:
  virtual ~IpDecider() = default;

  // DecideIpInput on internal port `in.ifindex` with its conf, and the kernel's martian
  // line when its log_martians is on. `ll_header` is the Ethernet header as the device
  // sees it. A device netlink has not reported yet passes everything (the kernel decides).
  virtual IpInputDecision DecideInput(const IpPacketInfo& in, absl::Span<const uint8_t> ll_header) = 0;

  // SourceGuardDecide with internal port `in.ifindex` as the VLAN's L3 device, in `mode`
  // (1 strict, 2 loose). Never logs.
  virtual IpInputDecision SourceGuard(const IpPacketInfo& in, int mode) = 0;
};

}  // namespace pvland::ipv4
