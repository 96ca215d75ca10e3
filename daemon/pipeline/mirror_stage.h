#pragma once

#include "daemon/pipeline/stage.h"

namespace pvland {

// Traffic mirroring's taps (docs/mirroring.md). This stage takes the egress copies (AWS's
// word: what the source port's host sends, the frames the switch receives on the port):
// it runs after the L3 guards and the ARP stage, before the FDB, so a frame that port
// security, protocol state filtering or the source guard dropped is never mirrored. Each
// frame goes to the first session of the port, by number, whose rules accept it, as it
// was on the port's wire (a tag the kernel stripped is put back). A port with no egress
// session costs one test per batch.
class MirrorStage final : public Stage {
 public:
  std::string_view name() const override { return "mirror"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
};

// The ingress copies (what the port's host receives): every frame the run queued for a
// port with an ingress session, as it goes on that port's wire (its egress tag included),
// judged by the port's sessions like egress copies. Called after the delivery step, when
// some port has an ingress session (Sessions::any_ingress).
void TapIngress(StageContext& ctx);

}  // namespace pvland
