#include "daemon/pipeline/egress_stage.h"

#include "daemon/pipeline/isolation_filter.h"
#include "daemon/pipeline/mac_change_filter.h"
#include "daemon/pipeline/tx_queue.h"

namespace pvland {
namespace {

// Linux br_flood: a port that opted out of a flood class is skipped before anything else;
// broadcast and multicast sent by the bridge device itself ignore the opt-out, unknown
// unicast does not (docs/kernel-semantics.md §1.4).
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

EgressStage::EgressStage() {
  AddFilter(std::make_unique<IsolationFilter>());
  AddFilter(std::make_unique<MacChangeFilter>());
}

void EgressStage::CopyToPromiscuous(StageContext& ctx, const Packet& p) {
  for (const uint16_t d : ctx.bridge.promiscuous_ports()) {
    if (d == ctx.in_port || d == p.out_port) continue;
    const SwitchPort* dst = ctx.bridge.port(d);
    // A copy goes where the frame's VLAN and the isolation rules would let the frame go;
    // one that may not is simply not made, which is not a drop.
    if (dst != nullptr && !Verdict(ctx, p, d, *dst)) QueueForTransmit(ctx, d, p);
  }
}

std::optional<DropReason> EgressStage::Verdict(const StageContext& ctx, const Packet& p, uint16_t d,
                                               const SwitchPort& dst) const {
  const VlanTable& vlans = ctx.bridge.vlans();
  if (dst.state != PortState::kUp) return DropReason::kPortDown;
  // Access ports join a domain through their VLAN (a PVLAN host port sits on a secondary
  // VLAN and still receives the primary's frames); trunks carry VLANs by tag.
  const bool member = dst.cfg.mode == PortMode::kAccess ? vlans.Domain(dst.cfg.vlan) == p.domain
                                                         : dst.cfg.Carries(p.vid);
  if (!member) return DropReason::kVlanNotMember;
  for (const auto& f : filters_) {
    if (auto r = f->Check(ctx, p, d, dst)) return r;
  }
  return std::nullopt;
}

bool EgressStage::HeaderDecides(const SwitchPort& dst) const {
  for (const auto& f : filters_)
    if (!f->SameAnswerForSameEthernetHeader(dst)) return false;
  return true;
}

void EgressStage::Deliver(StageContext& ctx, const Packet& p, uint16_t d, std::optional<DropReason> verdict,
                          bool unicast) {
  if (!verdict) {
    QueueForTransmit(ctx, d, p);
    return;
  }
  // A flood skips ports that are down or outside the VLAN without counting: only a copy
  // that a policy refused is a drop.
  if (unicast || (*verdict != DropReason::kPortDown && *verdict != DropReason::kVlanNotMember))
    ctx.bridge.CountDrop(d, *verdict, p);
}

void EgressStage::Process(PacketBatch& batch, StageContext& ctx) {
  const bool from_internal = ctx.in.kind == PortKind::kInternal;
  // A known-unicast frame with the previous frame's header has that frame's destination,
  // classification and tag, and no table changes during a batch: it gets the previous
  // verdict and egress item (tag, offload shift).
  struct {
    bool valid = false;  // set by a known-unicast frame that reached the verdict
    std::optional<DropReason> verdict;
    TxItem item;
    int shift = 0;
    TxQueue* queue = nullptr;  // the destination's list, when the verdict lets frames go
  } last;
  // Promiscuous ports are rare: asked once per batch, then one test per forwarded frame.
  const bool promiscuous = !ctx.bridge.promiscuous_ports().empty();
  for (const Packet& p : batch) {
    if (p.flood == FloodClass::kNone) {
      // The previous frame had this header, so this destination, and passed the checks
      // below to reach a verdict that holds for this frame too.
      if (p.same_header_as_prev && last.valid) {
        if (last.verdict) {
          Deliver(ctx, p, p.out_port, last.verdict, /*unicast=*/true);
          continue;
        }
        QueueItem(ctx, p.out_port, *last.queue, last.item, last.shift, p);
        if (promiscuous) [[unlikely]] CopyToPromiscuous(ctx, p);
        continue;
      }
      if (p.out_port == ctx.in_port && !ctx.in.cfg.hairpin) {
        ctx.bridge.CountDrop(ctx.in_port, DropReason::kSamePort, p);
        last.valid = false;
        continue;
      }
      SwitchPort* dst = ctx.bridge.port(p.out_port);
      if (dst == nullptr) {  // the FDB raced a port delete
        last.valid = false;
        continue;
      }
      last.verdict = Verdict(ctx, p, p.out_port, *dst);
      last.valid = HeaderDecides(*dst);
      last.item = EgressItem(dst->cfg, p);
      last.shift = OffloadShift(last.item);
      if (last.verdict) {
        Deliver(ctx, p, p.out_port, last.verdict, /*unicast=*/true);
        continue;
      }
      last.queue = &ctx.out.Open(p.out_port);
      QueueItem(ctx, p.out_port, *last.queue, last.item, last.shift, p);
      // Floods reach promiscuous ports already; a known-unicast frame is copied to them.
      if (promiscuous) [[unlikely]] CopyToPromiscuous(ctx, p);
      continue;
    }
    last.valid = false;
    const size_t slots = ctx.bridge.port_slots();
    for (size_t i = 0; i < slots; ++i) {
      const uint16_t d = static_cast<uint16_t>(i);
      const SwitchPort* dst = ctx.bridge.port(d);
      if (dst == nullptr) continue;
      if (d == ctx.in_port && !dst->cfg.hairpin) continue;
      if (!FloodAllowed(*dst, p.flood, from_internal)) continue;
      Deliver(ctx, p, d, Verdict(ctx, p, d, *dst), /*unicast=*/false);
    }
  }
}

}  // namespace pvland
