#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "daemon/pipeline/egress_filter.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

// Per destination port: flood controls, the port's state, VLAN membership and tagging,
// then the egress filters (egress_filter.h; port isolation and the private-VLAN matrix
// first). Survivors are queued on the destination's transmit list; a copy refused by
// policy is counted on the destination port.
class EgressStage final : public Stage {
 public:
  EgressStage();
  std::string_view name() const override { return "egress"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;
  // Appends a per-destination check, asked after the ones already there.
  void AddFilter(std::unique_ptr<EgressFilter> f) { filters_.push_back(std::move(f)); }

 private:
  // Why a copy of `p` may not leave by port `d` (down, not in the VLAN, a filter), or nullopt.
  std::optional<DropReason> Verdict(const StageContext& ctx, const Packet& p, uint16_t d,
                                    const SwitchPort& dst) const;
  // Queues `p` on port `d` or counts why not; `unicast` decides whether a refusal is a
  // counted drop (known unicast) or a silent flood skip (port down, not a member).
  static void Deliver(StageContext& ctx, const Packet& p, uint16_t d, std::optional<DropReason> verdict,
                      bool unicast);

  // Copies a forwarded known-unicast frame to every port in promiscuous mode that may see
  // it (docs/port-security.md): not its sender, not its destination.
  void CopyToPromiscuous(StageContext& ctx, const Packet& p);

  // Every filter answers alike for copies to `dst` of frames with one Ethernet header
  // (egress_filter.h), so the verdict may be reused for the next such frame.
  bool HeaderDecides(const SwitchPort& dst) const;

  std::vector<std::unique_ptr<EgressFilter>> filters_;
};

}  // namespace pvland
