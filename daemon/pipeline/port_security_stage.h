#pragma once

#include "daemon/pipeline/stage.h"

namespace pvland {

// Port security on what a port sends (docs/port-security.md): with forged_transmits
// reject, a frame whose source MAC is not the port's effective MAC is dropped as
// forged_transmit; with mac_learning on, each source MAC is admitted as VMware's MAC
// learning does (learned up to mac_limit, then dropped as mac_limit or forwarded without
// learning; another port's MAC is a mac_conflict). Runs before the source guard and the
// FDB, so a refused frame is never learned. A port with neither costs one test per batch.
class PortSecurityStage final : public Stage {
 public:
  std::string_view name() const override { return "port_security"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
};

}  // namespace pvland
