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
  const PortSecurityConfig& sec = cfg.security;
  const bool any_security = sec.mac_changes != SecurityPolicy::kAccept ||
                            sec.forged_transmits != SecurityPolicy::kAccept ||
                            sec.promiscuous != SecurityPolicy::kReject || sec.mac_learning;
  if (kind == PortKind::kInternal && any_security)
    return absl::InvalidArgumentError(absl::StrCat(
        "port security applies to ports facing hosts; ", std::string(name),
        " is an internal port (pvland's own L3 device)"));
  if (sec.mac_limit > PortSecurityConfig::kMaxMacLimit)
    return absl::InvalidArgumentError(absl::StrCat("mac_limit must be 0-", PortSecurityConfig::kMaxMacLimit));
  if (sec.mac_aging_s == 0) return absl::InvalidArgumentError("mac_aging must be at least 1 second");
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

std::string_view SecurityPolicyName(SecurityPolicy p) { return p == SecurityPolicy::kAccept ? "accept" : "reject"; }

std::optional<SecurityPolicy> ParseSecurityPolicy(std::string_view s) {
  if (s == "accept") return SecurityPolicy::kAccept;
  if (s == "reject") return SecurityPolicy::kReject;
  return std::nullopt;
}

std::string_view PsfModeName(PsfMode m) {
  switch (m) {
    case PsfMode::kAuto: return "auto";
    case PsfMode::kEnabled: return "enabled";
    case PsfMode::kDisabled: return "disabled";
  }
  return "auto";
}

std::optional<PsfMode> ParsePsfMode(std::string_view s) {
  for (PsfMode m : {PsfMode::kAuto, PsfMode::kEnabled, PsfMode::kDisabled})
    if (s == PsfModeName(m)) return m;
  return std::nullopt;
}

std::string_view PortRoleName(PortRole r) {
  switch (r) {
    case PortRole::kBareMetal: return "bare-metal";
    case PortRole::kInstance: return "instance";
    case PortRole::kGateway: return "gateway";
  }
  return "bare-metal";
}

std::optional<PortRole> ParsePortRole(std::string_view s) {
  for (PortRole r : {PortRole::kBareMetal, PortRole::kInstance, PortRole::kGateway})
    if (s == PortRoleName(r)) return r;
  return std::nullopt;
}

std::string_view MacLimitPolicyName(MacLimitPolicy p) { return p == MacLimitPolicy::kAllow ? "allow" : "drop"; }

std::optional<MacLimitPolicy> ParseMacLimitPolicy(std::string_view s) {
  if (s == "allow") return MacLimitPolicy::kAllow;
  if (s == "drop") return MacLimitPolicy::kDrop;
  return std::nullopt;
}

std::optional<SourceGuardMode> ParseSourceGuardMode(std::string_view s) {
  for (SourceGuardMode m : {SourceGuardMode::kOff, SourceGuardMode::kStrict, SourceGuardMode::kLoose})
    if (s == SourceGuardModeName(m)) return m;
  return std::nullopt;
}

}  // namespace pvland
