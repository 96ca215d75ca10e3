// What the kernel does with an IPv4 packet that reaches an interface, up to the point
// where it is either dropped for its addresses or handed on: ip_rcv_core's header checks,
// then ip_route_input_noref (net/ipv4/route.c ip_route_input_rcu, ip_route_input_slow,
// ip_route_input_mc, ip_mc_validate_source; docs/kernel-semantics.md §2.3, §2.9, §2.10).
// pvland asks it for every IPv4 frame it hands to an internal port, and drops there what
// the kernel would drop as a martian or by rp_filter, so the kernel behind the port (whose
// own rp_filter pvland keeps at 0) never sees it.
//
// Outcomes the kernel reaches after a successful route input, or by sending an ICMP error
// (no route, forwarding off), are not drops here: the packet goes on to the kernel, which
// does exactly that.
//
// The same source rules, with a port's chosen mode instead of the device's rp_filter,
// are pvland's source guard for frames switched at L2 (SourceGuardDecide).
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/types/span.h"
#include "daemon/ipv4/arp_packet.h"
#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/route_input.h"
#include "daemon/ipv4/validate_source.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::ipv4 {

// The fields of a received IPv4 header a decision reads, and how it arrived.
struct IpPacketInfo {
  Ipv4 src = 0;
  Ipv4 dst = 0;
  uint8_t tos = 0;       // the header's DS field byte (route lookups match its TOS bits)
  uint8_t protocol = 0;
  int ifindex = 0;       // the device it arrives on
  PacketType pkt_type = PacketType::kHost;
};

// ip_rcv_core's checks on an IPv4 header starting at `ip` with `avail` bytes of frame
// after it: version 4, IHL >= 5, the header checksum, total length covering the header
// and not exceeding what arrived. Fills `info`'s addresses, DS field and protocol.
// false: the kernel discards it before any routing (IpInHdrErrors), unlogged.
bool ReadIpv4Header(absl::Span<const uint8_t> ip, IpPacketInfo* info);

enum class IpDropKind : uint8_t {
  kNone,                // the kernel goes on with the packet
  kRpFilter,            // reverse-path filtering refused the source
  kMartianSource,       // a source the kernel never accepts on this path
  kMartianDestination,  // a destination the kernel never routes
};

struct IpInputDecision {
  IpDropKind drop = IpDropKind::kNone;
  // Which martian line the kernel prints for this drop when log_martians is on (the
  // multicast path drops silently: kNone there).
  MartianKind log = MartianKind::kNone;
  // Stable snake_case token naming the rule that decided (validate_source.h, route_input.h).
  std::string_view reason;
};

// ip_route_input_noref on device `in.ifindex` with its conf `in_conf`: the verdict and the
// line to log. Multicast destinations are validated as ip_mc_validate_source does whether
// or not the device joined the group: a packet for a group it did not join is dropped by
// the kernel anyway, so deciding it here changes nothing the kernel would do.
IpInputDecision DecideIpInput(const kernel_state::L3State& state, const NetnsFlags& flags,
                              const ConfView& in_conf, const IpPacketInfo& in);

// pvland's source guard (docs/kernel-semantics.md §2.16): the frame is treated as if it
// arrived on its VLAN's L3 device `in.ifindex` (conf `l3_conf`) with rp_filter `mode`
// (1 strict, 2 loose) and the full check forced: its source must not be a martian (a
// 0.0.0.0 source is allowed only where the kernel allows it: to 255.255.255.255, to
// 224.0.0.0/24, or in IGMP) and must be routed back through that device (strict) or
// through any device (loose). The destination is not judged: the frame is switched, not
// routed. Never logged.
IpInputDecision SourceGuardDecide(const kernel_state::L3State& state, const NetnsFlags& flags,
                                  const ConfView& l3_conf, const IpPacketInfo& in, int mode);

}  // namespace pvland::ipv4
