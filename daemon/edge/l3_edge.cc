#include "daemon/edge/l3_edge.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/core/log.h"
#include "daemon/ipv4/martian_log.h"
#include "daemon/ipv4/sysctl.h"

namespace pvland {
namespace {

// IFF_LOWER_UP lives in <linux/if.h>, which cannot be included beside <net/if.h>.
constexpr uint32_t kIffLowerUp = 1u << 16;

std::string ConfPath(std::string_view dev, std::string_view knob) {
  return absl::StrCat("/proc/sys/net/ipv4/conf/", std::string(dev), "/", std::string(knob));
}

absl::Status WriteProc(const std::string& path, std::string_view value) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, path);
  if (write(fd.get(), value.data(), value.size()) < 0) return absl::ErrnoToStatus(errno, path);
  return absl::OkStatus();
}

std::optional<int32_t> ReadProcInt(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  char buf[32];
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return std::nullopt;
  buf[n] = 0;
  return static_cast<int32_t>(strtol(buf, nullptr, 10));
}

}  // namespace

L3Edge::L3Edge(EventLoop& loop) : loop_(loop), sync_(std::make_unique<netlink::RtnlSync>(&state_)) {}
L3Edge::~L3Edge() = default;

absl::Status L3Edge::Start() {
  sync_->SetChangeCallback([this](netlink::RtnlChange c) { OnStateChange(c); });
  if (auto s = sync_->Start(); !s.ok()) return s;
  OnStateChange(netlink::RtnlChange::kResync);
  if (auto s = loop_.Add(sync_->fd(), EPOLLIN, [this](uint32_t) { sync_->OnReadable(); }); !s.ok()) return s;
  proxy_timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!proxy_timer_.valid()) return absl::ErrnoToStatus(errno, "timerfd_create");
  return loop_.Add(proxy_timer_.get(), EPOLLIN, [this](uint32_t) {
    uint64_t expirations;
    (void)!read(proxy_timer_.get(), &expirations, sizeof expirations);
    OnProxyTimer();
  });
}

absl::Status L3Edge::OnInternalPortAdded(const std::string& name, int ifindex) {
  // A recreated TAP keeps the conf its port had; a new port copies conf/default.
  if (!store_.HasPort(name)) {
    if (auto s = store_.AddPort(name); !s.ok()) return s;
  }
  // The kernel behind the TAP must not answer or filter ARP on its own.
  for (auto [knob, value] : {std::pair{"arp_ignore", "8"}, {"proxy_arp", "0"}, {"proxy_arp_pvlan", "0"},
                             {"rp_filter", "0"}}) {
    if (auto s = WriteProc(ConfPath(name, knob), value); !s.ok())
      PVL_LOG(kWarning, "internal port %s: cannot set kernel %s: %s", name, knob, s.ToString());
  }
  RefreshForwarding(name);
  const ipv4::Link* link = state_.LinkByIndex(ifindex);
  internal_[ifindex] = {name, link ? link->mac : MacAddr{}};
  return absl::OkStatus();
}

void L3Edge::OnInternalPortRemoved(const std::string& name) {
  store_.RemovePort(name).IgnoreError();
  for (auto it = internal_.begin(); it != internal_.end();) {
    if (it->second.first == name) {
      internal_.erase(it++);
    } else {
      ++it;
    }
  }
}

void L3Edge::RefreshForwarding(std::string_view name) {
  auto v = ReadProcInt(ConfPath(name, "forwarding"));
  const ipv4::DevConf* conf = store_.Find(name);
  if (v && conf && conf->Get(ipv4::Knob::kForwarding) != *v)
    store_.Write(name, ipv4::Knob::kForwarding, *v).IgnoreError();
}

absl::Status L3Edge::SysctlWrite(std::string_view key, std::string_view value) {
  auto parsed = ipv4::ParseSysctlKey(key, store_);
  if (!parsed.ok()) return parsed.status();
  if (auto s = ipv4::SysctlWrite(store_, key, value); !s.ok()) return s;
  if (parsed->kind == ipv4::SysctlKey::Kind::kConf && parsed->knob == ipv4::Knob::kForwarding) {
    // The kernel routes what pvland forwards to it: keep its forwarding in step.
    const std::string dev = parsed->device;
    auto written = ipv4::SysctlRead(store_, key);
    if (written.ok()) {
      if (auto s = WriteProc(ConfPath(dev, "forwarding"), *written); !s.ok())
        PVL_LOG(kWarning, "cannot write kernel forwarding of %s: %s", dev, s.ToString());
    }
  }
  return absl::OkStatus();
}

void L3Edge::CountVerdict(const ipv4::ArpDecision& d, const ipv4::ArpInput& in, absl::Span<const uint8_t> ll_header) {
  ++arp_verdicts_[std::string(d.reason)];
  if (d.log_martian && d.martian != ipv4::MartianKind::kNone) {
    // For ARP the kernel names tip as the destination and sip as the source, and the
    // internal port (the request's L3 device) as the interface.
    const ipv4::Link* link = state_.LinkByIndex(in.ifindex);
    for (const std::string& line :
         ipv4::MartianLines(d.martian, in.packet.tip, in.packet.sip, link ? link->name : "?", ll_header))
      PVL_LOG(kWarning, "%s", line);
  }
}

void L3Edge::RefreshEgressMediumId(const ipv4::ArpInput& in) {
  // A sysctl write of a routed device's medium_id is announced neither by
  // RTM_NEWLINK nor by netconf (kernel-semantics.md §5.3), so the IFLA_INET_CONF
  // mirrored at the last link event may be stale. arp_fwd_proxy reads the egress
  // device's medium_id as it is now: read the one this request would use from /proc.
  const ipv4::ArpPacket& p = in.packet;
  if (p.op != ipv4::kArpOpRequest || p.sip == 0) return;
  const auto res = state_.fib().Lookup(p.tip, 0, in.ifindex);
  if (!res || res->IsError() || res->oif == 0 || res->oif == in.ifindex) return;
  const ipv4::Link* out = state_.LinkByIndex(res->oif);
  if (out == nullptr || !out->has_inet_conf || store_.HasPort(out->name)) return;
  constexpr size_t kMediumIdSlot = static_cast<size_t>(ipv4::Knob::kMediumId) - 1;
  auto v = ReadProcInt(ConfPath(out->name, "medium_id"));
  if (!v || out->inet_conf[kMediumIdSlot] == *v) return;
  ipv4::Link fresh = *out;
  fresh.inet_conf[kMediumIdSlot] = *v;
  state_.UpsertLink(fresh);
}

ipv4::ArpDecision L3Edge::Decide(const ipv4::ArpInput& in, absl::Span<const uint8_t> ll_header) {
  if (const ipv4::Link* link = state_.LinkByIndex(in.ifindex)) RefreshForwarding(link->name);
  RefreshEgressMediumId(in);
  ipv4::ArpDecision d = ipv4::ArpDecide(state_, store_, flags_, in);
  CountVerdict(d, in, ll_header);
  return d;
}

bool L3Edge::Enqueue(const ipv4::ArpInput& in, std::string_view port, uint64_t cookie) {
  const ipv4::NeighParms* parms = store_.Neigh(port);
  if (parms == nullptr || !queue_.Enqueue(in, *parms, cookie)) return false;
  ArmProxyTimer();
  return true;
}

void L3Edge::ArmProxyTimer() {
  auto next = queue_.NextDeadline();
  itimerspec its{};
  if (next) {
    absl::Duration wait = *next - clock_.Now();
    if (wait < absl::Nanoseconds(1)) wait = absl::Nanoseconds(1);  // 0 would disarm
    its.it_value = absl::ToTimespec(wait);
  }
  timerfd_settime(proxy_timer_.get(), 0, &its, nullptr);
}

void L3Edge::OnProxyTimer() {
  for (const ipv4::QueuedArp& q : queue_.TakeDue()) {
    RefreshEgressMediumId(q.request);
    ipv4::ArpDecision d = ipv4::Redecide(state_, store_, flags_, q);
    CountVerdict(d, q.request, {});
    if (d.action == ipv4::ArpAction::kReply && sender_) sender_(q.cookie, d);
  }
  ArmProxyTimer();
}

void L3Edge::OnStateChange(netlink::RtnlChange change) {
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
    for (auto& [ifindex, known] : internal_) {
      const ipv4::Link* link = state_.LinkByIndex(ifindex);
      if (link == nullptr || (link->name == known.first && link->mac == known.second)) continue;
      const std::string old_name = known.first;
      if (link->name != old_name) store_.RenamePort(old_name, link->name).IgnoreError();
      known = {link->name, link->mac};
      if (link_changed_) link_changed_(ifindex, old_name, *link);
    }
    bool purge = false;
    absl::flat_hash_map<int, uint32_t> now;
    state_.ForEachLink([&](const ipv4::Link& link) {
      now[link.ifindex] = link.flags;
      auto it = link_flags_.find(link.ifindex);
      if (it == link_flags_.end()) return;
      const bool went_down = (it->second & IFF_UP) && !(link.flags & IFF_UP);
      const bool lost_carrier = (it->second & kIffLowerUp) && !(link.flags & kIffLowerUp);
      std::optional<ipv4::ConfView> conf = store_.View(link.name);
      if (!conf && link.has_inet_conf) conf = store_.ViewOfKernelDevice(link.inet_conf);
      if (ipv4::LinkEventPurgesProxyQueue(went_down, lost_carrier, conf)) purge = true;
    });
    link_flags_ = std::move(now);
    if (purge && queue_.size() > 0) {
      const size_t n = queue_.PurgeAll();
      arp_verdicts_["proxy_queue_purged"] += n;
      ArmProxyTimer();
    }
  }
}

}  // namespace pvland
