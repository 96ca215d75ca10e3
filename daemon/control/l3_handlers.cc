// sysctl -w | sysctl KEY..., route get ADDR, neigh show proxy: the L3 router's knobs,
// FIB and mirrored static proxy entries.
#include <algorithm>
#include <utility>
#include <vector>


#include "absl/strings/str_cat.h"
#include "daemon/control/dispatcher.h"
#include "daemon/ipv4/sysctl.h"
#include "include/pvland/ipv4_addr.h"

namespace pvland {

std::string_view RouteTypeName(ipv4::RouteType t) {
  switch (t) {
    case ipv4::RouteType::kUnicast: return "unicast";
    case ipv4::RouteType::kLocal: return "local";
    case ipv4::RouteType::kBroadcast: return "broadcast";
    case ipv4::RouteType::kAnycast: return "anycast";
    case ipv4::RouteType::kMulticast: return "multicast";
    case ipv4::RouteType::kBlackhole: return "blackhole";
    case ipv4::RouteType::kUnreachable: return "unreachable";
    case ipv4::RouteType::kProhibit: return "prohibit";
    case ipv4::RouteType::kThrow: return "throw";
    case ipv4::RouteType::kNat: return "nat";
    default: return "unspec";
  }
}


namespace {

absl::StatusOr<Router*> RequireRouter(ControlContext& ctx) {
  if (ctx.router == nullptr) return absl::UnimplementedError("this pvland runs without its L3 router");
  return ctx.router;
}

struct Setting {
  std::string key;
  std::string value;
};

absl::StatusOr<std::vector<Setting>> Settings(const ctl::AttrView& a, bool need_value) {
  auto items = a.Items(PVL_A_SETTINGS);
  if (!items.ok()) return items.status();
  if (items->empty()) return absl::InvalidArgumentError("no sysctl key given");
  std::vector<Setting> out;
  for (const ctl::AttrView& item : *items) {
    auto key = item.String(PVL_A_KEY);
    if (!key) return absl::InvalidArgumentError("sysctl setting without a key");
    auto value = item.String(PVL_A_VALUE);
    if (need_value && !value) return absl::InvalidArgumentError(absl::StrCat(std::string(*key), ": no value"));
    out.push_back({std::string(*key), value ? std::string(*value) : std::string()});
  }
  return out;
}

absl::Status SysctlSet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto router = RequireRouter(ctx);
  if (!router.ok()) return router.status();
  auto settings = Settings(a, true);
  if (!settings.ok()) return settings.status();
  // All or nothing: every key and value is checked on a scratch copy first.
  ipv4::DevconfStore scratch = (*router)->store();
  for (const Setting& s : *settings) {
    if (auto st = ipv4::SysctlWrite(scratch, s.key, s.value); !st.ok())
      return absl::Status(st.code(), absl::StrCat(s.key, ": ", std::string(st.message())));
  }
  for (const Setting& s : *settings) {
    if (auto st = (*router)->SysctlWrite(s.key, s.value); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status SysctlGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  auto router = RequireRouter(ctx);
  if (!router.ok()) return router.status();
  auto settings = Settings(a, false);
  if (!settings.ok()) return settings.status();
  std::vector<std::pair<std::string, std::string>> values;
  for (const Setting& s : *settings) {
    auto key = ipv4::ParseSysctlKey(s.key, (*router)->store());
    if (!key.ok()) return absl::Status(key.status().code(), absl::StrCat(s.key, ": ", std::string(key.status().message())));
    // Forwarding is the kernel's as much as pvland's: show what the kernel routes with.
    if (key->kind == ipv4::SysctlKey::Kind::kConf && key->knob == ipv4::Knob::kForwarding &&
        (*router)->store().HasPort(key->device))
      (*router)->RefreshForwarding(key->device);
    auto v = ipv4::SysctlRead((*router)->store(), s.key);
    if (!v.ok()) return v.status();
    values.emplace_back(key->Canonical(), *v);
  }
  for (auto& [k, v] : values) {
    ctl::MessageBuilder& m = out.Add();
    m.PutString(PVL_A_KEY, k);
    m.PutString(PVL_A_VALUE, v);
  }
  return absl::OkStatus();
}

absl::Status RouteGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  auto router = RequireRouter(ctx);
  if (!router.ok()) return router.status();
  auto addr = a.Ipv4(PVL_A_ADDR);
  if (!addr) return absl::InvalidArgumentError("route get needs an IPv4 address");
  const kernel_state::L3State& state = (*router)->state();
  auto r = state.fib().Lookup(*addr);
  if (!r) {
    return absl::Status(absl::StatusCode::kNotFound,
                        absl::StrCat("RTNETLINK answers: Network is unreachable (", FormatIpv4(*addr), ")"));
  }
  ctl::MessageBuilder& m = out.Add();
  m.PutIpv4(PVL_A_ADDR, *addr);
  m.PutString(PVL_A_ROUTE_TYPE, RouteTypeName(r->type));
  if (r->oif) {
    const ipv4::Link* link = state.LinkByIndex(r->oif);
    m.PutString(PVL_A_DEV, link ? link->name : absl::StrCat("if", r->oif));
  }
  if (r->gateway) m.PutIpv4(PVL_A_GATEWAY, r->gateway);
  if (r->route) {
    if (r->route->prefsrc) m.PutIpv4(PVL_A_PREFSRC, r->route->prefsrc);
    m.PutString(PVL_A_PREFIX, absl::StrCat(FormatIpv4(r->route->dst), "/", r->route->dst_len));
    m.PutU32(PVL_A_METRIC, r->route->priority);
  }
  m.PutU32(PVL_A_TABLE, r->table);
  return absl::OkStatus();
}

// The static proxy entries pvland answers for, as its mirror has them now (re-dumped
// from the kernel every 0.5 s), in address order.
absl::Status NeighProxyGet(ControlContext& ctx, const ctl::AttrView&, ReplyRecords& out) {
  auto router = RequireRouter(ctx);
  if (!router.ok()) return router.status();
  const kernel_state::L3State& state = (*router)->state();
  std::vector<std::pair<ipv4::Ipv4, int>> entries;
  state.ForEachProxyEntry([&](const ipv4::ProxyEntry& e) { entries.emplace_back(e.address, e.ifindex); });
  std::sort(entries.begin(), entries.end());
  for (const auto& [addr, ifindex] : entries) {
    ctl::MessageBuilder& m = out.Add();
    m.PutIpv4(PVL_A_ADDR, addr);
    if (ifindex != 0) {
      const ipv4::Link* link = state.LinkByIndex(ifindex);
      m.PutString(PVL_A_DEV, link ? link->name : absl::StrCat("if", ifindex));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterL3Handlers(Dispatcher& d) {
  d.Register(PVL_CMD_SYSCTL_SET, SysctlSet);
  d.Register(PVL_CMD_SYSCTL_GET, SysctlGet);
  d.Register(PVL_CMD_ROUTE_GET, RouteGet);
  d.Register(PVL_CMD_NEIGH_PROXY_GET, NeighProxyGet);
}

}  // namespace pvland
