#include "daemon/bridge/fdb.h"

namespace pvland {

size_t Fdb::RemoveIf(const std::function<bool(const FdbKey&, const FdbEntry&)>& pred) {
  size_t n = 0;
  for (auto it = table_.begin(); it != table_.end();) {
    if (pred(it->first, it->second)) {
      Uncount(it->second);
      table_.erase(it++);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

size_t Fdb::Age(MonoNs now, absl::FunctionRef<MonoNs(uint16_t port)> max_age) {
  return RemoveIf([&](const FdbKey&, const FdbEntry& e) { return !e.is_static && now - e.last_seen >= max_age(e.port); });
}

}  // namespace pvland
