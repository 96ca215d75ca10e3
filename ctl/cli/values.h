// Value syntax of the pvlanctl grammar: every word that is not a keyword goes through one
// of these parsers, and every value the printer shows goes back through the matching
// formatter, so what `show` prints can be pasted into `set`/`add` unchanged.
//
// Parsers are strict (no signs, blanks, trailing characters or silent truncation) and
// their errors name the value's role (`what`) and quote the offending text, e.g.
// "vlan must be 1-4094, got 5000".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pvland::ctl {

using MacBytes = std::array<uint8_t, 6>;

// Decimal integer in [min, max]; `what` names the value in errors.
absl::StatusOr<uint64_t> ParseUint(std::string_view s, uint64_t min, uint64_t max,
                                   std::string_view what);

// 802.1Q VLAN id, 1-4094 (0 and 4095 are reserved by the standard).
absl::StatusOr<uint16_t> ParseVlanId(std::string_view s, std::string_view what);

// "on" or "off".
absl::StatusOr<bool> ParseOnOff(std::string_view s, std::string_view what);

// Trunk allowed list: "all", "none", or a comma list of N and N-M (each 1-4094).
// Returns the canonical form: ascending, overlaps and neighbours merged, runs of two or
// more as N-M, and "all" when every VLAN is present, so the daemon and `show` agree
// on one spelling.
absl::StatusOr<std::string> ParseAllowedList(std::string_view s);

// Unicast or group MAC "aa:bb:cc:dd:ee:ff" (one or two hex digits per octet).
absl::StatusOr<MacBytes> ParseMac(std::string_view s);
std::string FormatMac(const MacBytes& mac);
// I/G bit: the address names a group (multicast or broadcast), not a station.
inline bool IsGroupMac(const MacBytes& mac) { return (mac[0] & 0x01) != 0; }

// Dotted-quad IPv4 address; host byte order.
absl::StatusOr<uint32_t> ParseIpv4(std::string_view s);
std::string FormatIpv4(uint32_t host_order);

// Checks that `s` can name a Linux interface (what `ip link` accepts): 1-15 bytes, no
// '/', ':' or blanks, not "." or "..". Ports are interfaces, so the client rejects a name
// the kernel would refuse before anything is sent.
absl::Status CheckIfName(std::string_view s);

}  // namespace pvland::ctl
