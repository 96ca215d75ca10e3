// The kernel-faithful L3 edge of the switch: the namespace's links, addresses and
// routes mirrored over rtnetlink, pvland's own devconf for its internal ports, and the
// ARP proxy delay queue. The ARP stage and the control handlers read it; only the
// event loop writes it, between batches.
//
// pvland answers every ARP request about an internal port (local, proxy and private-VLAN
// replies), so it owns the kernel's ARP conf of the internal TAP: the kernel behind it is
// told never to answer (arp_ignore 8) nor proxy, and to leave source validation to
// pvland (rp_filter 0). `forwarding` is the one knob both share, since the kernel does the
// routing: its value is read from the kernel before each decision and pvlanctl writes it
// through.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "daemon/core/event_loop.h"
#include "daemon/core/unique_fd.h"
#include "daemon/ipv4/arp_decide.h"
#include "daemon/ipv4/clock.h"
#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/proxy_queue.h"
#include "daemon/ipv4/validate_source.h"
#include "daemon/kernel_state/l3_state.h"
#include "netlink/rtnl_sync.h"

namespace pvland {

class L3Edge {
 public:
  // Sends the reply of a request that waited in the proxy queue; `cookie` is what the
  // ARP stage enqueued with it (the L2 port and VLAN the request came from).
  using DelayedReplySender = std::function<void(uint64_t cookie, const ipv4::ArpDecision&)>;
  // An internal port's kernel link changed name or MAC (`ip link set ... name|address`).
  using InternalLinkChanged = std::function<void(int ifindex, const std::string& old_name, const ipv4::Link& link)>;

  explicit L3Edge(EventLoop& loop);
  ~L3Edge();

  // Dumps the kernel state and starts following it; registers with the loop.
  absl::Status Start();

  const kernel_state::L3State& state() const { return state_; }
  ipv4::DevconfStore& store() { return store_; }
  const ipv4::NetnsFlags& flags() const { return flags_; }

  // An internal port's TAP now exists in this namespace / is gone.
  absl::Status OnInternalPortAdded(const std::string& name, int ifindex);
  void OnInternalPortRemoved(const std::string& name);

  // The kernel's current `forwarding` of internal port `name`, copied into the store.
  void RefreshForwarding(std::string_view name);
  // The kernel's current medium_id of the device a proxy reply for `in` would route
  // out of (not an internal port), copied into the mirrored link.
  void RefreshEgressMediumId(const ipv4::ArpInput& in);

  // Decides an ARP request for the internal port `ifindex` (its kernel ifindex).
  // `ll_header` is the request's Ethernet header, for log_martians' "ll header" line.
  ipv4::ArpDecision Decide(const ipv4::ArpInput& in, absl::Span<const uint8_t> ll_header);
  // Counts a verdict reached before a decision could run (e.g. "arp_truncated").
  void NoteVerdict(std::string_view reason) { ++arp_verdicts_[std::string(reason)]; }
  // Queues a request whose decision was kEnqueue; false when the queue is full.
  bool Enqueue(const ipv4::ArpInput& in, std::string_view port, uint64_t cookie);
  void set_delayed_reply_sender(DelayedReplySender s) { sender_ = std::move(s); }
  void set_internal_link_changed(InternalLinkChanged f) { link_changed_ = std::move(f); }

  // `sysctl -w`: applies to the store and writes `forwarding` through to the kernel.
  absl::Status SysctlWrite(std::string_view key, std::string_view value);

  // How often each ARP verdict was reached (reason -> count), for `stats show`.
  const absl::btree_map<std::string, uint64_t>& arp_verdicts() const { return arp_verdicts_; }
  void ClearArpVerdicts() { arp_verdicts_.clear(); }
  uint64_t proxy_queue_overflows() const { return queue_.overflow_drops(); }
  const netlink::RtnlSyncCounters& sync_counters() const { return sync_->counters(); }

 private:
  void OnStateChange(netlink::RtnlChange change);
  void OnProxyTimer();
  void ArmProxyTimer();
  void CountVerdict(const ipv4::ArpDecision& d, const ipv4::ArpInput& in, absl::Span<const uint8_t> ll_header);

  EventLoop& loop_;
  kernel_state::L3State state_;
  std::unique_ptr<netlink::RtnlSync> sync_;
  ipv4::DevconfStore store_;
  ipv4::NetnsFlags flags_;
  ipv4::RealClock clock_;
  ipv4::BitGenDelayRandom random_;
  ipv4::ProxyQueue queue_{clock_, random_};
  UniqueFd proxy_timer_;
  DelayedReplySender sender_;
  InternalLinkChanged link_changed_;
  // Internal ports by kernel ifindex -> (name in the store, last MAC): a rename or MAC
  // change made with `ip link` follows the ifindex.
  absl::flat_hash_map<int, std::pair<std::string, MacAddr>> internal_;
  // Last seen IFF_UP / IFF_LOWER_UP per ifindex: the kernel purges the proxy queue on
  // any admin-down (and carrier loss under arp_evict_nocarrier).
  absl::flat_hash_map<int, uint32_t> link_flags_;
  absl::btree_map<std::string, uint64_t> arp_verdicts_;
};

}  // namespace pvland
