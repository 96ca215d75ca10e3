// VLAN roles for private VLANs (RFC 5517): a primary VLAN with one isolated and any
// number of community secondary VLANs. A VLAN nobody declared is an ordinary VLAN; the
// primary and its secondaries form one learning and broadcast domain.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "daemon/packet/packet.h"

namespace pvland {

enum class PvlanType : uint8_t { kNone, kPrimary, kIsolated, kCommunity };

struct VlanInfo {
  PvlanType type = PvlanType::kNone;
  uint16_t primary = 0;  // for secondaries
  bool declared = false; // created with `vlan add`
};

std::string_view PvlanTypeName(PvlanType t);
std::string_view PvlanRoleName(PvlanRole r);

class VlanTable {
 public:
  const VlanInfo& Get(uint16_t vid) const { return vlans_[vid & 0xfff]; }

  // Learning/broadcast domain of a VLAN: its primary for a secondary, itself otherwise.
  uint16_t Domain(uint16_t vid) const {
    const VlanInfo& v = Get(vid);
    return (v.type == PvlanType::kIsolated || v.type == PvlanType::kCommunity) ? v.primary : vid;
  }
  // Role of a host on an access port of this VLAN.
  PvlanRole Role(uint16_t vid) const;

  // Validated changes: on error nothing changes.
  absl::Status Add(uint16_t vid, PvlanType type, uint16_t primary);
  absl::Status Remove(uint16_t vid);

 private:
  std::array<VlanInfo, 4096> vlans_{};
};

}  // namespace pvland
