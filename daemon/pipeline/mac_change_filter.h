#pragma once

#include "daemon/pipeline/egress_filter.h"

namespace pvland {

// mac_changes reject (docs/port-security.md): while a port's guest has a MAC other than
// the port's initial MAC, nothing is delivered to the port, of any class, as ESXi
// disables the vNIC's port; each refused copy counts on it as mac_change_blocked.
class MacChangeFilter final : public EgressFilter {
 public:
  std::string_view name() const override { return "mac_change"; }
  std::optional<DropReason> Check(const StageContext&, const Packet&, uint16_t,
                                  const SwitchPort& dst) const override {
    if (dst.security.rx_blocked) return DropReason::kMacChangeBlocked;
    return std::nullopt;
  }
};

}  // namespace pvland
