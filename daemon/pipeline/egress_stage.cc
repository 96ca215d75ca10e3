#include "daemon/pipeline/egress_stage.h"

#include "daemon/bridge/isolation.h"
#include "daemon/pipeline/tx_queue.h"

namespace pvland {
namespace {

// Linux br_flood: a port that opted out of a flood class is skipped before anything else;
// broadcast and multicast sent by the bridge device itself ignore the opt-out, unknown
// unicast does not (kernel-semantics.md §1.4).
bool FloodAllowed(const SwitchPort& d, FloodClass c, bool from_internal) {
  switch (c) {
    case FloodClass::kUnknownUnicast: return d.cfg.flood;
    case FloodClass::kMulticast: return d.cfg.mcast_flood || from_internal;
    case FloodClass::kBroadcast: return d.cfg.bcast_flood || from_internal;
    case FloodClass::kNone: return true;
  }
  return true;
}

}  // namespace

void EgressStage::Deliver(StageContext& ctx, const Packet& p, uint16_t d, bool unicast) {
  SwitchPort& dst = *ctx.bridge.port(d);
  const VlanTable& vlans = ctx.bridge.vlans();
  if (dst.state != PortState::kUp) {
    if (unicast) ctx.bridge.CountDrop(d, DropReason::kPortDown, p);
    return;
  }
  // Access ports join a domain through their VLAN (a PVLAN host port sits on a secondary
  // VLAN and still receives the primary's frames); trunks carry VLANs by tag.
  const bool member = dst.cfg.mode == PortMode::kAccess ? vlans.Domain(dst.cfg.vlan) == p.domain
                                                         : dst.cfg.Carries(p.vid);
  if (!member) {
    if (unicast) ctx.bridge.CountDrop(d, DropReason::kVlanNotMember, p);
    return;
  }
  const IsolationPeer src_peer{ctx.in.kind == PortKind::kInternal, ctx.in.cfg.isolated, false, p.role, p.vid};
  const bool access = dst.cfg.mode == PortMode::kAccess;
  const IsolationPeer dst_peer{dst.kind == PortKind::kInternal, dst.cfg.isolated, !access,
                               access ? vlans.Role(dst.cfg.vlan) : PvlanRole::kNone, dst.cfg.vlan};
  if (auto drop = IsolationVerdict(src_peer, dst_peer)) {
    ctx.bridge.CountDrop(d, *drop, p);
    return;
  }
  QueueForTransmit(ctx, d, p);
}

void EgressStage::Process(PacketBatch& batch, StageContext& ctx) {
  const bool from_internal = ctx.in.kind == PortKind::kInternal;
  for (const Packet& p : batch) {
    if (p.flood == FloodClass::kNone) {
      if (p.out_port == ctx.in_port && !ctx.in.cfg.hairpin) {
        ctx.bridge.CountDrop(ctx.in_port, DropReason::kSamePort, p);
        continue;
      }
      if (ctx.bridge.port(p.out_port) == nullptr) continue;  // FDB raced a port delete
      Deliver(ctx, p, p.out_port, /*unicast=*/true);
      continue;
    }
    const size_t slots = ctx.bridge.port_slots();
    for (size_t i = 0; i < slots; ++i) {
      const uint16_t d = static_cast<uint16_t>(i);
      const SwitchPort* dst = ctx.bridge.port(d);
      if (dst == nullptr) continue;
      if (d == ctx.in_port && !dst->cfg.hairpin) continue;
      if (!FloodAllowed(*dst, p.flood, from_internal)) continue;
      Deliver(ctx, p, d, /*unicast=*/false);
    }
  }
}

}  // namespace pvland
