// fdb add | del | flush | show, and the bridge-wide ageing time.
#include "absl/strings/str_cat.h"
#include "daemon/control/dispatcher.h"
#include "daemon/router/router.h"

namespace pvland {
namespace {

// The port named by PVL_A_PORT, when present.
absl::StatusOr<std::optional<uint16_t>> OptionalPort(ControlContext& ctx, const ctl::AttrView& a) {
  auto name = a.String(PVL_A_PORT);
  if (!name) return std::optional<uint16_t>();
  auto idx = PortByName(ctx.bridge, *name);
  if (!idx.ok()) return idx.status();
  return std::optional<uint16_t>(*idx);
}

absl::StatusOr<std::optional<uint16_t>> OptionalVid(const ctl::AttrView& a) {
  auto v = a.U16(PVL_A_VLAN);
  if (!v) return std::optional<uint16_t>();
  if (!IsVlanId(*v)) return absl::InvalidArgumentError("vlan must be 1-4094");
  return v;
}

absl::Status FdbAdd(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto mac = a.Mac(PVL_A_MAC);
  if (!mac) return absl::InvalidArgumentError("MAC address missing");
  if (IsMulticastMac(mac->data()) || IsZeroMac(mac->data()))
    return absl::InvalidArgumentError(absl::StrCat(FormatMac(*mac), " is not a unicast address"));
  auto port = OptionalPort(ctx, a);
  if (!port.ok()) return port.status();
  if (!*port) return absl::InvalidArgumentError("fdb add needs 'port NAME'");
  auto vid = OptionalVid(a);
  if (!vid.ok()) return vid.status();
  const PortConfig& cfg = ctx.bridge.port(**port)->cfg;
  uint16_t v = vid->value_or(cfg.mode == PortMode::kAccess ? cfg.vlan : cfg.native);
  if (v == 0) return absl::InvalidArgumentError("trunk port without a native VLAN: give 'vlan VID'");
  ctx.bridge.fdb().AddStatic(ctx.bridge.vlans().Domain(v), v, *mac, **port);
  return absl::OkStatus();
}

absl::Status FdbDel(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto mac = a.Mac(PVL_A_MAC);
  if (!mac) return absl::InvalidArgumentError("MAC address missing");
  auto vid = OptionalVid(a);
  if (!vid.ok()) return vid.status();
  const std::optional<uint16_t> domain =
      *vid ? std::optional<uint16_t>(ctx.bridge.vlans().Domain(**vid)) : std::nullopt;
  const MacAddr m = *mac;
  size_t n = ctx.bridge.fdb().RemoveIf(
      [&](const FdbKey& k, const FdbEntry&) { return k.mac == m && (!domain || k.domain == *domain); });
  if (n == 0) return absl::NotFoundError(absl::StrCat("no FDB entry for ", FormatMac(m)));
  return absl::OkStatus();
}

absl::Status FdbFlush(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto port = OptionalPort(ctx, a);
  if (!port.ok()) return port.status();
  auto vid = OptionalVid(a);
  if (!vid.ok()) return vid.status();
  const std::string_view what = a.String(PVL_A_FLUSH_WHAT).value_or("all");
  if (what != "all" && what != "dynamic")
    return absl::InvalidArgumentError(absl::StrCat("flush what must be all or dynamic, not '", std::string(what), "'"));
  const bool dynamic_only = what == "dynamic";
  const std::optional<uint16_t> p = *port;
  const std::optional<uint16_t> v = *vid;
  ctx.bridge.fdb().RemoveIf([&](const FdbKey&, const FdbEntry& e) {
    return (!p || e.port == *p) && (!v || e.vid == *v) && (!dynamic_only || !e.is_static);
  });
  return absl::OkStatus();
}

absl::Status FdbGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  auto port = OptionalPort(ctx, a);
  if (!port.ok()) return port.status();
  auto vid = OptionalVid(a);
  if (!vid.ok()) return vid.status();
  const MonoNs now = ctx.clock.Now();
  ctx.bridge.fdb().ForEach([&](const FdbKey& k, const FdbEntry& e) {
    if ((*port && e.port != **port) || (*vid && e.vid != **vid)) return;
    const SwitchPort* sp = ctx.bridge.port(e.port);
    ctl::MessageBuilder& m = out.Add();
    m.PutMac(PVL_A_MAC, k.mac.data());
    m.PutU16(PVL_A_VLAN, e.vid);
    m.PutString(PVL_A_PORT, sp ? sp->name : "?");
    m.PutString(PVL_A_FDB_KIND, e.is_static ? "static" : "dynamic");
    if (!e.is_static) m.PutU64(PVL_A_AGE_MS, static_cast<uint64_t>((now - e.last_seen) / kNsPerMs));
    // On a tunnel port, the remote endpoint the station is behind (`bridge fdb`'s dst).
    if (const Port* io = ctx.dataplane.io(e.port); io != nullptr && io->tunnel() != nullptr) {
      if (auto remote = io->tunnel()->RemoteOf(k.mac)) m.PutIpv4(PVL_A_REMOTE, *remote);
    }
  });
  return absl::OkStatus();
}

absl::Status BridgeSet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto t = a.U32(PVL_A_AGEING_TIME);
  auto total = a.U32(PVL_A_PSF_MAX_TOTAL);
  if (!t && !total) return absl::InvalidArgumentError("nothing to set: expected ageing_time SECONDS or psf_max_total N");
  if (t && *t > 1000000) return absl::OutOfRangeError("ageing_time must be 0-1000000 seconds");
  if (total && (*total == 0 || *total > Bridge::kMaxPsfBudget))
    return absl::OutOfRangeError(absl::StrCat("psf_max_total must be 1-", Bridge::kMaxPsfBudget));
  if (t) ctx.bridge.set_ageing(static_cast<MonoNs>(*t) * kNsPerSec);
  if (total) ctx.bridge.psf_budget().set_max(*total);
  return absl::OkStatus();
}

absl::Status BridgeGet(ControlContext& ctx, const ctl::AttrView&, ReplyRecords& out) {
  ctl::MessageBuilder& m = out.Add();
  m.PutU32(PVL_A_AGEING_TIME, static_cast<uint32_t>(ctx.bridge.ageing() / kNsPerSec));
  m.PutU32(PVL_A_FDB_ENTRIES, static_cast<uint32_t>(ctx.bridge.fdb().size()));
  m.PutU64(PVL_A_FDB_REFUSED, ctx.bridge.fdb().learn_refused());
  m.PutU32(PVL_A_PSF_MAX_TOTAL, static_cast<uint32_t>(ctx.bridge.psf_budget().max()));
  m.PutU32(PVL_A_PSF_TOTAL, static_cast<uint32_t>(ctx.bridge.psf_budget().used()));
  if (ctx.router != nullptr) {
    // How well the kernel-state mirror keeps up: a resync follows every loss.
    const netlink::RtnlSyncCounters& c = ctx.router->sync_counters();
    m.PutU64(PVL_A_FIB_ROUTES, ctx.router->state().fib().size());
    m.PutU64(PVL_A_NETLINK_EVENTS, c.events);
    m.PutU64(PVL_A_NETLINK_OVERRUNS, c.overruns);
    m.PutU64(PVL_A_NETLINK_RESYNCS, c.resyncs);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterFdbHandlers(Dispatcher& d) {
  d.Register(PVL_CMD_FDB_ADD, FdbAdd);
  d.Register(PVL_CMD_FDB_DEL, FdbDel);
  d.Register(PVL_CMD_FDB_FLUSH, FdbFlush);
  d.Register(PVL_CMD_FDB_GET, FdbGet);
  d.Register(PVL_CMD_BRIDGE_SET, BridgeSet);
  d.Register(PVL_CMD_BRIDGE_GET, BridgeGet);
}

}  // namespace pvland
