// The per-destination hook of the delivery step: may this copy of a frame leave by that
// port? The egress stage asks every filter, in order, for every copy it is about to queue
// (unicast or flooded, to the internal port or any other), after the port's own state and
// VLAN membership were checked. A refusal is counted on the destination port under the
// reason the filter returns. Port isolation is the first filter; checks on what reaches
// the internal port (IP source validation) or leaves a given port (promiscuous mode,
// MAC-change policies) are more of them.
#pragma once

#include <optional>
#include <string_view>

#include "daemon/packet/drop_reason.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

class EgressFilter {
 public:
  virtual ~EgressFilter() = default;
  virtual std::string_view name() const = 0;
  // nullopt: the copy may go. Otherwise why it may not.
  virtual std::optional<DropReason> Check(const StageContext& ctx, const Packet& p, uint16_t dst_idx,
                                          const SwitchPort& dst) const = 0;
  // The egress stage asks once for a run of known-unicast frames with the same Ethernet
  // header (Packet::same_header_as_prev) and reuses the answer. A filter that looks past
  // the Ethernet header (IP addresses, TCP state) for copies leaving by `dst` returns
  // false, and then every frame to `dst` is asked.
  virtual bool SameAnswerForSameEthernetHeader(const SwitchPort& dst) const {
    (void)dst;
    return true;
  }
};

}  // namespace pvland
