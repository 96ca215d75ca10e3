// Port security as a vSphere switch applies it to a vNIC (docs/port-security.md): the
// MACs a port is known by, what its guest asked for, and the two decisions made from
// them, as pure functions so every rule is unit-tested without a dataplane.
//
// A port has an initial MAC (what it was given: the TAP's MAC when pvland created it,
// the veth peer's MAC when it was attached, or `initial_mac`), a requested MAC (what its
// guest has now: the TAP's or peer's current MAC) and an effective MAC (what the switch
// honours). mac_changes accept honours any request; reject keeps the initial MAC and
// blocks everything to the port while the guest's MAC differs from it, as ESXi does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/bridge/port_config.h"
#include "include/pvland/types.h"

namespace pvland {

struct PortSecurityState {
  bool known = false;  // an initial MAC is known: from the endpoint or from initial_mac
  MacAddr initial{};
  MacAddr requested{};
  MacAddr effective{};
  bool rx_blocked = false;     // mac_changes reject and requested != initial
  bool guest_promisc = false;  // the guest put its NIC in promiscuous mode
  bool promisc_copies = false; // promiscuous accept and guest_promisc: the port sees its VLANs
  std::string endpoint;        // where the endpoint was last read ("" when none)
  uint64_t mac_not_learned_allowed = 0;  // frames admitted at mac_limit without learning
};

// What the endpoint reported, or nothing (no endpoint, or it could not be read now).
struct EndpointReading {
  MacAddr mac{};
  bool promisc = false;
  std::string where;
};

// Records `reading` (nullopt keeps the last one) and resolves the effective MAC and the
// receive block under `cfg`. Returns log lines for what changed that a user should see
// (a MAC change refused or honoured, promiscuous mode refused), prefixed with `port`.
std::vector<std::string> ResolvePortSecurity(std::string_view port, const PortSecurityConfig& cfg,
                                             const std::optional<EndpointReading>& reading,
                                             PortSecurityState& st);

// The from-port check (forged transmits, or admission by MAC learning) has work to do.
inline bool ChecksSource(const PortSecurityConfig& cfg) {
  return cfg.mac_learning || cfg.forged_transmits == SecurityPolicy::kReject;
}

// The from-port decision on a frame's source MAC.
enum class Admission : uint8_t {
  kAdmit,           // forward; the FDB learns it as usual
  kAdmitUnlearned,  // mac_learning at mac_limit with policy allow: forward, do not learn
  kForged,          // forged_transmits reject and the source is not the effective MAC
  kMacLimit,        // mac_learning at mac_limit with policy drop
  kMacConflict,     // mac_learning and the source belongs to another port
};

// What the switch knows about a source MAC, gathered by the stage.
struct SourceFacts {
  bool is_effective = false;    // equals the port's effective MAC
  bool learned_here = false;    // a dynamic FDB entry on this port, in the frame's domain
  bool owned_elsewhere = false; // another port's effective MAC, or a static entry elsewhere
  bool at_limit = false;        // the port has mac_limit MACs learned already
};

Admission AdmitSource(const PortSecurityConfig& cfg, const PortSecurityState& st, const SourceFacts& f);

}  // namespace pvland
