#include "daemon/ipv4/devconf.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "include/pvland/strings.h"

namespace pvland::ipv4 {

int32_t ConfView::Effective(Knob k) const {
  const int32_t a = All(k);
  const int32_t d = Dev(k);
  switch (InfoOf(k).combine) {
    case Combine::kOr:
      return (a != 0 || d != 0) ? 1 : 0;
    case Combine::kAnd:
      return (a != 0 && d != 0) ? 1 : 0;
    case Combine::kMax:
      return std::max(a, d);
    case Combine::kAcceptRedirects:
      // IN_DEV_RX_REDIRECTS: a forwarding device needs both, a host either.
      return Forwarding() ? ((a != 0 && d != 0) ? 1 : 0) : ((a != 0 || d != 0) ? 1 : 0);
    case Combine::kDevOnly:
    case Combine::kNotEvaluated:
      return d;
  }
  return d;
}

DevconfStore::DevconfStore() {
  all_.values = CompiledAllDefaults();
  default_.values = CompiledDefaultDefaults();
}

DevconfStore::Port* DevconfStore::FindPort(std::string_view name) {
  auto it = ports_.find(name);
  return it == ports_.end() ? nullptr : &it->second;
}

const DevconfStore::Port* DevconfStore::FindPort(std::string_view name) const {
  auto it = ports_.find(name);
  return it == ports_.end() ? nullptr : &it->second;
}

absl::Status DevconfStore::AddPort(std::string_view name) {
  ++generation_;
  if (name.empty() || name == kAll || name == kDefault) {
    return absl::InvalidArgumentError(absl::StrCat("'", Av(name), "' cannot name a port's conf"));
  }
  if (FindPort(name) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("conf for '", Av(name), "' already exists"));
  }
  Port p;
  p.conf = default_;  // inetdev_init copies default, "explicitly set" bits included
  ports_.emplace(std::string(name), p);
  return absl::OkStatus();
}

absl::Status DevconfStore::RemovePort(std::string_view name) {
  ++generation_;
  auto it = ports_.find(name);
  if (it == ports_.end()) return absl::NotFoundError(absl::StrCat("no port '", Av(name), "'"));
  ports_.erase(it);
  return absl::OkStatus();
}

absl::Status DevconfStore::RenamePort(std::string_view from, std::string_view to) {
  ++generation_;
  if (to.empty() || to == kAll || to == kDefault) {
    return absl::InvalidArgumentError(absl::StrCat("'", Av(to), "' cannot name a port's conf"));
  }
  auto it = ports_.find(from);
  if (it == ports_.end()) return absl::NotFoundError(absl::StrCat("no port '", Av(from), "'"));
  if (from == to) return absl::OkStatus();
  if (FindPort(to) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("conf for '", Av(to), "' already exists"));
  }
  Port p = it->second;
  ports_.erase(it);
  ports_.emplace(std::string(to), p);
  return absl::OkStatus();
}

bool DevconfStore::HasPort(std::string_view name) const { return FindPort(name) != nullptr; }

std::vector<std::string> DevconfStore::PortNames() const {
  std::vector<std::string> names;
  names.reserve(ports_.size());
  for (const auto& [name, port] : ports_) names.push_back(name);
  return names;
}

const DevConf* DevconfStore::Find(std::string_view dev) const {
  if (dev == kAll) return &all_;
  if (dev == kDefault) return &default_;
  const Port* p = FindPort(dev);
  return p == nullptr ? nullptr : &p->conf;
}

void DevconfStore::WriteForwarding(DevConf* target, bool is_all, int32_t value) {
  // devinet_sysctl_forward: plain store, no "explicitly set" bit.
  const int32_t old = target->Get(Knob::kForwarding);
  target->values[KnobSlot(Knob::kForwarding)] = value;
  if (!is_all || old == value) return;
  // inet_forward_change, only on an actual change of all/forwarding.
  all_.values[KnobSlot(Knob::kAcceptRedirects)] = value == 0 ? 1 : 0;
  default_.values[KnobSlot(Knob::kForwarding)] = value;
  for (auto& [name, port] : ports_) {
    port.conf.values[KnobSlot(Knob::kForwarding)] = value;
    port.conf.explicitly_set[KnobSlot(Knob::kForwarding)] = true;  // IN_DEV_CONF_SET
  }
}

absl::Status DevconfStore::Write(std::string_view dev, Knob knob, int32_t value) {
  ++generation_;
  const KnobInfo& info = InfoOf(knob);
  if (!info.writable) {
    return absl::PermissionDeniedError(
        absl::StrCat("net.ipv4.conf.", Av(dev), ".", Av(info.name), " is read-only"));
  }
  DevConf* target = nullptr;
  if (dev == kAll) {
    target = &all_;
  } else if (dev == kDefault) {
    target = &default_;
  } else if (Port* p = FindPort(dev)) {
    target = &p->conf;
  } else {
    return absl::NotFoundError(absl::StrCat("no such device '", Av(dev), "'"));
  }
  if (knob == Knob::kForwarding) {
    WriteForwarding(target, dev == kAll, value);
    return absl::OkStatus();
  }
  // devinet_conf_proc: the bit is set even when the value does not change.
  const int slot = KnobSlot(knob);
  target->values[slot] = value;
  target->explicitly_set[slot] = true;
  target->written[slot] = true;
  if (target == &default_) {
    // devinet_copy_dflt_conf
    for (auto& [name, port] : ports_) {
      if (!port.conf.explicitly_set[slot]) port.conf.values[slot] = value;
    }
  }
  return absl::OkStatus();
}

void DevconfStore::OnAddressAdded(std::string_view port) {
  if (Port* p = FindPort(port)) p->conf.explicitly_set.set();
}

std::optional<ConfView> DevconfStore::View(std::string_view port) const {
  const Port* p = FindPort(port);
  if (p == nullptr) return std::nullopt;
  return ConfView(all_.values, p->conf.values);
}

const NeighParms* DevconfStore::Neigh(std::string_view port) const {
  const Port* p = FindPort(port);
  return p == nullptr ? nullptr : &p->neigh;
}

absl::Status DevconfStore::SetProxyDelayJiffies(std::string_view port, int32_t jiffies) {
  Port* p = FindPort(port);
  if (p == nullptr) return absl::NotFoundError(absl::StrCat("no such device '", Av(port), "'"));
  p->neigh.proxy_delay_jiffies = jiffies;
  return absl::OkStatus();
}

absl::Status DevconfStore::SetProxyQlen(std::string_view port, int32_t qlen) {
  Port* p = FindPort(port);
  if (p == nullptr) return absl::NotFoundError(absl::StrCat("no such device '", Av(port), "'"));
  if (qlen < 0) return absl::InvalidArgumentError("proxy_qlen must be >= 0");
  p->neigh.proxy_qlen = qlen;
  return absl::OkStatus();
}

}  // namespace pvland::ipv4
