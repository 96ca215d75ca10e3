#include "daemon/pipeline/pipeline.h"

#include "daemon/pipeline/arp_stage.h"
#include "daemon/pipeline/egress_stage.h"
#include "daemon/pipeline/fdb_stage.h"
#include "daemon/pipeline/parse_stage.h"
#include "daemon/pipeline/transmit_stage.h"
#include "daemon/pipeline/vlan_stage.h"

namespace pvland {

Pipeline::Pipeline(Bridge& bridge, ipv4::ArpDecider* arp) : bridge_(bridge) {
  stages_.push_back(std::make_unique<ParseStage>());
  stages_.push_back(std::make_unique<VlanStage>());
  if (arp != nullptr) stages_.push_back(std::make_unique<ArpStage>(*arp));
  stages_.push_back(std::make_unique<FdbStage>());
  stages_.push_back(std::make_unique<EgressStage>());
  stages_.push_back(std::make_unique<TransmitStage>());
}

void Pipeline::Run(uint16_t in_port, PacketBatch& batch, MonoNs now) {
  generated_.count = 0;
  StageContext ctx{bridge_, in_port, *bridge_.port(in_port), now, {}, &generated_};
  for (auto& stage : stages_) {
    // Transmit runs even on an empty batch: earlier stages may have queued frames.
    if (batch.empty() && stage.get() != stages_.back().get()) continue;
    stage->Process(batch, ctx);
  }
}

}  // namespace pvland
