#pragma once

#include <optional>

#include "daemon/pipeline/stage.h"

namespace pvland {

// Per destination port: flood controls, VLAN membership and tagging, port isolation and
// the private-VLAN matrix. Survivors are queued on the destination's txq; a copy refused
// by policy is counted on the destination port (docs/drop-reasons.md §1).
class EgressStage final : public Stage {
 public:
  std::string_view name() const override { return "egress"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;

 private:
  // Why a copy of `p` may not leave by `dst` (down, not in the VLAN, isolation), or nullopt.
  static std::optional<DropReason> Verdict(const StageContext& ctx, const Packet& p, const SwitchPort& dst);
  // Queues `p` on port `d` or counts why not; `unicast` decides whether a refusal is a
  // counted drop (known unicast) or a silent flood skip (port down, not a member).
  static void Deliver(StageContext& ctx, const Packet& p, uint16_t d, std::optional<DropReason> verdict,
                      bool unicast);
};

}  // namespace pvland
