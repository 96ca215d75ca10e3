#pragma once

#include "daemon/pipeline/stage.h"

namespace pvland {

// Sends every queued frame, one batched call per egress port, and counts the outcome.
// Runs last: the receive buffers the txqs point into are released after it.
class TransmitStage final : public Stage {
 public:
  std::string_view name() const override { return "transmit"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
};

}  // namespace pvland
