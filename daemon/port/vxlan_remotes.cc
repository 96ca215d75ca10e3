#include "daemon/port/vxlan_remotes.h"

namespace pvland {

void VxlanRemoteTable::Learn(const uint8_t* mac, uint32_t remote, MonoNs now) {
  const MacAddr key = ToMac(mac);
  if (auto it = table_.find(key); it != table_.end()) {
    it->second = Entry{remote, now};
    return;
  }
  if (table_.size() >= max_entries_ && Expire(now) == 0) {
    ++refused_;
    return;
  }
  table_.emplace(key, Entry{remote, now});
}

std::optional<uint32_t> VxlanRemoteTable::Lookup(const uint8_t* mac, MonoNs now) const {
  auto it = table_.find(ToMac(mac));
  if (it == table_.end() || !Fresh(it->second, now)) return std::nullopt;
  return it->second.remote;
}

size_t VxlanRemoteTable::Expire(MonoNs now) {
  return absl::erase_if(table_, [&](const auto& kv) { return !Fresh(kv.second, now); });
}

size_t VxlanRemoteTable::Live(MonoNs now) const {
  size_t n = 0;
  for (const auto& [mac, e] : table_) n += Fresh(e, now) ? 1 : 0;
  return n;
}

}  // namespace pvland
