#pragma once

#include "daemon/pipeline/stage.h"

namespace pvland {

// Learns source MACs (per port `learning`) and decides known unicast or flood.
// IEEE link-local group frames are learned from but never forwarded, as on a Linux bridge.
class FdbStage final : public Stage {
 public:
  std::string_view name() const override { return "fdb"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
};

}  // namespace pvland
