// The namespace's IPv4 router as pvland reproduces it for its internal ports: the
// kernel's links, addresses and routes mirrored over rtnetlink, pvland's own devconf,
// and the ARP proxy delay queue. It answers the ARP stage through the narrow
// ipv4::ArpDecider interface and keeps every piece of I/O on its side: the netlink
// sync, /proc, the queue's timerfd, and handing delayed verdicts to whoever sends
// the replies. Only the event loop calls it, between batches.
//
// pvland answers every ARP request about an internal port (local, proxy, private-VLAN
// and static proxy entry replies), so it owns the kernel's ARP conf of the internal TAP:
// the kernel behind it is told never to answer (arp_ignore 8) nor proxy, and to leave
// source validation to pvland (rp_filter 0); and since a static proxy entry makes the
// kernel answer whatever its conf says, the ARP replies it sends out of the TAP are
// dropped (KernelArpGuard). It still receives every request and reply, for its
// neighbour table. `forwarding` is the one knob both share, since the kernel does the
// routing: pvlanctl writes it through, and a change made from outside pvland arrives as
// RTM_NEWNETCONF. The egress device's medium_id, which the kernel never announces, is
// re-read periodically (kUnannouncedRefresh). Nothing on the ARP path reads /proc.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "daemon/core/clock.h"
#include "daemon/core/event_loop.h"
#include "daemon/core/log.h"
#include "daemon/core/unique_fd.h"
#include "daemon/ipv4/arp_decider.h"
#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/ip_decider.h"
#include "daemon/ipv4/proxy_queue.h"
#include "daemon/ipv4/validate_source.h"
#include "daemon/kernel_state/l3_state.h"
#include "daemon/router/kernel_arp_guard.h"
#include "daemon/router/input_conf_cache.h"
#include "daemon/router/link_watch.h"
#include "netlink/rtnl_sync.h"

namespace pvland {

class Router final : public ipv4::ArpDecider, public ipv4::IpDecider {
 public:
  // Receives every verdict the proxy queue reaches later (a re-decision at expiry,
  // or a purge); `cookie` is what the ARP stage enqueued with the request. The
  // receiver counts it and, for kReply, sends d.reply.
  using DelayedVerdictSink = std::function<void(uint64_t cookie, const ipv4::ArpDecision& d)>;
  // An internal port's kernel link changed name or MAC (`ip link set ... name|address`).
  using InternalLinkChanged = std::function<void(int ifindex, const std::string& old_name, const ipv4::Link& link)>;

  // How often medium_id, which no notification carries, is re-read.
  static constexpr MonoNs kUnannouncedRefresh = 500 * kNsPerMs;

  // `clock` times the proxy queue; its deadlines arm a CLOCK_MONOTONIC timerfd.
  // `sync` tunes the rtnetlink sockets (their receive buffer).
  Router(EventLoop& loop, const Clock& clock, netlink::RtnlSyncOptions sync = {});
  ~Router() override;

  // Dumps the kernel state and starts following it; registers with the loop. The
  // nftables arp table that silences the kernel behind internal ports is `nft_table`
  // (the instance's NftTableName).
  absl::Status Start(std::string nft_table);

  const kernel_state::L3State& state() const { return state_; }
  ipv4::DevconfStore& store() { return store_; }
  const ipv4::DevconfStore& store() const { return store_; }
  // The arp table's guard; null when nftables has no arp family here.
  const KernelArpGuard* arp_guard() const { return arp_guard_.get(); }
  const ipv4::NetnsFlags& flags() const { return flags_; }

  // An internal port's TAP now exists in this namespace / is gone.
  absl::Status OnInternalPortAdded(const std::string& name, int ifindex);
  void OnInternalPortRemoved(const std::string& name);

  // Reads the kernel's `forwarding` of internal port `name` from /proc into the store
  // now, for the control path (a read-back must not wait for the notification).
  void RefreshForwarding(std::string_view name);

  // `sysctl -w`: applies to the store and writes `forwarding` through to the kernel.
  absl::Status SysctlWrite(std::string_view key, std::string_view value);

  // ipv4::ArpDecider
  const ipv4::Link* Device(int ifindex) const override { return state_.LinkByIndex(ifindex); }
  ipv4::ArpDecision Decide(const ipv4::ArpInput& in, absl::Span<const uint8_t> ll_header) override;
  bool Enqueue(const ipv4::ArpInput& in, uint64_t cookie) override;

  // ipv4::IpDecider
  ipv4::IpInputDecision DecideInput(const ipv4::IpPacketInfo& in, absl::Span<const uint8_t> ll_header) override;
  ipv4::IpInputDecision SourceGuard(const ipv4::IpPacketInfo& in, int mode) override;

  void set_delayed_verdict_sink(DelayedVerdictSink s) { delayed_ = std::move(s); }
  void set_internal_link_changed(InternalLinkChanged f) { link_changed_ = std::move(f); }

  // The martian log's budget (net_ratelimit), with its suppressed count.
  const LogRateLimit& martian_log_limit() const { return martian_log_limit_; }
  const netlink::RtnlSyncCounters& sync_counters() const { return sync_->counters(); }

 private:
  void OnStateChange(netlink::RtnlChange change);
  // The kernel behind internal port `name` takes what pvland's IP guard let through: the
  // keys its own input path still reads after that (accept_local, route_localnet) get
  // pvland's effective values, so it accepts exactly what pvland accepted.
  void WriteThroughToKernel(const std::string& name);
  void OnProxyTimer();
  void ArmProxyTimer();
  // The one martian logger, for ARP and IP: the kernel's lines for `kind` on device
  // `ifindex`, under the net_ratelimit budget. The caller checked log_martians.
  void LogMartian(ipv4::MartianKind kind, ipv4::Ipv4 dst, ipv4::Ipv4 src, int ifindex,
                  absl::Span<const uint8_t> ll_header);

  EventLoop& loop_;
  const Clock& clock_;
  kernel_state::L3State state_;
  std::unique_ptr<netlink::RtnlSync> sync_;
  ipv4::DevconfStore store_;
  ipv4::NetnsFlags flags_;
  ipv4::BitGenDelayRandom random_;
  ipv4::ProxyQueue queue_{clock_, random_};
  UniqueFd proxy_timer_;
  DelayedVerdictSink delayed_;
  InternalLinkChanged link_changed_;
  router::LinkWatch links_;
  std::unique_ptr<KernelArpGuard> arp_guard_;  // null without nftables' arp family
  // The conf DecideInput and SourceGuard read, per ingress ifindex.
  router::InputConfCache input_conf_;
  // The kernel's net_ratelimit(): one budget for every martian line.
  LogRateLimit martian_log_limit_{"net_ratelimit", clock_};
};

}  // namespace pvland
