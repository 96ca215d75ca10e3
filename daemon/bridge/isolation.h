// May a frame go from one port to another? The Linux bridge's `isolated` flag and the
// private-VLAN matrix of RFC 5517 (docs/drop-reasons.md §3), as one pure decision.
#pragma once

#include <optional>

#include "daemon/packet/drop_reason.h"
#include "daemon/packet/packet.h"

namespace pvland {

struct IsolationPeer {
  bool internal = false;  // pvland's own L3 interface: like a bridge device, never isolated
  bool isolated = false;  // Linux `isolated` flag
  bool trunk = false;     // destination only: a trunk carries every role, the tag tells which
  PvlanRole role = PvlanRole::kNone;
  uint16_t community = 0;  // community VLAN id when role is kCommunity
};

// nullopt: deliver. Otherwise the reason this copy is dropped. The first failing rule
// names the reason: the isolated flag is checked before the private-VLAN roles.
inline std::optional<DropReason> IsolationVerdict(const IsolationPeer& src, const IsolationPeer& dst) {
  if (src.internal || dst.internal) return std::nullopt;
  if (src.isolated && dst.isolated) return DropReason::kIsolatedPort;
  if (dst.trunk) return std::nullopt;
  switch (src.role) {
    case PvlanRole::kIsolated:
      if (dst.role == PvlanRole::kPromiscuous || dst.role == PvlanRole::kNone) return std::nullopt;
      return DropReason::kPvlanIsolation;
    case PvlanRole::kCommunity:
      if (dst.role == PvlanRole::kPromiscuous || dst.role == PvlanRole::kNone) return std::nullopt;
      if (dst.role == PvlanRole::kCommunity && dst.community == src.community) return std::nullopt;
      return DropReason::kPvlanIsolation;
    default:
      return std::nullopt;
  }
}

}  // namespace pvland
