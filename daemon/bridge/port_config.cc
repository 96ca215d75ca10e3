#include "daemon/bridge/port_config.h"

#include "absl/strings/str_cat.h"

namespace pvland {

std::string_view PortModeName(PortMode m) { return m == PortMode::kAccess ? "access" : "trunk"; }

}  // namespace pvland

namespace pvland {

absl::Status CheckConfigForKind(const PortConfig& cfg, PortKind kind, std::string_view name) {
  if (kind == PortKind::kInternal && cfg.source_guard != SourceGuardMode::kOff)
    return absl::InvalidArgumentError(absl::StrCat(
        "source_guard applies to ports facing hosts; ", std::string(name),
        " is an internal port (its VLAN's L3 device), whose rp_filter is set with sysctl"));
  return absl::OkStatus();
}

std::string_view SourceGuardModeName(SourceGuardMode m) {
  switch (m) {
    case SourceGuardMode::kOff: return "off";
    case SourceGuardMode::kStrict: return "strict";
    case SourceGuardMode::kLoose: return "loose";
  }
  return "off";
}

std::optional<SourceGuardMode> ParseSourceGuardMode(std::string_view s) {
  for (SourceGuardMode m : {SourceGuardMode::kOff, SourceGuardMode::kStrict, SourceGuardMode::kLoose})
    if (s == SourceGuardModeName(m)) return m;
  return std::nullopt;
}

}  // namespace pvland
