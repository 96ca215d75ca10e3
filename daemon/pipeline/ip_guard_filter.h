#pragma once

#include "daemon/ipv4/ip_decider.h"
#include "daemon/pipeline/egress_filter.h"

namespace pvland {

// The kernel's IPv4 input checks for what reaches an internal port (ip_input.h): a copy
// the kernel would drop as a martian or by rp_filter never goes to the TAP, and is counted
// on the internal port under rp_filter, martian_source or martian_destination. Frames the
// kernel would not take as IPv4 for itself (unicast to another MAC, a bad header) pass:
// the kernel discards them unlogged, as it would have.
class IpGuardFilter final : public EgressFilter {
 public:
  explicit IpGuardFilter(ipv4::IpDecider& decider) : decider_(decider) {}
  std::string_view name() const override { return "ip_guard"; }
  std::optional<DropReason> Check(const StageContext& ctx, const Packet& p, uint16_t dst_idx,
                                  const SwitchPort& dst) const override;
  // Every IPv4 frame to an internal port is judged on its own addresses.
  bool SameAnswerForSameEthernetHeader(const SwitchPort& dst) const override {
    return dst.kind != PortKind::kInternal;
  }

 private:
  ipv4::IpDecider& decider_;
};

}  // namespace pvland
