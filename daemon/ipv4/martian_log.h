// The kernel's martian log lines, text for text (net/ipv4/route.c
// ip_handle_martian_source and the martian_destination label of
// ip_route_input_slow; docs/kernel-semantics.md §3.1). The kernel prints them only with
// log_martians (OR of all and the ingress device) and under the host-wide
// net_ratelimit() budget; the caller applies both, these functions only format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "daemon/ipv4/route_input.h"

namespace pvland::ipv4 {

// "IPv4: martian source <dst> from <src>, on dev <ifname>"
std::string MartianSourceLine(Ipv4 dst, Ipv4 src, std::string_view ifname);
// "IPv4: martian destination <dst> from <src>, dev <ifname>"
std::string MartianDestinationLine(Ipv4 dst, Ipv4 src, std::string_view ifname);
// "ll header: 00000000: ff ff ... 08 06": print_hex_dump of the received link-layer
// header (14 bytes on Ethernet; 16 bytes per row, as the kernel's rowsize).
std::vector<std::string> LinkLayerHeaderLines(absl::Span<const uint8_t> ll_header);

// Every line the kernel writes for `kind` (none for kNone). For ARP, dst is tip and
// src is sip. `ll_header` is the received Ethernet header; empty omits the hex line,
// as the kernel does when the MAC header is unknown. Martian destinations never
// carry it.
std::vector<std::string> MartianLines(MartianKind kind, Ipv4 dst, Ipv4 src,
                                      std::string_view ifname,
                                      absl::Span<const uint8_t> ll_header);

}  // namespace pvland::ipv4
