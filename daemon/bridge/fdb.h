// The forwarding database: which port a MAC was last seen on, per learning domain
// (a VLAN, or a primary VLAN shared with its secondaries as RFC 5517 requires).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/functional/function_ref.h"
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
  // Counts toward its port's mac_limit (learned on a port with MAC learning, and not that
  // port's own effective MAC).
  bool counted = false;
  MonoNs last_seen = 0;
};

// How a port's MAC learning bounds what the FDB learns from it.
struct LearnLimit {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t max = kNone;  // at most this many counted entries on the port
  bool counted = false;  // this address counts toward `max`
};

class Fdb {
 public:
  // Beyond this many entries new addresses are not learned (frames still flood), so a
  // MAC flood cannot grow memory without bound.
  static constexpr size_t kDefaultMaxEntries = 65536;

  explicit Fdb(size_t max_entries = kDefaultMaxEntries) : max_entries_(max_entries) {}

  // Records that `mac` was seen on `port`. A static entry wins over learning. Under
  // `limit`, a counted address new to the port (new, or moving from another port) is not
  // learned once the port has limit.max counted entries: the entry stays where it was.
  void Learn(uint16_t domain, uint16_t vid, const uint8_t* mac, uint16_t port, MonoNs now,
             LearnLimit limit = {}) {
    FdbKey key{domain, ToMac(mac)};
    auto it = table_.find(key);
    if (it != table_.end()) {
      FdbEntry& e = it->second;
      if (e.is_static) return;
      if (e.port != port || e.counted != limit.counted) {
        if (limit.counted && e.port != port && CountOf(port) >= limit.max) return;
        Uncount(e);
        e.port = port;
        e.counted = limit.counted;
        Count(e);
      }
      e.vid = vid;
      e.last_seen = now;
      return;
    }
    if (limit.counted && CountOf(port) >= limit.max) return;
    if (table_.size() >= max_entries_) {
      ++learn_refused_;
      return;
    }
    FdbEntry& e = table_.emplace(key, FdbEntry{port, vid, false, limit.counted, now}).first->second;
    Count(e);
  }

  // Counted entries on `port` (those its mac_limit bounds).
  uint32_t CountOf(uint16_t port) const { return port < counted_.size() ? counted_[port] : 0; }

  const FdbEntry* Lookup(uint16_t domain, const uint8_t* mac) const {
    auto it = table_.find(FdbKey{domain, ToMac(mac)});
    return it == table_.end() ? nullptr : &it->second;
  }

  void AddStatic(uint16_t domain, uint16_t vid, const MacAddr& mac, uint16_t port) {
    FdbEntry& e = table_[FdbKey{domain, mac}];
    Uncount(e);
    e = FdbEntry{port, vid, true, false, 0};
  }
  bool Remove(uint16_t domain, const MacAddr& mac) {
    auto it = table_.find(FdbKey{domain, mac});
    if (it == table_.end()) return false;
    Uncount(it->second);
    table_.erase(it);
    return true;
  }

  // Removes every entry for which pred(key, entry) is true; returns how many.
  size_t RemoveIf(const std::function<bool(const FdbKey&, const FdbEntry&)>& pred);
  // Removes dynamic entries not seen for max_age(port of the entry).
  size_t Age(MonoNs now, absl::FunctionRef<MonoNs(uint16_t port)> max_age);
  size_t Age(MonoNs now, MonoNs max_age) {
    return Age(now, [max_age](uint16_t) { return max_age; });
  }

  template <typename F>
  void ForEach(F f) const {
    for (const auto& [k, e] : table_) f(k, e);
  }
  size_t size() const { return table_.size(); }
  uint64_t learn_refused() const { return learn_refused_; }

 private:
  void Count(const FdbEntry& e) {
    if (!e.counted) return;
    if (e.port >= counted_.size()) counted_.resize(e.port + 1u, 0);
    ++counted_[e.port];
  }
  void Uncount(const FdbEntry& e) {
    if (e.counted && e.port < counted_.size()) --counted_[e.port];
  }

  absl::flat_hash_map<FdbKey, FdbEntry> table_;
  std::vector<uint32_t> counted_;  // by port
  size_t max_entries_;
  uint64_t learn_refused_ = 0;
};

}  // namespace pvland
