#include "daemon/pipeline/parse_stage.h"

#include "daemon/packet/parser.h"

namespace pvland {

void ParseStage::Process(PacketBatch& batch, StageContext& ctx) {
  const Packet* prev = nullptr;  // the previous frame, if it was kept
  batch.Filter([&](Packet& p) {
    if (prev != nullptr && SameHeader(*prev, p)) {
      CopyParsedHeader(*prev, p);
      if (!SameL3L4(*prev, p)) ParseL3L4(p);
      p.same_header_as_prev = true;
    } else if (auto drop = ParseFrame(p)) {
      ctx.DropIngress(*drop, p);
      prev = nullptr;
      return false;
    }
    // Filter overwrites this slot, if at all, only after the next keep() call has read
    // it: the pointer is good for exactly one comparison.
    prev = &p;
    return true;
  });
}

}  // namespace pvland
