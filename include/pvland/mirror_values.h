// The values of traffic mirroring (docs/mirroring.md) as text: directions, IP prefixes,
// port ranges, IP protocols, session names, and the rule fields that only make sense
// together. pvlanctl's grammar and the daemon's handlers both go through these, so a
// value the client accepts is one the daemon accepts, and `mirror show` prints each
// value in the form `mirror add` / `mirror rule add` take back.
#pragma once

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "include/pvland/parse_uint.h"

namespace pvland {

// Directions in AWS's words, seen from the source port's host: egress is what the host
// sends (the frames the switch receives on the port, "from-port"), ingress what it
// receives (the frames the switch sends to the port, "to-port"). A bit set of both.
inline constexpr uint8_t kMirrorEgress = 1;
inline constexpr uint8_t kMirrorIngress = 2;
inline constexpr uint8_t kMirrorBoth = kMirrorEgress | kMirrorIngress;

// Session and rule numbers, as AWS numbers them.
inline constexpr uint32_t kMirrorNumberMax = 32766;
// VXLAN's 24-bit network identifier (daemon/packet/vxlan.h, kVniMax).
inline constexpr uint32_t kMirrorVniMax = (1u << 24) - 1;
// `length` counts the inner frame from its Ethernet header: at least that header.
inline constexpr uint32_t kMirrorLengthMin = 14;
inline constexpr uint32_t kMirrorLengthMax = 65535;
inline constexpr size_t kMirrorNameMax = 32;

inline std::optional<uint8_t> ParseMirrorDirection(std::string_view s) {
  if (s == "egress") return kMirrorEgress;
  if (s == "ingress") return kMirrorIngress;
  if (s == "both") return kMirrorBoth;
  return std::nullopt;
}

inline std::string_view MirrorDirectionName(uint8_t dirs) {
  switch (dirs) {
    case kMirrorEgress: return "egress";
    case kMirrorIngress: return "ingress";
    default: return "both";
  }
}

// A session's name: 1-32 letters, digits, '_', '.', '-', not starting with '-' (it would
// read as an option).
inline absl::Status CheckMirrorName(std::string_view s) {
  if (s.empty()) return absl::InvalidArgumentError("mirror session name is empty");
  if (s.size() > kMirrorNameMax)
    return absl::InvalidArgumentError(
        absl::StrFormat("mirror session name '%s' is longer than %d characters", s, kMirrorNameMax));
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok)
      return absl::InvalidArgumentError(
          absl::StrFormat("mirror session name '%s' may only hold letters, digits, '_', '.' and '-'", s));
  }
  if (s[0] == '-') return absl::InvalidArgumentError(absl::StrFormat("mirror session name '%s' starts with '-'", s));
  return absl::OkStatus();
}

// An IPv4 or IPv6 prefix. The address is in network byte order (IPv4 in the first 4
// bytes), with no bit set past the prefix length.
struct IpPrefix {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};
  uint8_t len = 0;
  bool operator==(const IpPrefix&) const = default;

  // Whether `a` (4 or 16 bytes, network order, of family `a_v6`) lies in the prefix.
  bool Contains(bool a_v6, const uint8_t* a) const {
    if (a_v6 != v6) return false;
    const size_t full = len / 8;
    if (std::memcmp(a, addr.data(), full) != 0) return false;
    const unsigned rest = len % 8;
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xff00 >> rest);
    return (a[full] & mask) == addr[full];
  }
};

// "10.0.0.0/8", "2001:db8::/32", or an address alone (a host: /32 or /128). A prefix
// with bits set past its length is refused, naming the prefix it probably meant, as
// the bits would be ignored silently otherwise.
inline absl::StatusOr<IpPrefix> ParseIpPrefix(std::string_view s, std::string_view what) {
  IpPrefix p;
  const size_t slash = s.find('/');
  const std::string addr(s.substr(0, slash));
  p.v6 = addr.find(':') != std::string::npos;
  if (inet_pton(p.v6 ? AF_INET6 : AF_INET, addr.c_str(), p.addr.data()) != 1)
    return absl::InvalidArgumentError(
        absl::StrFormat("%s must be an IPv4 or IPv6 prefix (10.0.0.0/8, 2001:db8::/32), got '%s'", what, s));
  const unsigned max = p.v6 ? 128 : 32;
  p.len = static_cast<uint8_t>(max);
  if (slash != std::string_view::npos) {
    auto len = ParseUint(s.substr(slash + 1), 0, max, absl::StrFormat("%s's prefix length", what));
    if (!len.ok()) return len.status();
    p.len = static_cast<uint8_t>(*len);
  }
  IpPrefix masked = p;
  const size_t bytes = max / 8;
  for (size_t i = 0; i < bytes; ++i) {
    const int keep = static_cast<int>(p.len) - static_cast<int>(i * 8);
    if (keep <= 0) masked.addr[i] = 0;
    else if (keep < 8) masked.addr[i] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  if (!(masked == p)) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(p.v6 ? AF_INET6 : AF_INET, masked.addr.data(), buf, sizeof buf);
    return absl::InvalidArgumentError(
        absl::StrFormat("%s '%s' has bits set past its length; did you mean %s/%d?", what, s, buf, p.len));
  }
  return p;
}

inline std::string FormatIpPrefix(const IpPrefix& p) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(p.v6 ? AF_INET6 : AF_INET, p.addr.data(), buf, sizeof buf);
  return absl::StrFormat("%s/%d", buf, p.len);
}

// A TCP or UDP port range: "80" or "1024-65535", both ends included.
struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 65535;
  bool operator==(const PortRange&) const = default;
  bool Contains(uint16_t port) const { return port >= lo && port <= hi; }
};

inline absl::StatusOr<PortRange> ParsePortRange(std::string_view s, std::string_view what) {
  const size_t dash = s.find('-');
  auto lo = ParseUint(s.substr(0, dash), 0, 65535, what);
  if (!lo.ok()) return lo.status();
  PortRange r{static_cast<uint16_t>(*lo), static_cast<uint16_t>(*lo)};
  if (dash != std::string_view::npos) {
    auto hi = ParseUint(s.substr(dash + 1), 0, 65535, what);
    if (!hi.ok()) return hi.status();
    r.hi = static_cast<uint16_t>(*hi);
    if (r.hi < r.lo)
      return absl::InvalidArgumentError(absl::StrFormat("%s range '%s' ends below its start", what, s));
  }
  return r;
}

inline std::string FormatPortRange(const PortRange& r) {
  return r.lo == r.hi ? absl::StrFormat("%d", r.lo) : absl::StrFormat("%d-%d", r.lo, r.hi);
}

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIcmpv6 = 58;

// An IP protocol by name (tcp, udp, icmp, icmpv6) or number (0-255); "all" is nullopt.
inline absl::StatusOr<std::optional<uint8_t>> ParseIpProtocol(std::string_view s) {
  if (s == "all") return std::optional<uint8_t>();
  if (s == "tcp") return std::optional<uint8_t>(kProtoTcp);
  if (s == "udp") return std::optional<uint8_t>(kProtoUdp);
  if (s == "icmp") return std::optional<uint8_t>(kProtoIcmp);
  if (s == "icmpv6") return std::optional<uint8_t>(kProtoIcmpv6);
  auto n = ParseUint(s, 0, 255, "protocol");
  if (!n.ok())
    return absl::InvalidArgumentError(
        absl::StrFormat("protocol must be tcp, udp, icmp, icmpv6, all or a number 0-255, got '%s'", s));
  return std::optional<uint8_t>(static_cast<uint8_t>(*n));
}

inline std::string IpProtocolName(std::optional<uint8_t> proto) {
  if (!proto) return "all";
  switch (*proto) {
    case kProtoTcp: return "tcp";
    case kProtoUdp: return "udp";
    case kProtoIcmp: return "icmp";
    case kProtoIcmpv6: return "icmpv6";
    default: return absl::StrFormat("%d", *proto);
  }
}

// The fields of a filter rule that constrain each other: port ranges exist only for TCP
// and UDP, and a source and destination of different families would never match.
inline absl::Status CheckMirrorRuleFields(std::optional<uint8_t> proto, const std::optional<IpPrefix>& src,
                                          const std::optional<IpPrefix>& dst, bool has_ports) {
  if (has_ports && proto != kProtoTcp && proto != kProtoUdp)
    return absl::InvalidArgumentError(absl::StrFormat(
        "sport and dport need protocol tcp or udp (the rule has protocol %s): other protocols have no ports",
        IpProtocolName(proto)));
  if (src && dst && src->v6 != dst->v6)
    return absl::InvalidArgumentError(absl::StrFormat(
        "src %s and dst %s are of different address families: the rule could never match", FormatIpPrefix(*src),
        FormatIpPrefix(*dst)));
  return absl::OkStatus();
}

}  // namespace pvland
