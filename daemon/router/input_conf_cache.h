// The conf an IP decision on an internal port reads, resolved once per port instead of
// once per packet: ifindex -> device name (L3State) -> combined devconf (DevconfStore's
// View: a string-keyed map lookup and two array copies). An entry is good while neither
// the kernel-state mirror nor the devconf store has changed; both count their mutations
// (generation()), and any change drops every entry, so a decision always reads what a
// fresh lookup would.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "daemon/ipv4/devconf.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::router {

class InputConfCache {
 public:
  // The combined conf of the device `ifindex` if it is a port of `store` (an internal
  // port); null otherwise. Valid until the next call.
  const ipv4::ConfView* Get(const kernel_state::L3State& state, const ipv4::DevconfStore& store, int ifindex) {
    if (state.generation() != state_gen_ || store.generation() != store_gen_) {
      entries_.clear();
      state_gen_ = state.generation();
      store_gen_ = store.generation();
    }
    for (const Entry& e : entries_) {
      if (e.ifindex == ifindex) return e.conf ? &*e.conf : nullptr;
    }
    const ipv4::Link* link = state.LinkByIndex(ifindex);
    entries_.push_back({ifindex, link ? store.View(link->name) : std::nullopt});
    const Entry& e = entries_.back();
    return e.conf ? &*e.conf : nullptr;
  }

 private:
  struct Entry {
    int ifindex;
    std::optional<ipv4::ConfView> conf;
  };
  uint64_t state_gen_ = ~uint64_t{0};
  uint64_t store_gen_ = ~uint64_t{0};
  std::vector<Entry> entries_;
};

}  // namespace pvland::router
