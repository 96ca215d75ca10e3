// VLAN ids and lists of them as users write them ("all", "none", "10,20-30"): one syntax
// for pvlanctl's grammar and for the daemon's port configuration, so what `port show`
// prints reads back unchanged.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "include/pvland/parse_uint.h"
#include "include/pvland/types.h"

namespace pvland {

using VlanSet = std::bitset<4096>;

// 802.1Q VLAN id, 1-4094 (0 and 4095 are reserved by the standard).
inline absl::StatusOr<uint16_t> ParseVlanId(std::string_view s, std::string_view what) {
  auto v = ParseUint(s, kVlanMin, kVlanMax, what);
  if (!v.ok()) return v.status();
  return static_cast<uint16_t>(*v);
}

// "all", "none", or a comma list of N and N-M (each 1-4094, N <= M); overlaps and
// repeats are allowed.
inline absl::StatusOr<VlanSet> ParseVlanSet(std::string_view s) {
  VlanSet set;
  if (s == "none") return set;
  if (s == "all") {
    for (uint32_t v = kVlanMin; v <= kVlanMax; ++v) set.set(v);
    return set;
  }
  if (s.empty()) return absl::InvalidArgumentError("allowed list is empty; use 'none' for no VLANs");
  for (size_t start = 0; start <= s.size();) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    const std::string_view part = s.substr(start, comma - start);
    start = comma + 1;
    if (part.empty())
      return absl::InvalidArgumentError(absl::StrFormat("allowed list '%s' has an empty element", s));
    const size_t dash = part.find('-');
    auto lo = ParseVlanId(part.substr(0, dash), "allowed VLAN");
    if (!lo.ok()) return lo.status();
    uint16_t hi = *lo;
    if (dash != std::string_view::npos) {
      auto h = ParseVlanId(part.substr(dash + 1), "allowed VLAN");
      if (!h.ok()) return h.status();
      if (*h < *lo)
        return absl::InvalidArgumentError(
            absl::StrFormat("allowed range %s is reversed; write %d-%d", part, *h, *lo));
      hi = *h;
    }
    for (uint32_t v = *lo; v <= hi; ++v) set.set(v);
  }
  return set;
}

// The canonical form: ascending, neighbours merged, runs of two or more as N-M, "all"
// when every VLAN is present and "none" when none is.
inline std::string FormatVlanSet(const VlanSet& set) {
  if (set.none()) return "none";
  std::string out;
  for (uint32_t v = kVlanMin; v <= kVlanMax; ++v) {
    if (!set.test(v)) continue;
    uint32_t end = v;
    while (end + 1 <= kVlanMax && set.test(end + 1)) ++end;
    if (v == kVlanMin && end == kVlanMax) return "all";
    if (!out.empty()) out += ',';
    absl::StrAppendFormat(&out, "%d", v);
    if (end > v) absl::StrAppendFormat(&out, "-%d", end);
    v = end;
  }
  return out;
}

}  // namespace pvland
