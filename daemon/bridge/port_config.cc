#include "daemon/bridge/port_config.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "include/pvland/types.h"

namespace pvland {

std::string_view PortModeName(PortMode m) { return m == PortMode::kAccess ? "access" : "trunk"; }

absl::StatusOr<VlanSet> ParseVlanSet(std::string_view text) {
  // Debian's Abseil has its own string_view type; convert once at the boundary.
  const absl::string_view s(text.data(), text.size());
  VlanSet set;
  if (s == "none") return set;
  if (s == "all") {
    for (int v = kVlanMin; v <= kVlanMax; ++v) set.set(v);
    return set;
  }
  for (absl::string_view part : absl::StrSplit(s, ',')) {
    std::pair<absl::string_view, absl::string_view> range = absl::StrSplit(part, absl::MaxSplits('-', 1));
    uint32_t lo, hi;
    if (!absl::SimpleAtoi(range.first, &lo) ||
        !absl::SimpleAtoi(range.second.empty() ? range.first : range.second, &hi) || lo < kVlanMin ||
        hi > kVlanMax || lo > hi)
      return absl::InvalidArgumentError(
          absl::StrCat("bad VLAN list element '", part, "': expected N or N-M with 1 <= N <= M <= 4094"));
    for (uint32_t v = lo; v <= hi; ++v) set.set(v);
  }
  return set;
}

std::string FormatVlanSet(const VlanSet& v) {
  if (v.none()) return "none";
  std::string out;
  for (int i = kVlanMin; i <= kVlanMax; ++i) {
    if (!v.test(i)) continue;
    int j = i;
    while (j + 1 <= kVlanMax && v.test(j + 1)) ++j;
    if (i == kVlanMin && j == kVlanMax) return "all";
    absl::StrAppend(&out, out.empty() ? "" : ",", i);
    if (j > i) absl::StrAppend(&out, "-", j);
    i = j;
  }
  return out;
}

}  // namespace pvland
