// The switch's state: its ports (configuration, state, counters), its VLAN roles and its
// FDB. Ports live at stable indices; a deleted port's slot is reused by the next add.
// No I/O: the ports' sockets and fds belong to daemon/dataplane, which sends what the
// pipeline decides.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "daemon/bridge/fdb.h"
#include "daemon/bridge/port_config.h"
#include "daemon/bridge/port_security.h"
#include "daemon/bridge/vlan_table.h"
#include "daemon/core/clock.h"
#include "daemon/packet/drop_reason.h"
#include "daemon/core/port_types.h"
#include "daemon/mirror/sessions.h"
#include "daemon/packet/packet.h"
#include "daemon/psf/flow_table.h"

namespace pvland {

struct PortCounters {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  std::array<uint64_t, kDropReasonCount> drops{};
  // On an internal port: the ARP requests it decided as its VLAN's L3 device, by verdict.
  std::array<uint64_t, kArpVerdictCount> arp_verdicts{};
};

struct SwitchPort {
  std::string name;
  std::string_view type;  // as `port add ... type T` named it (static storage)
  PortKind kind = PortKind::kNetdev;
  PortConfig cfg;
  PortCounters counters;
  PortState state = PortState::kAbsent;
  int ifindex = 0;  // in pvland's namespace when opened; a TAP moved away keeps its fd
  MacAddr mac{};
  int64_t rx_ring_base = 0; // offset making kernel ring drops read zero after a clear
  PortSecurityState security;
  // Protocol state filtering's connections, while cfg.psf is enabled (null otherwise).
  std::unique_ptr<psf::FlowTable> psf;
};

// Called for every dropped frame, after the counter: the hook for drop monitors
// (daemon/observe). `detail` is null or a static string naming the stage's finer reason.
using DropObserver =
    std::function<void(uint16_t port, DropReason reason, const Packet& pkt, const char* detail)>;

class Bridge {
 public:
  static constexpr MonoNs kDefaultAgeing = 300 * kNsPerSec;
  static constexpr size_t kMaxPorts = 1024;

  VlanTable& vlans() { return vlans_; }
  const VlanTable& vlans() const { return vlans_; }
  Fdb& fdb() { return fdb_; }
  const Fdb& fdb() const { return fdb_; }
  // Traffic mirror sessions by source port (docs/mirroring.md).
  mirror::Sessions& mirror() { return mirror_; }
  const mirror::Sessions& mirror() const { return mirror_; }
  MonoNs ageing() const { return ageing_; }
  void set_ageing(MonoNs a) { ageing_ = a; }

  size_t port_slots() const { return ports_.size(); }
  // Null for an empty slot.
  SwitchPort* port(uint16_t idx) { return idx < ports_.size() ? ports_[idx].get() : nullptr; }
  const SwitchPort* port(uint16_t idx) const { return idx < ports_.size() ? ports_[idx].get() : nullptr; }
  std::optional<uint16_t> FindPort(std::string_view name) const;
  // The internal port acting as the L3 device of learning domain `domain`: an access
  // port in one of its VLANs, as br0 is for a Linux bridge's ports.
  std::optional<uint16_t> L3PortOf(uint16_t domain) const;

  // Ports that receive a copy of every forwarded frame of their VLANs (promiscuous accept
  // and the guest in promiscuous mode), and the owner of each known effective MAC.
  // RefreshSecurityIndex() recomputes both after a port's security state or config changed.
  const std::vector<uint16_t>& promiscuous_ports() const { return promiscuous_ports_; }
  std::optional<uint16_t> EffectiveMacOwner(const uint8_t* mac) const {
    auto it = mac_owner_.find(ToMac(mac));
    return it == mac_owner_.end() ? std::nullopt : std::optional<uint16_t>(it->second);
  }
  void RefreshSecurityIndex();
  // Creates or drops port `idx`'s connection table to match its psf setting: turning
  // filtering off forgets every connection, turning it on starts from none (docs/psf.md).
  void ApplyPsf(uint16_t idx);
  // The bound on connections of all ports together.
  psf::FlowBudget& psf_budget() { return psf_budget_; }
  const psf::FlowBudget& psf_budget() const { return psf_budget_; }
  static constexpr size_t kDefaultPsfBudget = 1 << 20;
  static constexpr size_t kMaxPsfBudget = 1 << 24;
  // Ages the FDB: entries learned by a port with MAC learning after its mac_aging,
  // others after the bridge's ageing time.
  size_t AgeFdb(MonoNs now);

  // Returns the new port's index, or nullopt when kMaxPorts are in use.
  std::optional<uint16_t> AddPort(std::unique_ptr<SwitchPort> p);
  // Removes the port, every FDB entry pointing at it and the mirror sessions it is the
  // source of.
  void RemovePort(uint16_t idx);

  // `detail`: null, or a string with static storage a stage may add (an errno name).
  void CountDrop(uint16_t port, DropReason r, const Packet& pkt, const char* detail = nullptr) {
    ++ports_[port]->counters.drops[static_cast<int>(r)];
    if (drop_observer_) drop_observer_(port, r, pkt, detail);
  }
  void set_drop_observer(DropObserver o) { drop_observer_ = std::move(o); }

 private:
  std::vector<std::unique_ptr<SwitchPort>> ports_;
  VlanTable vlans_;
  Fdb fdb_;
  mirror::Sessions mirror_;
  MonoNs ageing_ = kDefaultAgeing;
  DropObserver drop_observer_;
  std::vector<uint16_t> promiscuous_ports_;
  psf::FlowBudget psf_budget_{kDefaultPsfBudget};
  absl::flat_hash_map<MacAddr, uint16_t> mac_owner_;
};

}  // namespace pvland
