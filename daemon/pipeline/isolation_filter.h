#pragma once

#include "daemon/pipeline/egress_filter.h"

namespace pvland {

// The Linux bridge's `isolated` flag and the private-VLAN matrix (daemon/bridge/isolation.h)
// between the ingress port and each destination.
class IsolationFilter final : public EgressFilter {
 public:
  std::string_view name() const override { return "isolation"; }
  std::optional<DropReason> Check(const StageContext& ctx, const Packet& p, uint16_t dst_idx,
                                  const SwitchPort& dst) const override;
};

}  // namespace pvland
