// What the user configures on a port (pvlanctl port set). Learned state and I/O live elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/core/port_types.h"
// VlanSet, and ParseVlanSet/FormatVlanSet for the allowed list's text.
#include "include/pvland/vlan_set.h"

namespace pvland {

enum class PortMode : uint8_t { kAccess, kTrunk };

struct PortConfig {
  PortMode mode = PortMode::kAccess;
  uint16_t vlan = 1;     // access VLAN
  VlanSet allowed;       // trunk: tagged VLANs accepted and sent
  uint16_t native = 0;   // trunk: VLAN of untagged frames, 0 = untagged frames dropped
  bool isolated = false;
  bool learning = true;
  bool flood = true;        // receives unknown-unicast floods
  bool mcast_flood = true;  // receives multicast floods
  bool bcast_flood = true;  // receives broadcast floods
  bool hairpin = false;     // may send a frame back out the port it came in on

  // Does a frame of VLAN `vid` leave this port, and tagged?
  bool Carries(uint16_t vid) const {
    return mode == PortMode::kAccess ? vid == vlan : (allowed.test(vid) || (native != 0 && vid == native));
  }
  bool TagsOnEgress(uint16_t vid) const { return mode == PortMode::kTrunk && vid != native; }
};

std::string_view PortModeName(PortMode m);

}  // namespace pvland
