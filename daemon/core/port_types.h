// What a port is and whether frames can flow through it: shared by the tables the
// pipeline reads (daemon/bridge) and the ports themselves (daemon/port).
#pragma once

#include <cstdint>
#include <string_view>

namespace pvland {

// up: frames flow. down: the interface exists but is administratively down.
// absent: the interface is gone; the port keeps its configuration and comes back when an
// interface of that name appears again.
enum class PortState : uint8_t { kUp, kDown, kAbsent };

// The part of a port's type the pipeline cares about. kInternal is the namespace's L3
// device of its VLAN (like a bridge's own device): never isolated, the one whose ARP conf
// decides, and its broadcasts ignore the flood opt-outs. Every other type forwards alike.
enum class PortKind : uint8_t { kNetdev, kTap, kInternal };

inline std::string_view PortStateName(PortState s) {
  switch (s) {
    case PortState::kUp: return "up";
    case PortState::kDown: return "down";
    case PortState::kAbsent: return "absent";
  }
  return "?";
}

}  // namespace pvland
