#include "daemon/router/router.h"

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "daemon/core/proc_int.h"
#include "daemon/ipv4/martian_log.h"
#include "daemon/ipv4/sysctl.h"

namespace pvland {
namespace {

std::string ConfPath(std::string_view dev, std::string_view knob) {
  return absl::StrCat("/proc/sys/net/ipv4/conf/", std::string(dev), "/", std::string(knob));
}

// The reason a queued request reports when a link event discards it.
ipv4::ArpDecision Purged() {
  ipv4::ArpDecision d;
  d.reason = ipv4::kProxyQueuePurged;
  return d;
}

}  // namespace

Router::Router(EventLoop& loop, const Clock& clock, netlink::RtnlSyncOptions sync)
    : loop_(loop), clock_(clock), sync_(std::make_unique<netlink::RtnlSync>(&state_, sync)) {}
Router::~Router() = default;

absl::Status Router::Start(std::string nft_table) {
  sync_->SetChangeCallback([this](netlink::RtnlChange c) { OnStateChange(c); });
  if (auto s = sync_->Start(); !s.ok()) return s;
  OnStateChange(netlink::RtnlChange::kResync);
  if (auto s = loop_.Add(sync_->fd(), EPOLLIN, [this](uint32_t) { sync_->OnReadable(); }); !s.ok()) return s;
  if (auto s = loop_.AddTimer(kUnannouncedRefresh, [this] { sync_->RefreshUnannounced(); }); !s.ok()) return s;
  if (auto g = KernelArpGuard::Create(std::move(nft_table)); g.ok()) {
    arp_guard_ = std::move(*g);
  } else {
    PVL_LOG(kWarning, "no nftables arp table (%s): the kernel behind an internal port may answer ARP itself",
            g.status().ToString());
  }
  proxy_timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!proxy_timer_.valid()) return absl::ErrnoToStatus(errno, "timerfd_create");
  return loop_.Add(proxy_timer_.get(), EPOLLIN, [this](uint32_t) {
    uint64_t expirations;
    (void)!read(proxy_timer_.get(), &expirations, sizeof expirations);
    OnProxyTimer();
  });
}

absl::Status Router::OnInternalPortAdded(const std::string& name, int ifindex) {
  // A recreated TAP keeps the conf its port had; a new port copies conf/default.
  if (!store_.HasPort(name)) {
    if (auto s = store_.AddPort(name); !s.ok()) return s;
  }
  // The kernel behind the TAP must not answer or filter ARP on its own.
  for (auto [knob, value] : {std::pair{"arp_ignore", "8"}, {"proxy_arp", "0"}, {"proxy_arp_pvlan", "0"},
                             {"rp_filter", "0"}}) {
    if (auto s = WriteProcFile(ConfPath(name, knob), value); !s.ok())
      PVL_LOG(kWarning, "internal port %s: cannot set kernel %s: %s", name, knob, s.ToString());
  }
  // Nor answer for a static proxy entry, which no conf key prevents.
  if (arp_guard_) {
    if (auto s = arp_guard_->Silence(ifindex); !s.ok())
      PVL_LOG(kWarning, "internal port %s: cannot drop the kernel's ARP replies: %s", name, s.ToString());
  }
  RefreshForwarding(name);
  WriteThroughToKernel(name);
  const ipv4::Link* link = state_.LinkByIndex(ifindex);
  links_.AddInternal(ifindex, name, link ? link->mac : MacAddr{});
  return absl::OkStatus();
}

void Router::OnInternalPortRemoved(const std::string& name) {
  if (const ipv4::Link* link = state_.LinkByName(name); link && arp_guard_) arp_guard_->Release(link->ifindex);
  store_.RemovePort(name).IgnoreError();
  links_.RemoveInternal(name);
}

void Router::WriteThroughToKernel(const std::string& name) {
  const std::optional<ipv4::ConfView> conf = store_.View(name);
  if (!conf) return;
  for (ipv4::Knob k : {ipv4::Knob::kAcceptLocal, ipv4::Knob::kRouteLocalnet}) {
    const std::string path = ConfPath(name, ipv4::InfoOf(k).name);
    const int32_t want = conf->Effective(k);
    if (ReadProcInt(path) == want) continue;
    if (auto s = WriteProcFile(path, absl::StrCat(want)); !s.ok())
      PVL_LOG(kWarning, "internal port %s: cannot set kernel %s: %s", name, ipv4::InfoOf(k).name, s.ToString());
  }
}

void Router::RefreshForwarding(std::string_view name) {
  auto v = ReadProcInt(ConfPath(name, "forwarding"));
  const ipv4::DevConf* conf = store_.Find(name);
  if (v && conf && conf->Get(ipv4::Knob::kForwarding) != *v)
    store_.Write(name, ipv4::Knob::kForwarding, *v).IgnoreError();
}

absl::Status Router::SysctlWrite(std::string_view key, std::string_view value) {
  auto parsed = ipv4::ParseSysctlKey(key, store_);
  if (!parsed.ok()) return parsed.status();
  if (auto s = ipv4::SysctlWrite(store_, key, value); !s.ok()) return s;
  if (parsed->kind == ipv4::SysctlKey::Kind::kCoreMessageCost ||
      parsed->kind == ipv4::SysctlKey::Kind::kCoreMessageBurst) {
    const ipv4::DevconfStore::LogBudget& b = store_.log_budget();
    martian_log_limit_.Configure(b.message_cost_s * kNsPerSec, b.message_burst);
  }
  if (parsed->kind == ipv4::SysctlKey::Kind::kConf) {
    // A write to all or default can change the effective value of every port.
    for (const std::string& port : store_.PortNames()) WriteThroughToKernel(port);
  }
  if (parsed->kind == ipv4::SysctlKey::Kind::kConf && parsed->knob == ipv4::Knob::kForwarding) {
    // The kernel routes what pvland forwards to it: keep its forwarding in step.
    const std::string dev = parsed->device;
    auto written = ipv4::SysctlRead(store_, key);
    if (written.ok()) {
      if (auto s = WriteProcFile(ConfPath(dev, "forwarding"), *written); !s.ok())
        PVL_LOG(kWarning, "cannot write kernel forwarding of %s: %s", dev, s.ToString());
    }
  }
  return absl::OkStatus();
}

void Router::LogMartian(ipv4::MartianKind kind, ipv4::Ipv4 dst, ipv4::Ipv4 src, int ifindex,
                        absl::Span<const uint8_t> ll_header) {
  if (kind == ipv4::MartianKind::kNone) return;
  // One budget per event, as the kernel's `IN_DEV_LOG_MARTIANS && net_ratelimit()`;
  // the lines are only built when they will be printed.
  if (!martian_log_limit_.Allow()) return;
  const ipv4::Link* link = state_.LinkByIndex(ifindex);
  for (const std::string& line : ipv4::MartianLines(kind, dst, src, link ? link->name : "?", ll_header))
    PVL_LOG(kWarning, "%s", line);
}

ipv4::ArpDecision Router::Decide(const ipv4::ArpInput& in, absl::Span<const uint8_t> ll_header) {
  ipv4::ArpDecision d = ipv4::ArpDecide(state_, store_, flags_, in);
  // For ARP the kernel names tip as the destination and sip as the source.
  if (d.log_martian) LogMartian(d.martian, in.packet.tip, in.packet.sip, in.ifindex, ll_header);
  return d;
}

ipv4::IpInputDecision Router::DecideInput(const ipv4::IpPacketInfo& in, absl::Span<const uint8_t> ll_header) {
  const ipv4::ConfView* conf = input_conf_.Get(state_, store_, in.ifindex);
  if (!conf) return {};
  const ipv4::IpInputDecision d = ipv4::DecideIpInput(state_, flags_, *conf, in);
  if (d.log != ipv4::MartianKind::kNone && conf->LogMartians()) LogMartian(d.log, in.dst, in.src, in.ifindex, ll_header);
  return d;
}

ipv4::IpInputDecision Router::SourceGuard(const ipv4::IpPacketInfo& in, int mode) {
  const ipv4::ConfView* conf = input_conf_.Get(state_, store_, in.ifindex);
  if (!conf) return {ipv4::IpDropKind::kRpFilter, ipv4::MartianKind::kNone, "no_l3_device"};
  return ipv4::SourceGuardDecide(state_, flags_, *conf, in, mode);
}

bool Router::Enqueue(const ipv4::ArpInput& in, uint64_t cookie) {
  const ipv4::Link* dev = state_.LinkByIndex(in.ifindex);
  const ipv4::NeighParms* parms = dev ? store_.Neigh(dev->name) : nullptr;
  if (parms == nullptr || !queue_.Enqueue(in, *parms, cookie)) return false;
  ArmProxyTimer();
  return true;
}

void Router::ArmProxyTimer() {
  auto next = queue_.NextDeadline();
  itimerspec its{};
  if (next) {
    MonoNs wait = *next - clock_.Now();
    if (wait < 1) wait = 1;  // 0 would disarm
    its.it_value.tv_sec = static_cast<time_t>(wait / kNsPerSec);
    its.it_value.tv_nsec = static_cast<long>(wait % kNsPerSec);
  }
  timerfd_settime(proxy_timer_.get(), 0, &its, nullptr);
}

void Router::OnProxyTimer() {
  for (const ipv4::QueuedArp& q : queue_.TakeDue()) {
    const ipv4::ArpDecision d = ipv4::Redecide(state_, store_, flags_, q);
    if (d.log_martian) LogMartian(d.martian, q.request.packet.tip, q.request.packet.sip, q.request.ifindex, {});
    if (delayed_) delayed_(q.cookie, d);
  }
  ArmProxyTimer();
}

void Router::OnStateChange(netlink::RtnlChange change) {
  if (change == netlink::RtnlChange::kRoute || change == netlink::RtnlChange::kResync)
    ipv4::UpdateNetnsFlags(state_, &flags_);
  if (change == netlink::RtnlChange::kAddress || change == netlink::RtnlChange::kResync) {
    // An internal port that got an IPv4 address stops inheriting conf/default (§2.13).
    for (const std::string& name : store_.PortNames()) {
      const ipv4::Link* link = state_.LinkByName(name);
      if (link && state_.HasAnyAddress(link->ifindex)) store_.OnAddressAdded(name);
    }
  }
  if (change == netlink::RtnlChange::kLink || change == netlink::RtnlChange::kResync) {
    for (const router::InternalLinkChange& c : links_.TakeInternalChanges(state_, store_))
      if (link_changed_) link_changed_(c.ifindex, c.old_name, c.link);
    router::FollowKernelForwarding(state_, store_);
    if (links_.LinkEventsPurgeProxyQueue(state_, store_) && queue_.size() > 0) {
      const ipv4::ArpDecision purged = Purged();
      queue_.PurgeAll([&](const ipv4::QueuedArp& q) {
        if (delayed_) delayed_(q.cookie, purged);
      });
      ArmProxyTimer();
    }
  }
}

}  // namespace pvland
