#include "daemon/pipeline/isolation_filter.h"

#include "daemon/bridge/isolation.h"

namespace pvland {

std::optional<DropReason> IsolationFilter::Check(const StageContext& ctx, const Packet& p, uint16_t,
                                                 const SwitchPort& dst) const {
  const VlanTable& vlans = ctx.bridge.vlans();
  const IsolationPeer src_peer{ctx.in.kind == PortKind::kInternal, ctx.in.cfg.isolated, false, p.role, p.vid};
  const bool access = dst.cfg.mode == PortMode::kAccess;
  const IsolationPeer dst_peer{dst.kind == PortKind::kInternal, dst.cfg.isolated, !access,
                               access ? vlans.Role(dst.cfg.vlan) : PvlanRole::kNone, dst.cfg.vlan};
  return IsolationVerdict(src_peer, dst_peer);
}

}  // namespace pvland
