#pragma once

#include <optional>

#include "daemon/pipeline/stage.h"

namespace pvland {

// Per destination port: flood controls, VLAN membership and tagging, port isolation and
// the private-VLAN matrix. Survivors are queued on the destination's txq; a copy refused
// by policy is counted on the destination port (policies.md §0.3).
class EgressStage final : public Stage {
 public:
  std::string_view name() const override { return "egress"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;

 private:
  // Queues `p` on port `d` or counts why not; `unicast` decides whether a refusal is a
  // counted drop (known unicast) or a silent flood skip (port down, not a member).
  void Deliver(StageContext& ctx, const Packet& p, uint16_t d, bool unicast);
};

}  // namespace pvland
