#include "daemon/router/link_watch.h"

#include <net/if.h>

#include "daemon/ipv4/proxy_queue.h"

namespace pvland::router {
namespace {

// IFF_LOWER_UP lives in <linux/if.h>, which cannot be included beside <net/if.h>.
constexpr uint32_t kIffLowerUp = 1u << 16;

}  // namespace

void LinkWatch::AddInternal(int ifindex, const std::string& name, const MacAddr& mac) {
  internal_[ifindex] = {name, mac};
}

void LinkWatch::RemoveInternal(const std::string& name) {
  absl::erase_if(internal_, [&](const auto& entry) { return entry.second.first == name; });
}

std::vector<InternalLinkChange> LinkWatch::TakeInternalChanges(const kernel_state::L3State& state,
                                                               ipv4::DevconfStore& store) {
  std::vector<InternalLinkChange> changes;
  for (auto& [ifindex, known] : internal_) {
    const ipv4::Link* link = state.LinkByIndex(ifindex);
    if (link == nullptr || (link->name == known.first && link->mac == known.second)) continue;
    if (link->name != known.first) store.RenamePort(known.first, link->name).IgnoreError();
    changes.push_back({ifindex, known.first, *link});
    known = {link->name, link->mac};
  }
  return changes;
}

bool LinkWatch::LinkEventsPurgeProxyQueue(const kernel_state::L3State& state, const ipv4::DevconfStore& store) {
  bool purge = false;
  absl::flat_hash_map<int, uint32_t> now;
  state.ForEachLink([&](const ipv4::Link& link) {
    now[link.ifindex] = link.flags;
    auto it = link_flags_.find(link.ifindex);
    if (it == link_flags_.end()) return;
    const bool went_down = (it->second & IFF_UP) && !(link.flags & IFF_UP);
    const bool lost_carrier = (it->second & kIffLowerUp) && !(link.flags & kIffLowerUp);
    std::optional<ipv4::ConfView> conf = store.View(link.name);
    if (!conf && link.has_inet_conf) conf = store.ViewOfKernelDevice(link.inet_conf);
    if (ipv4::LinkEventPurgesProxyQueue(went_down, lost_carrier, conf)) purge = true;
  });
  link_flags_ = std::move(now);
  return purge;
}

int FollowKernelForwarding(const kernel_state::L3State& state, ipv4::DevconfStore& store) {
  constexpr int kSlot = ipv4::KnobSlot(ipv4::Knob::kForwarding);
  int changed = 0;
  for (const std::string& name : store.PortNames()) {
    const ipv4::Link* link = state.LinkByName(name);
    const ipv4::DevConf* conf = store.Find(name);
    if (link == nullptr || !link->has_inet_conf || conf == nullptr) continue;
    const int32_t kernel = link->inet_conf[kSlot];
    if (conf->Get(ipv4::Knob::kForwarding) == kernel) continue;
    if (store.Write(name, ipv4::Knob::kForwarding, kernel).ok()) ++changed;
  }
  return changed;
}

}  // namespace pvland::router
