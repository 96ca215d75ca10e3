#include "daemon/pipeline/isolation_filter.h"

#include "daemon/bridge/isolation.h"

namespace pvland {

std::optional<DropReason> IsolationFilter::Check(const StageContext& ctx, const Packet& p, uint16_t,
                                                 const SwitchPort& dst) const {
  // A frame outside the isolated and community roles is refused only between two ports
  // with the isolated flag (IsolationVerdict's first rules): decided here without the
  // destination's VLAN role, a table lookup the common case does not need.
  if (p.role != PvlanRole::kIsolated && p.role != PvlanRole::kCommunity) {
    const bool internal = ctx.in.kind == PortKind::kInternal || dst.kind == PortKind::kInternal;
    return !internal && ctx.in.cfg.isolated && dst.cfg.isolated ? std::optional(DropReason::kIsolatedPort) : std::nullopt;
  }
  const VlanTable& vlans = ctx.bridge.vlans();
  const IsolationPeer src_peer{ctx.in.kind == PortKind::kInternal, ctx.in.cfg.isolated, false, p.role, p.vid};
  const bool access = dst.cfg.mode == PortMode::kAccess;
  const IsolationPeer dst_peer{dst.kind == PortKind::kInternal, dst.cfg.isolated, !access,
                               access ? vlans.Role(dst.cfg.vlan) : PvlanRole::kNone, dst.cfg.vlan};
  return IsolationVerdict(src_peer, dst_peer);
}

}  // namespace pvland
