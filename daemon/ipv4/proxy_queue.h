// The kernel's ARP proxy delay queue (net/core/neighbour.c pneigh_enqueue,
// neigh_proxy_process, pneigh_queue_purge; net/ipv4/arp.c parp_redo;
// docs/kernel-semantics.md §2.5):
//  * a proxied broadcast request waits a uniform random delay in
//    [0, proxy_delay) jiffies (HZ=250: 4 ms steps; 80 ticks = 200 jiffies = 0.8 s);
//  * the ingress device's count is checked before queuing, and the request is
//    dropped when the count already EXCEEDS proxy_qlen, so proxy_qlen + 1 fit;
//  * on expiry every due request, in arrival order, is re-decided from the top of
//    arp_process (ArpDecide with locally_enqueued) if its device is still running,
//    so a knob or route change in between is honoured; a changed proxy_delay does
//    not reschedule;
//  * any interface of the namespace going down (or losing carrier while its
//    arp_evict_nocarrier is on) discards every queued request, not only its own.
// The kernel keeps one queue and one timer for all namespaces; pvland keeps one per
// instance, which is the same as seen from inside one namespace.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/functional/function_ref.h"
#include "daemon/core/clock.h"
#include "daemon/ipv4/arp_decide.h"
#include "daemon/ipv4/neigh_parms.h"

namespace pvland::ipv4 {

// Uniform integers for the delay draw; replaceable for deterministic tests.
class DelayRandom {
 public:
  virtual ~DelayRandom() = default;
  // get_random_u32_below(bound): uniform in [0, bound); bound > 0.
  virtual uint32_t Below(uint32_t bound) = 0;
};

class BitGenDelayRandom final : public DelayRandom {
 public:
  uint32_t Below(uint32_t bound) override {
    return absl::Uniform<uint32_t>(gen_, 0u, bound);
  }

 private:
  absl::BitGen gen_;
};

struct QueuedArp {
  ArpInput request;         // the request as received; re-decided on expiry
  MonoNs deadline = 0;
  uint64_t cookie = 0;      // the caller's own tag (e.g. the L2 port it came from)
};

// Stable reasons for what the queue drops.
inline constexpr std::string_view kProxyQueueOverflow = "proxy_queue_overflow";
inline constexpr std::string_view kProxyQueuePurged = "proxy_queue_purged";
inline constexpr std::string_view kProxyQueueDeviceDown = "proxy_queue_device_down";

class ProxyQueue {
 public:
  ProxyQueue(const Clock& clock, DelayRandom& random) : clock_(clock), random_(random) {}

  // pneigh_enqueue for a request whose decision was kEnqueue. `parms` are the
  // ingress device's at this moment. false: dropped as kProxyQueueOverflow.
  bool Enqueue(const ArpInput& request, const NeighParms& parms, uint64_t cookie = 0);

  // Removes and returns every request due at Now(), in arrival order, each marked
  // locally_enqueued. The caller re-decides each one (see Redecide).
  std::vector<QueuedArp> TakeDue();

  // When the earliest queued request is due; nullopt when empty. Arm a timer here.
  std::optional<MonoNs> NextDeadline() const;

  // Any interface went down: discard everything (counted as kProxyQueuePurged).
  // `on_purged` sees each discarded request, so its owner can count it.
  size_t PurgeAll();
  size_t PurgeAll(absl::FunctionRef<void(const QueuedArp&)> on_purged);

  size_t size() const { return queue_.size(); }
  uint32_t QlenOf(int ifindex) const;
  uint64_t overflow_drops() const { return overflow_drops_; }
  uint64_t purged() const { return purged_; }

 private:
  const Clock& clock_;
  DelayRandom& random_;
  std::deque<QueuedArp> queue_;
  absl::flat_hash_map<int, uint32_t> qlen_;  // per ingress device, as neigh_parms.qlen
  uint64_t overflow_drops_ = 0;
  uint64_t purged_ = 0;
};

// neigh_proxy_process + parp_redo for one due request: if the device is no longer
// running (netif_running: admin up, IFF_UP) the request is freed (kProxyQueueDeviceDown); otherwise it
// is decided again from arp_process with the current state.
ArpDecision Redecide(const kernel_state::L3State& state, const DevconfStore& store,
                     const NetnsFlags& flags, const QueuedArp& queued);

// Whether a link event purges the queue: admin down of any device, or loss of
// carrier on a device whose arp_evict_nocarrier (AND of all and dev) is on.
// `conf` is that device's (nullopt when it has no IPv4: no purge on carrier loss).
bool LinkEventPurgesProxyQueue(bool went_admin_down, bool lost_carrier,
                               const std::optional<ConfView>& conf);

}  // namespace pvland::ipv4
