// One line about a frame, for `monitor drops`, `why` and their JSON: MACs, VLAN tags,
// ethertype, and where present the IPv4 addresses, protocol and ports, ARP's question,
// ICMP's type. Reads only the bytes it has (a drop record keeps the first 128).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace pvland::ctl {

struct FrameSummary {
  std::string src_mac, dst_mac;   // "" when the frame is shorter than its MACs
  std::vector<uint16_t> vlans;    // tags, outer first
  int ethertype = -1;             // after the tags; -1 when cut short
  std::string ip_src, ip_dst;     // IPv4, or ARP's sender and target
  std::string proto;              // "udp", "tcp", "icmp", "arp", "ipv6", or "ip proto N"
  int sport = -1, dport = -1;     // TCP/UDP ports
  std::string text;               // everything above on one line, with "len N"
};

FrameSummary Summarize(absl::Span<const uint8_t> frame, uint32_t wire_len);

// "12:00:01.123456" in local time, as tcpdump prints a packet's time.
std::string FormatTimeOfDay(uint64_t time_ns);
// "2024-05-01T12:00:01.123456789Z" (UTC), for JSON.
std::string FormatIsoTime(uint64_t time_ns);

}  // namespace pvland::ctl
