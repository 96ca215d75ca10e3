#pragma once

#include "daemon/ipv4/ip_decider.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

// A port's source guard (`port set NAME source_guard strict|loose`): every IPv4 frame it
// sends must carry a source its VLAN's L3 device would accept under rp_filter 1 or 2
// (ip_input.h SourceGuardDecide), whatever its destination. Refused frames are dropped
// before learning and counted on the port under source_guard. A VLAN without an internal
// port has no routes to judge by: its IPv4 frames are refused. Off (the default) costs one
// test per batch.
class SourceGuardStage final : public Stage {
 public:
  explicit SourceGuardStage(ipv4::IpDecider& decider) : decider_(decider) {}
  std::string_view name() const override { return "source_guard"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;

 private:
  ipv4::IpDecider& decider_;
};

}  // namespace pvland
