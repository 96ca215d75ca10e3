#pragma once

#include "daemon/pipeline/stage.h"

namespace pvland {

// Bounds-checks every frame once (ParseFrame); malformed frames leave the batch here.
class ParseStage final : public Stage {
 public:
  std::string_view name() const override { return "parse"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
};

}  // namespace pvland
