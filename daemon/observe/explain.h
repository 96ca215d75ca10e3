// `pvlanctl why`: for one recorded drop, the rule that refused the frame, the settings
// that decided it, and the change that would have let it through. One explainer per drop
// reason, as pure functions of the facts below, which the control handler gathers from
// the switch's tables and the router (daemon/control/observe_handlers.cc).
//
// Adding a drop reason to PVL_DROP_REASONS means adding its explainer to kExplainers in
// explain.cc (a unit test fails until it is there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/types/span.h"
#include "daemon/bridge/port_config.h"
#include "daemon/bridge/port_security.h"
#include "daemon/bridge/vlan_table.h"
#include "daemon/core/port_types.h"
#include "daemon/packet/drop_reason.h"

namespace pvland::observe {

// A port as it is configured now.
struct PortFacts {
  std::string name;
  PortKind kind = PortKind::kNetdev;
  PortState state = PortState::kUp;
  PortConfig cfg;
  // Its access VLAN's private-VLAN type and primary (kNone/0 outside private VLANs).
  PvlanType pvlan = PvlanType::kNone;
  uint16_t primary = 0;
  PortSecurityState security;  // its MACs as port security knows them now
  uint32_t macs_learned = 0;   // toward its mac_limit
};

// The recorded frame's IPv4 header, and the router's decision on it made again now (for
// rp_filter, martian_source, martian_destination and source_guard).
struct IpFacts {
  bool parsed = false;        // the recorded bytes hold a whole IPv4 header
  uint32_t src = 0, dst = 0;  // host order
  std::string l3_dev;         // the internal port that judged it ("" when the VLAN has none)
  std::string reason;         // the decision's token now; "" when it would pass now
  int rp_all = 0, rp_dev = 0, rp_effective = 0;  // rp_filter of `all`, the device, max
  std::string route_back_dev;   // the device the route back to src leaves by ("": none)
  std::string route_back_type;  // that route's type ("unicast", "blackhole", ...)
  bool passes_loose = false;    // decided again with rp_filter (or the guard's mode) 2
  bool passes_off = false;      // with rp_filter 0 / the guard off
  int accept_local = 0, route_localnet = 0;
  int guard_mode = 0;           // source_guard: the receiving port's mode (1 strict, 2 loose)
};

struct ExplainInput {
  DropReason reason = DropReason::kRunt;
  std::string detail;     // the stage's finer reason, if it gave one
  uint16_t vid = 0;       // the VLAN the frame was classified into (0: before that)
  uint32_t wire_len = 0;
  absl::Span<const uint8_t> frame;  // the first bytes, as received
  std::optional<PortFacts> port;     // the port the drop counted on (nullopt: deleted)
  std::optional<PortFacts> in_port;  // the port the frame arrived on
  IpFacts ip;
  std::string src_owner;  // mac_conflict: the port the source MAC belongs to now ("" unknown)
  int proxy_qlen = -1;    // proxy_queue_overflow: the internal port's proxy_qlen (-1 unknown)
};

struct Explanation {
  std::string rule;        // the rule that refused the frame, in words, with the values
  std::string decided_by;  // the settings that decided it ("p1: mode trunk, allowed 10,20")
  std::string fix;         // what would have let it through, as a command where there is one
};

using ExplainFn = Explanation (*)(const ExplainInput&);

// The explainer of `r`; null when none is registered (the unit test forbids that).
ExplainFn ExplainerFor(DropReason r);
// ExplainerFor(in.reason)(in), or a generic line when there is none.
Explanation Explain(const ExplainInput& in);

// "p1: mode trunk, allowed 10,20, native none" and the like: a port's VLAN settings.
std::string VlanSettings(const PortFacts& p);

}  // namespace pvland::observe
