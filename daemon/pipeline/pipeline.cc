#include "daemon/pipeline/pipeline.h"

#include "daemon/pipeline/arp_stage.h"
#include "daemon/pipeline/egress_stage.h"
#include "daemon/pipeline/fdb_stage.h"
#include "daemon/pipeline/ip_guard_filter.h"
#include "daemon/pipeline/mirror_stage.h"
#include "daemon/pipeline/parse_stage.h"
#include "daemon/pipeline/port_security_stage.h"
#include "daemon/pipeline/psf_stage.h"
#include "daemon/pipeline/source_guard_stage.h"
#include "daemon/pipeline/vlan_stage.h"

namespace pvland {

Pipeline::Pipeline(Bridge& bridge, ipv4::ArpDecider* arp, ipv4::IpDecider* ip) : bridge_(bridge) {
  stages_.push_back(std::make_unique<ParseStage>());
  stages_.push_back(std::make_unique<VlanStage>());
  stages_.push_back(std::make_unique<PortSecurityStage>());
  stages_.push_back(std::make_unique<PsfStage>());
  if (ip != nullptr) stages_.push_back(std::make_unique<SourceGuardStage>(*ip));
  if (arp != nullptr) stages_.push_back(std::make_unique<ArpStage>(*arp));
  stages_.push_back(std::make_unique<MirrorStage>());
  stages_.push_back(std::make_unique<FdbStage>());
  auto egress = std::make_unique<EgressStage>();
  egress_ = egress.get();
  if (ip != nullptr) egress_->AddFilter(std::make_unique<IpGuardFilter>(*ip));
  egress_->AddFilter(std::make_unique<PsfFilter>());  // last: only copies that will go are tracked
  stages_.push_back(std::move(egress));
}

void Pipeline::Run(uint16_t in_port, PacketBatch& batch, MonoNs now, TxLists& out) {
  generated_.count = 0;
  mirror_copies_.clear();
  StageContext ctx{bridge_, in_port, *bridge_.port(in_port), now, out, &generated_, &mirror_copies_};
  for (auto& stage : stages_) {
    if (batch.empty()) break;
    stage->Process(batch, ctx);
  }
  // Ingress mirror copies are what the run queued for a source port: taken once the
  // lists are complete (ARP replies included; the rules then judge them).
  if (bridge_.mirror().any_ingress()) [[unlikely]] TapIngress(ctx);
}

}  // namespace pvland
