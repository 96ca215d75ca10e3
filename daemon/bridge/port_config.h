// What the user configures on a port (pvlanctl port set). Learned state and I/O live elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/core/port_types.h"
#include "include/pvland/types.h"
// VlanSet, and ParseVlanSet/FormatVlanSet for the allowed list's text.
#include "include/pvland/vlan_set.h"

namespace pvland {

enum class PortMode : uint8_t { kAccess, kTrunk };

// The source guard's mode (docs/kernel-semantics.md §2.16): rp_filter's values, applied to
// IPv4 frames switched at L2 from the port.
enum class SourceGuardMode : uint8_t { kOff = 0, kStrict = 1, kLoose = 2 };

// Port security (docs/port-security.md): VMware's meanings of the three policies.
enum class SecurityPolicy : uint8_t { kAccept, kReject };
// What a port with mac_learning on does with a new source MAC once mac_limit are learned.
enum class MacLimitPolicy : uint8_t { kAllow, kDrop };

struct PortSecurityConfig {
  // Defaults are the Linux bridge's behaviour: any source, any guest MAC, no extra copies.
  SecurityPolicy mac_changes = SecurityPolicy::kAccept;
  SecurityPolicy forged_transmits = SecurityPolicy::kAccept;
  SecurityPolicy promiscuous = SecurityPolicy::kReject;
  // VDS/NSX MAC learning: the port may send from several MACs, each learned and admitted
  // up to mac_limit; forged_transmits is not consulted while it is on.
  bool mac_learning = false;
  uint16_t mac_limit = 4096;
  MacLimitPolicy mac_limit_policy = MacLimitPolicy::kAllow;
  uint32_t mac_aging_s = 600;
  // The MAC the port was given (VMware's .vmx MAC); unset: the endpoint's MAC as first read.
  std::optional<MacAddr> initial_mac;

  static constexpr uint16_t kMaxMacLimit = 4096;
  bool operator==(const PortSecurityConfig&) const = default;
};

// Protocol state filtering (docs/psf.md): IBM Cloud's modes; `auto` follows the port's role.
enum class PsfMode : uint8_t { kAuto, kEnabled, kDisabled };
// What the port attaches, in IBM's terms: a virtual server instance's vNIC (auto: filtered),
// a bare-metal server's (auto: not filtered), or a gateway that routes for others.
enum class PortRole : uint8_t { kBareMetal, kInstance, kGateway };

struct PsfConfig {
  PsfMode mode = PsfMode::kAuto;
  // The default role keeps auto off, so a port forwards as a Linux bridge port does until
  // it is made an instance or filtering is enabled.
  PortRole role = PortRole::kBareMetal;
  bool liberal = false;  // pick up connections mid-stream (conntrack's tcp_loose)
  uint32_t max_entries = 65536;
  bool operator==(const PsfConfig&) const = default;
  bool Enabled() const { return mode == PsfMode::kEnabled || (mode == PsfMode::kAuto && role == PortRole::kInstance); }
};

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
  PortSecurityConfig security;
  PsfConfig psf;

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
std::string_view SecurityPolicyName(SecurityPolicy p);
std::string_view PsfModeName(PsfMode m);
std::optional<PsfMode> ParsePsfMode(std::string_view s);
std::string_view PortRoleName(PortRole r);
std::optional<PortRole> ParsePortRole(std::string_view s);
std::optional<SecurityPolicy> ParseSecurityPolicy(std::string_view s);
std::string_view MacLimitPolicyName(MacLimitPolicy p);
std::optional<MacLimitPolicy> ParseMacLimitPolicy(std::string_view s);
// "off", "strict" or "loose"; nullopt for anything else.
std::optional<SourceGuardMode> ParseSourceGuardMode(std::string_view s);

}  // namespace pvland
