#pragma once

#include <optional>

#include "daemon/bridge/port_config.h"
#include "daemon/bridge/vlan_table.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

// Ingress VLAN classification: which VLAN a frame from this port belongs to (access VLAN,
// or a trunk's tag / native VLAN), its learning domain and its private-VLAN role.
// Pure, so the table of cases is unit-tested without ports.
std::optional<DropReason> ClassifyIngress(const PortConfig& cfg, const VlanTable& vlans, Packet& p);

class VlanStage final : public Stage {
 public:
  std::string_view name() const override { return "vlan"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
};

}  // namespace pvland
