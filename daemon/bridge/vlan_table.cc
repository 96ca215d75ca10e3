#include "daemon/bridge/vlan_table.h"

#include "absl/strings/str_cat.h"
#include "include/pvland/types.h"

namespace pvland {

std::string_view PvlanTypeName(PvlanType t) {
  switch (t) {
    case PvlanType::kNone: return "none";
    case PvlanType::kPrimary: return "primary";
    case PvlanType::kIsolated: return "isolated";
    case PvlanType::kCommunity: return "community";
  }
  return "?";
}

std::string_view PvlanRoleName(PvlanRole r) {
  switch (r) {
    case PvlanRole::kNone: return "none";
    case PvlanRole::kPromiscuous: return "promiscuous";
    case PvlanRole::kIsolated: return "isolated";
    case PvlanRole::kCommunity: return "community";
  }
  return "?";
}

PvlanRole VlanTable::Role(uint16_t vid) const {
  switch (Get(vid).type) {
    case PvlanType::kNone: return PvlanRole::kNone;
    case PvlanType::kPrimary: return PvlanRole::kPromiscuous;
    case PvlanType::kIsolated: return PvlanRole::kIsolated;
    case PvlanType::kCommunity: return PvlanRole::kCommunity;
  }
  return PvlanRole::kNone;
}

absl::Status VlanTable::Add(uint16_t vid, PvlanType type, uint16_t primary) {
  if (!IsVlanId(vid)) return absl::InvalidArgumentError("VLAN must be 1-4094");
  if (vlans_[vid].declared) return absl::AlreadyExistsError(absl::StrCat("VLAN ", vid, " exists"));
  if (type == PvlanType::kIsolated || type == PvlanType::kCommunity) {
    if (primary == vid) return absl::InvalidArgumentError("a secondary VLAN cannot be its own primary");
    if (!IsVlanId(primary) || vlans_[primary].type != PvlanType::kPrimary)
      return absl::InvalidArgumentError(absl::StrCat("VLAN ", primary, " is not a primary private VLAN"));
    if (type == PvlanType::kIsolated) {
      for (uint16_t v = kVlanMin; v <= kVlanMax; ++v)
        if (vlans_[v].type == PvlanType::kIsolated && vlans_[v].primary == primary)
          return absl::FailedPreconditionError(
              absl::StrCat("primary VLAN ", primary, " already has isolated VLAN ", v, " (RFC 5517 allows one)"));
    }
  } else {
    primary = 0;
  }
  vlans_[vid] = VlanInfo{type, primary, true};
  return absl::OkStatus();
}

absl::Status VlanTable::Remove(uint16_t vid) {
  if (!IsVlanId(vid)) return absl::InvalidArgumentError("VLAN must be 1-4094");
  if (!vlans_[vid].declared) return absl::NotFoundError(absl::StrCat("VLAN ", vid, " was not added"));
  if (vlans_[vid].type == PvlanType::kPrimary) {
    for (uint16_t v = kVlanMin; v <= kVlanMax; ++v)
      if (vlans_[v].primary == vid && v != vid)
        return absl::FailedPreconditionError(
            absl::StrCat("VLAN ", vid, " is the primary of VLAN ", v, "; delete the secondaries first"));
  }
  vlans_[vid] = VlanInfo{};
  return absl::OkStatus();
}

}  // namespace pvland
