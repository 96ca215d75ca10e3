#include "daemon/pipeline/parse_stage.h"

#include "daemon/packet/parser.h"

namespace pvland {

void ParseStage::Process(PacketBatch& batch, StageContext& ctx) {
  batch.Filter([&](Packet& p) {
    if (auto drop = ParseFrame(p)) {
      ctx.DropIngress(*drop, p);
      return false;
    }
    return true;
  });
}

}  // namespace pvland
