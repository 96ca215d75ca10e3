#include "daemon/ipv4/proxy_queue.h"

namespace pvland::ipv4 {
namespace {
constexpr uint32_t kIffUp = 0x1;  // IFF_UP: what netif_running() tests
}  // namespace

bool ProxyQueue::Enqueue(const ArpInput& request, const NeighParms& parms, uint64_t cookie) {
  const MonoNs now = clock_.Now();
  // The delay is drawn before the length check, as in pneigh_enqueue. The stored
  // jiffies are read as unsigned there: a "negative" proxy_delay means ~2^32.
  const uint32_t bound = static_cast<uint32_t>(parms.proxy_delay_jiffies);
  const uint32_t jiffies = bound == 0 ? 0 : random_.Below(bound);
  uint32_t& qlen = qlen_[request.ifindex];
  if (static_cast<int64_t>(qlen) > parms.proxy_qlen) {
    ++overflow_drops_;
    return false;
  }
  QueuedArp q;
  q.request = request;
  q.request.locally_enqueued = true;
  q.deadline = now + kJiffy * static_cast<int64_t>(jiffies);
  q.cookie = cookie;
  queue_.push_back(q);
  ++qlen;
  return true;
}

std::vector<QueuedArp> ProxyQueue::TakeDue() {
  const MonoNs now = clock_.Now();
  std::vector<QueuedArp> due;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->deadline <= now) {
      auto q = qlen_.find(it->request.ifindex);
      if (q != qlen_.end() && --q->second == 0) qlen_.erase(q);
      due.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

std::optional<MonoNs> ProxyQueue::NextDeadline() const {
  std::optional<MonoNs> next;
  for (const QueuedArp& q : queue_) {
    if (!next || q.deadline < *next) next = q.deadline;
  }
  return next;
}

size_t ProxyQueue::PurgeAll() {
  return PurgeAll([](const QueuedArp&) {});
}

size_t ProxyQueue::PurgeAll(absl::FunctionRef<void(const QueuedArp&)> on_purged) {
  const size_t n = queue_.size();
  for (const QueuedArp& q : queue_) on_purged(q);
  queue_.clear();
  qlen_.clear();
  purged_ += n;
  return n;
}

uint32_t ProxyQueue::QlenOf(int ifindex) const {
  auto it = qlen_.find(ifindex);
  return it == qlen_.end() ? 0 : it->second;
}

ArpDecision Redecide(const kernel_state::L3State& state, const DevconfStore& store,
                     const NetnsFlags& flags, const QueuedArp& queued) {
  const Link* dev = state.LinkByIndex(queued.request.ifindex);
  if (dev == nullptr || !(dev->flags & kIffUp)) {
    ArpDecision d;
    d.reason = kProxyQueueDeviceDown;
    return d;
  }
  ArpInput again = queued.request;
  again.locally_enqueued = true;
  return ArpDecide(state, store, flags, again);
}

bool LinkEventPurgesProxyQueue(bool went_admin_down, bool lost_carrier,
                               const std::optional<ConfView>& conf) {
  if (went_admin_down) return true;  // NETDEV_DOWN -> arp_ifdown
  return lost_carrier && conf && conf->ArpEvictNocarrier();  // neigh_carrier_down
}

}  // namespace pvland::ipv4
