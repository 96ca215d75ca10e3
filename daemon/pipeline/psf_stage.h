#pragma once

#include "daemon/pipeline/egress_filter.h"
#include "daemon/pipeline/stage.h"
#include "daemon/psf/track.h"

namespace pvland {

// The DropReason of a protocol state filtering verdict (the two lists name them alike).
DropReason PsfDropReason(psf::Reason r);

// Protocol state filtering on what a port sends (docs/psf.md): every IPv4 TCP segment
// from a port with psf enabled is tracked in the port's connection table as conntrack
// would track it, and dropped when conntrack would mark it invalid (or, with liberal
// off, when it belongs to no connection opened by a SYN). Ports without psf cost one
// test per batch.
class PsfStage final : public Stage {
 public:
  std::string_view name() const override { return "psf"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
};

// The same for copies delivered to a port with psf enabled: the segments its endpoint
// receives are tracked in the same table, so both directions of a connection must cross
// the port (IBM's protocol state filtering; asymmetric paths fail as they do there).
// Asked last of the filters, so a segment refused by another filter is never tracked.
class PsfFilter final : public EgressFilter {
 public:
  std::string_view name() const override { return "psf"; }
  std::optional<DropReason> Check(const StageContext& ctx, const Packet& p, uint16_t dst_idx,
                                  const SwitchPort& dst) const override;
  // Every TCP segment changes the connection's state: none may reuse another's verdict.
  bool SameAnswerForSameEthernetHeader(const SwitchPort& dst) const override { return dst.psf == nullptr; }
};

}  // namespace pvland
