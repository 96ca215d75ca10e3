#include "daemon/ipv4/sysctl.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "daemon/ipv4/neigh_parms.h"
#include "daemon/core/proc_int.h"
#include "include/pvland/strings.h"

namespace pvland::ipv4 {
namespace {

constexpr std::string_view kProxyDelay = "proxy_delay";
constexpr std::string_view kProxyQlen = "proxy_qlen";
constexpr std::string_view kMessageCost = "message_cost";
constexpr std::string_view kMessageBurst = "message_burst";

absl::Status UnknownKey(std::string_view key, std::string_view why) {
  return absl::NotFoundError(absl::StrCat("unknown key '", Av(key), "': ", Av(why)));
}

std::string DeviceComponent(std::string_view dev) {
  std::string s(dev);
  std::replace(s.begin(), s.end(), '.', '/');
  return s;
}

}  // namespace

std::string SysctlKey::Canonical() const {
  switch (kind) {
    case Kind::kConf:
      return absl::StrCat("net.ipv4.conf.", DeviceComponent(device), ".", Av(InfoOf(knob).name));
    case Kind::kNeighProxyDelay:
      return absl::StrCat("net.ipv4.neigh.", DeviceComponent(device), ".", Av(kProxyDelay));
    case Kind::kNeighProxyQlen:
      return absl::StrCat("net.ipv4.neigh.", DeviceComponent(device), ".", Av(kProxyQlen));
    case Kind::kCoreMessageCost:
      return absl::StrCat("net.core.", Av(kMessageCost));
    case Kind::kCoreMessageBurst:
      return absl::StrCat("net.core.", Av(kMessageBurst));
  }
  return "";
}

absl::StatusOr<SysctlKey> ParseSysctlKey(std::string_view raw, const DevconfStore& store) {
  const std::string_view key = Sv(absl::StripAsciiWhitespace(Av(raw)));
  if (key.empty()) return absl::InvalidArgumentError("empty sysctl key");
  // sysctl(8): the first separator decides the spelling.
  const size_t first_sep = key.find_first_of("./");
  const char sep = first_sep != std::string_view::npos ? key[first_sep] : '.';
  std::vector<std::string> parts = absl::StrSplit(Av(key), sep);
  if (sep == '.') {
    for (std::string& p : parts) std::replace(p.begin(), p.end(), '/', '.');
  }
  if (parts.size() == 3 && parts[0] == "net" && parts[1] == "core") {
    SysctlKey k;
    if (parts[2] == kMessageCost) {
      k.kind = SysctlKey::Kind::kCoreMessageCost;
    } else if (parts[2] == kMessageBurst) {
      k.kind = SysctlKey::Kind::kCoreMessageBurst;
    } else {
      return UnknownKey(key, "pvland serves only net.core.message_cost and net.core.message_burst");
    }
    return k;
  }
  if (parts.size() != 5 || parts[0] != "net" || parts[1] != "ipv4" ||
      (parts[2] != "conf" && parts[2] != "neigh")) {
    return UnknownKey(key,
                      "expected net.ipv4.conf.DEV.KNOB or net.ipv4.neigh.DEV.{proxy_delay,"
                      "proxy_qlen}");
  }
  SysctlKey k;
  k.device = parts[3];
  const std::string& leaf = parts[4];
  if (k.device.empty() || leaf.empty()) return UnknownKey(key, "empty component");
  if (parts[2] == "conf") {
    if (store.Find(k.device) == nullptr) {
      return UnknownKey(key, absl::StrCat("no device '", k.device,
                                          "' (only all, default and internal ports)"));
    }
    auto knob = KnobByName(leaf);
    if (!knob) return UnknownKey(key, absl::StrCat("no conf key '", Av(leaf), "'"));
    k.kind = SysctlKey::Kind::kConf;
    k.knob = *knob;
    return k;
  }
  if (store.Neigh(k.device) == nullptr) {
    return UnknownKey(key, absl::StrCat("no device '", k.device,
                                        "' (neighbour parms exist per internal port only)"));
  }
  if (leaf == kProxyDelay) {
    k.kind = SysctlKey::Kind::kNeighProxyDelay;
  } else if (leaf == kProxyQlen) {
    k.kind = SysctlKey::Kind::kNeighProxyQlen;
  } else {
    return UnknownKey(key, absl::StrCat("pvland serves only proxy_delay and proxy_qlen, not '",
                                        Av(leaf), "'"));
  }
  return k;
}

absl::StatusOr<std::string> SysctlRead(const DevconfStore& store, std::string_view key) {
  auto k = ParseSysctlKey(key, store);
  if (!k.ok()) return k.status();
  switch (k->kind) {
    case SysctlKey::Kind::kConf:
      return absl::StrCat(store.Find(k->device)->Get(k->knob));
    case SysctlKey::Kind::kNeighProxyDelay:
      return FormatProxyDelay(store.Neigh(k->device)->proxy_delay_jiffies);
    case SysctlKey::Kind::kNeighProxyQlen:
      return absl::StrCat(store.Neigh(k->device)->proxy_qlen);
    case SysctlKey::Kind::kCoreMessageCost:
      return absl::StrCat(store.log_budget().message_cost_s);
    case SysctlKey::Kind::kCoreMessageBurst:
      return absl::StrCat(store.log_budget().message_burst);
  }
  return absl::InternalError("unreachable");
}

absl::Status SysctlWrite(DevconfStore& store, std::string_view key, std::string_view value) {
  auto k = ParseSysctlKey(key, store);
  if (!k.ok()) return k.status();
  auto annotate = [&](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat(k->Canonical(), ": ", s.message()));
  };
  switch (k->kind) {
    case SysctlKey::Kind::kConf: {
      if (!InfoOf(k->knob).writable) {
        return absl::PermissionDeniedError(absl::StrCat(k->Canonical(), " is read-only"));
      }
      auto v = ParseProcDointvec(value);
      if (!v.ok()) return annotate(v.status());
      if (!v->has_value()) return absl::OkStatus();
      return store.Write(k->device, k->knob, **v);
    }
    case SysctlKey::Kind::kNeighProxyDelay: {
      auto v = ParseProxyDelayToJiffies(value);
      if (!v.ok()) return annotate(v.status());
      if (!v->has_value()) return absl::OkStatus();
      return store.SetProxyDelayJiffies(k->device, **v);
    }
    case SysctlKey::Kind::kNeighProxyQlen: {
      auto v = ParseProxyQlen(value);
      if (!v.ok()) return annotate(v.status());
      if (!v->has_value()) return absl::OkStatus();
      return store.SetProxyQlen(k->device, **v);
    }
    case SysctlKey::Kind::kCoreMessageCost: {
      // proc_dointvec_jiffies: seconds, stored as jiffies, so |value| <= INT_MAX / HZ.
      auto v = ParseProcDointvecMinmax(value, -(std::numeric_limits<int32_t>::max() / kKernelHz),
                                       std::numeric_limits<int32_t>::max() / kKernelHz);
      if (!v.ok()) return annotate(v.status());
      if (!v->has_value()) return absl::OkStatus();
      DevconfStore::LogBudget b = store.log_budget();
      b.message_cost_s = **v;
      store.set_log_budget(b);
      return absl::OkStatus();
    }
    case SysctlKey::Kind::kCoreMessageBurst: {
      auto v = ParseProcDointvec(value);
      if (!v.ok()) return annotate(v.status());
      if (!v->has_value()) return absl::OkStatus();
      DevconfStore::LogBudget b = store.log_budget();
      b.message_burst = **v;
      store.set_log_budget(b);
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unreachable");
}

absl::Status SysctlWriteAssignment(DevconfStore& store, std::string_view assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", Av(assignment), "' must have the form KEY=VALUE"));
  }
  // sysctl(8) trims blanks around the key and the value.
  return SysctlWrite(store, Sv(absl::StripAsciiWhitespace(Av(assignment.substr(0, eq)))),
                     Sv(absl::StripLeadingAsciiWhitespace(Av(assignment.substr(eq + 1)))));
}

std::vector<std::string> SysctlListKeys(const DevconfStore& store) {
  std::vector<std::string> keys;
  std::vector<std::string> devs = store.PortNames();
  devs.push_back(std::string(DevconfStore::kAll));
  devs.push_back(std::string(DevconfStore::kDefault));
  for (const std::string& dev : devs) {
    for (const KnobInfo& info : AllKnobs()) {
      keys.push_back(SysctlKey{SysctlKey::Kind::kConf, dev, info.knob}.Canonical());
    }
  }
  for (const std::string& port : store.PortNames()) {
    keys.push_back(SysctlKey{SysctlKey::Kind::kNeighProxyDelay, port}.Canonical());
    keys.push_back(SysctlKey{SysctlKey::Kind::kNeighProxyQlen, port}.Canonical());
  }
  keys.push_back(SysctlKey{SysctlKey::Kind::kCoreMessageCost}.Canonical());
  keys.push_back(SysctlKey{SysctlKey::Kind::kCoreMessageBurst}.Canonical());
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace pvland::ipv4
