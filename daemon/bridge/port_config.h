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

// The source guard's mode (docs/kernel-semantics.md §2.16): rp_filter's values, applied to
// IPv4 frames switched at L2 from the port.
enum class SourceGuardMode : uint8_t { kOff = 0, kStrict = 1, kLoose = 2 };

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
  SourceGuardMode source_guard = SourceGuardMode::kOff;

  // Does a frame of VLAN `vid` leave this port, and tagged?
  bool Carries(uint16_t vid) const {
    return mode == PortMode::kAccess ? vid == vlan : (allowed.test(vid) || (native != 0 && vid == native));
  }
  bool TagsOnEgress(uint16_t vid) const { return mode == PortMode::kTrunk && vid != native; }
};

std::string_view PortModeName(PortMode m);

// Settings a port of `kind` cannot take: a source guard on an internal port would judge
// the kernel's own routed traffic, whose sources are anyone's.
absl::Status CheckConfigForKind(const PortConfig& cfg, PortKind kind, std::string_view name);
std::string_view SourceGuardModeName(SourceGuardMode m);
// "off", "strict" or "loose"; nullopt for anything else.
std::optional<SourceGuardMode> ParseSourceGuardMode(std::string_view s);

}  // namespace pvland
