// Which devconf a decision reads for a device: pvland's own store for its internal
// ports, the kernel's reported IFLA_INET_CONF for any other device of the namespace
// (a veth or NIC routed through), nothing for a device without IPv4 (no in_dev).
#pragma once

#include <optional>

#include "daemon/ipv4/devconf.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::ipv4 {

class ConfLookup {
 public:
  ConfLookup(const kernel_state::L3State& state, const DevconfStore& store)
      : state_(state), store_(store) {}

  std::optional<ConfView> ForIfindex(int ifindex) const {
    const Link* link = state_.LinkByIndex(ifindex);
    if (link == nullptr) return std::nullopt;
    if (auto v = store_.View(link->name)) return v;
    if (!link->has_inet_conf) return std::nullopt;
    return store_.ViewOfKernelDevice(link->inet_conf);
  }

  const kernel_state::L3State& state() const { return state_; }
  const DevconfStore& store() const { return store_; }

 private:
  const kernel_state::L3State& state_;
  const DevconfStore& store_;
};

}  // namespace pvland::ipv4
