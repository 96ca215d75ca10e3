// A VXLAN port's own forwarding table: the remote endpoint (outer IPv4 source) each inner
// source MAC last arrived from, as a Linux vxlan device learns its FDB in vxlan_rcv. The
// switch's FDB says a station is behind the VXLAN port; this table says behind which
// remote, so known unicast goes to that remote alone and everything else to every
// configured remote (head-end replication).
//
// Keyed by MAC alone, as a kernel vxlan device's FDB is: the port learns before the
// pipeline classifies the frame, so it does not know the learning domain yet, and the
// wire's VLAN tag is not the domain either (a private-VLAN host sends tagged with its
// secondary VLAN and is answered with the primary's tag). One MAC in two VLANs behind two
// remotes therefore moves between them, as it would on a kernel vxlan device.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "daemon/core/clock.h"
#include "include/pvland/types.h"

namespace pvland {

class VxlanRemoteTable {
 public:
  // The bound and the ageing of the switch's FDB (and a kernel vxlan device's default
  // `ageing 300`): a MAC flood through a tunnel cannot grow memory without bound, and an
  // entry lives as long as the FDB entry it refines.
  static constexpr size_t kDefaultMaxEntries = 65536;
  static constexpr MonoNs kDefaultAgeing = 300 * kNsPerSec;

  explicit VxlanRemoteTable(size_t max_entries = kDefaultMaxEntries, MonoNs ageing = kDefaultAgeing)
      : max_entries_(max_entries), ageing_(ageing) {}

  // `mac` arrived from `remote` at `now`. A full table first forgets what has aged out;
  // if it is still full the MAC is not learned (its frames go to every remote) and the
  // refusal is counted.
  void Learn(const uint8_t* mac, uint32_t remote, MonoNs now);
  // The remote `mac` last came from, unless that was longer ago than the ageing time.
  std::optional<uint32_t> Lookup(const uint8_t* mac, MonoNs now) const;
  // Forgets every entry older than the ageing time; returns how many.
  size_t Expire(MonoNs now);

  // Entries not aged out at `now`.
  size_t Live(MonoNs now) const;
  size_t size() const { return table_.size(); }
  uint64_t refused() const { return refused_; }

 private:
  struct Entry {
    uint32_t remote;
    MonoNs last_seen;
  };
  bool Fresh(const Entry& e, MonoNs now) const { return now - e.last_seen <= ageing_; }

  size_t max_entries_;
  MonoNs ageing_;
  uint64_t refused_ = 0;
  absl::flat_hash_map<MacAddr, Entry> table_;
};

}  // namespace pvland
