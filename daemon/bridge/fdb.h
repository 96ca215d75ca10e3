// The forwarding database: which port a MAC was last seen on, per learning domain
// (a VLAN, or a primary VLAN shared with its secondaries as RFC 5517 requires).
#pragma once

#include <cstdint>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "daemon/core/clock.h"
#include "include/pvland/types.h"

namespace pvland {

struct FdbKey {
  uint16_t domain;
  MacAddr mac;
  bool operator==(const FdbKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const FdbKey& k) {
    return H::combine(std::move(h), k.domain, k.mac);
  }
};

struct FdbEntry {
  uint16_t port = 0;
  uint16_t vid = 0;        // VLAN the address was learned in (shown to the user)
  bool is_static = false;  // added by the user: never aged, never moved by learning
  MonoNs last_seen = 0;
};

class Fdb {
 public:
  // Beyond this many entries new addresses are not learned (frames still flood), so a
  // MAC flood cannot grow memory without bound.
  static constexpr size_t kDefaultMaxEntries = 65536;

  explicit Fdb(size_t max_entries = kDefaultMaxEntries) : max_entries_(max_entries) {}

  // Records that `mac` was seen on `port`. A static entry wins over learning.
  void Learn(uint16_t domain, uint16_t vid, const uint8_t* mac, uint16_t port, MonoNs now) {
    FdbKey key{domain, ToMac(mac)};
    auto it = table_.find(key);
    if (it != table_.end()) {
      FdbEntry& e = it->second;
      if (e.is_static) return;
      e.port = port;
      e.vid = vid;
      e.last_seen = now;
      return;
    }
    if (table_.size() >= max_entries_) {
      ++learn_refused_;
      return;
    }
    table_.emplace(key, FdbEntry{port, vid, false, now});
  }

  const FdbEntry* Lookup(uint16_t domain, const uint8_t* mac) const {
    auto it = table_.find(FdbKey{domain, ToMac(mac)});
    return it == table_.end() ? nullptr : &it->second;
  }

  void AddStatic(uint16_t domain, uint16_t vid, const MacAddr& mac, uint16_t port) {
    table_[FdbKey{domain, mac}] = FdbEntry{port, vid, true, 0};
  }
  bool Remove(uint16_t domain, const MacAddr& mac) { return table_.erase(FdbKey{domain, mac}) > 0; }

  // Removes every entry for which pred(key, entry) is true; returns how many.
  size_t RemoveIf(const std::function<bool(const FdbKey&, const FdbEntry&)>& pred);
  // Removes dynamic entries not seen for `max_age`.
  size_t Age(MonoNs now, MonoNs max_age);

  template <typename F>
  void ForEach(F f) const {
    for (const auto& [k, e] : table_) f(k, e);
  }
  size_t size() const { return table_.size(); }
  uint64_t learn_refused() const { return learn_refused_; }

 private:
  absl::flat_hash_map<FdbKey, FdbEntry> table_;
  size_t max_entries_;
  uint64_t learn_refused_ = 0;
};

}  // namespace pvland
