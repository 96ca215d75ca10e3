// A mirror session's filter rule, AWS Traffic Mirroring's model (docs/mirroring.md §3):
// an action, the directions it applies to, and a 5-tuple-ish match (protocol, source and
// destination prefixes, TCP/UDP port ranges). Pure code over a parsed Packet.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "daemon/packet/packet.h"
#include "include/pvland/mirror_values.h"

namespace pvland::mirror {

// What the rules read of a frame.
struct FlowFacts {
  bool v6 = false;
  const uint8_t* src = nullptr;  // 4 or 16 bytes, network order
  const uint8_t* dst = nullptr;
  uint8_t proto = 0;             // IPv4 protocol, IPv6 next header
  bool has_ports = false;        // a whole TCP or UDP header (not a later fragment)
  uint16_t sport = 0;
  uint16_t dport = 0;
};

// Whether `p` is a frame rules may match: IPv4 or IPv6 with a header the parser accepted.
// Nothing else is ever mirrored: ARP and other ethertypes (as in AWS, where ARP is never
// mirrored), and a frame whose IP header the parser found malformed.
inline bool IsMirrorable(const Packet& p) {
  const L3Kind l3 = p.l3();
  return l3 == L3Kind::kIpv4 || l3 == L3Kind::kIpv6;
}

// The facts of a frame IsMirrorable() accepted.
inline FlowFacts IpFactsOf(const Packet& p) {
  FlowFacts f;
  const uint8_t* ip = p.l3_header();
  f.v6 = p.l3() == L3Kind::kIpv6;
  f.src = f.v6 ? ip + 8 : ip + 12;
  f.dst = f.v6 ? ip + 24 : ip + 16;
  f.proto = p.ip_proto;
  // The parser sets kL4Valid only for a whole header in a first (or only) fragment.
  if ((f.proto == 6 || f.proto == 17) && p.l4_valid()) {
    const uint8_t* l4 = p.l4_header();
    f.has_ports = true;
    f.sport = static_cast<uint16_t>(l4[0] << 8 | l4[1]);
    f.dport = static_cast<uint16_t>(l4[2] << 8 | l4[3]);
  }
  return f;
}

// The facts of any frame; nullopt for one that is never mirrored.
inline std::optional<FlowFacts> FactsOf(const Packet& p) {
  return IsMirrorable(p) ? std::optional<FlowFacts>(IpFactsOf(p)) : std::nullopt;
}

struct Rule {
  uint16_t number = 0;  // 1-32766, unique in its session
  bool accept = true;   // accept: mirror; reject: not by this session
  uint8_t dirs = kMirrorBoth;
  std::optional<uint8_t> protocol;  // nullopt: every protocol
  std::optional<IpPrefix> src;      // nullopt: any address of either family
  std::optional<IpPrefix> dst;
  std::optional<PortRange> sport;   // only with protocol tcp or udp
  std::optional<PortRange> dport;
  uint64_t hits = 0;  // frames this rule decided

  // The checks CheckMirrorRuleFields makes, and the number's range.
  absl::Status Check() const;
};

// Whether `r` matches a frame with `f` (the direction is the caller's test). A rule with
// a port range matches only frames whose ports were read: never a later IPv4 fragment.
bool Matches(const Rule& r, const FlowFacts& f);

}  // namespace pvland::mirror
