// port add | del | set | show
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/control/dispatcher.h"
#include "include/pvland/ipv4_addr.h"

namespace pvland {
namespace {

// Port security's keys (docs/port-security.md).
absl::StatusOr<PortConfig> ApplySecuritySettings(const ctl::AttrView& a, PortConfig cfg) {
  PortSecurityConfig& sec = cfg.security;
  struct Policy {
    uint16_t attr;
    SecurityPolicy PortSecurityConfig::*field;
  };
  static constexpr Policy kPolicies[] = {
      {PVL_A_MAC_CHANGES, &PortSecurityConfig::mac_changes},
      {PVL_A_FORGED_TRANSMITS, &PortSecurityConfig::forged_transmits},
      {PVL_A_PROMISCUOUS, &PortSecurityConfig::promiscuous},
  };
  for (const Policy& p : kPolicies) {
    if (auto v = a.String(p.attr)) {
      auto policy = ParseSecurityPolicy(*v);
      if (!policy)
        return absl::InvalidArgumentError(
            absl::StrCat(ctl::Attr(p.attr).key, " must be accept or reject, not '", std::string(*v), "'"));
      sec.*p.field = *policy;
    }
  }
  if (auto b = a.Bool(PVL_A_MAC_LEARNING)) sec.mac_learning = *b;
  if (auto n = a.U32(PVL_A_MAC_LIMIT)) {
    if (*n > PortSecurityConfig::kMaxMacLimit)
      return absl::InvalidArgumentError(absl::StrCat("mac_limit must be 0-", PortSecurityConfig::kMaxMacLimit));
    sec.mac_limit = static_cast<uint16_t>(*n);
  }
  if (auto v = a.String(PVL_A_MAC_LIMIT_POLICY)) {
    auto policy = ParseMacLimitPolicy(*v);
    if (!policy)
      return absl::InvalidArgumentError(absl::StrCat("mac_limit_policy must be allow or drop, not '", std::string(*v), "'"));
    sec.mac_limit_policy = *policy;
  }
  if (auto n = a.U32(PVL_A_MAC_AGING)) {
    if (*n == 0) return absl::InvalidArgumentError("mac_aging must be at least 1 second");
    sec.mac_aging_s = *n;
  }
  if (auto v = a.String(PVL_A_INITIAL_MAC)) {
    if (*v == "auto") {
      sec.initial_mac.reset();
    } else {
      auto mac = ParseMac(*v);
      if (!mac.ok() || IsMulticastMac(mac->data()) || *mac == MacAddr{})
        return absl::InvalidArgumentError(
            absl::StrCat("initial_mac must be a unicast MAC or auto, not '", std::string(*v), "'"));
      sec.initial_mac = *mac;
    }
  }
  return cfg;
}

// Protocol state filtering's keys (docs/psf.md).
absl::StatusOr<PortConfig> ApplyPsfSettings(const ctl::AttrView& a, absl::StatusOr<PortConfig> in) {
  if (!in.ok()) return in;
  PortConfig cfg = *std::move(in);
  if (auto v = a.String(PVL_A_PSF)) {
    auto mode = ParsePsfMode(*v);
    if (!mode) return absl::InvalidArgumentError(absl::StrCat("psf must be auto, enabled or disabled, not '", std::string(*v), "'"));
    cfg.psf.mode = *mode;
  }
  if (auto v = a.String(PVL_A_ROLE)) {
    auto role = ParsePortRole(*v);
    if (!role)
      return absl::InvalidArgumentError(absl::StrCat("role must be bare-metal, instance or gateway, not '", std::string(*v), "'"));
    cfg.psf.role = *role;
  }
  if (auto b = a.Bool(PVL_A_PSF_LIBERAL)) cfg.psf.liberal = *b;
  if (auto n = a.U32(PVL_A_PSF_MAX_ENTRIES)) {
    if (*n == 0 || *n > Bridge::kDefaultPsfBudget)
      return absl::InvalidArgumentError(absl::StrCat("psf_max_entries must be 1-", Bridge::kDefaultPsfBudget));
    cfg.psf.max_entries = *n;
  }
  return cfg;
}

// Applies the settable keys present in `a` to a copy of `cfg`; the caller commits the copy
// only if every key was valid, so a bad request changes nothing.
absl::StatusOr<PortConfig> ApplySettings(const ctl::AttrView& a, PortConfig cfg) {
  if (auto mode = a.String(PVL_A_MODE)) {
    if (*mode == "access") cfg.mode = PortMode::kAccess;
    else if (*mode == "trunk") cfg.mode = PortMode::kTrunk;
    else return absl::InvalidArgumentError(absl::StrCat("mode must be access or trunk, not '", std::string(*mode), "'"));
  }
  if (auto v = a.U16(PVL_A_VLAN)) {
    if (!IsVlanId(*v)) return absl::InvalidArgumentError("vlan must be 1-4094");
    cfg.vlan = *v;
  }
  if (auto allowed = a.String(PVL_A_ALLOWED)) {
    auto set = ParseVlanSet(*allowed);
    if (!set.ok()) return set.status();
    cfg.allowed = *set;
  }
  if (auto v = a.U16(PVL_A_NATIVE)) {
    if (*v > kVlanMax) return absl::InvalidArgumentError("native must be 1-4094 or none");
    cfg.native = *v;
  }
  struct Flag {
    uint16_t attr;
    bool PortConfig::*field;
  };
  static constexpr Flag kFlags[] = {
      {PVL_A_ISOLATED, &PortConfig::isolated},   {PVL_A_LEARNING, &PortConfig::learning},
      {PVL_A_FLOOD, &PortConfig::flood},         {PVL_A_MCAST_FLOOD, &PortConfig::mcast_flood},
      {PVL_A_BCAST_FLOOD, &PortConfig::bcast_flood}, {PVL_A_HAIRPIN, &PortConfig::hairpin},
  };
  for (const Flag& f : kFlags)
    if (auto b = a.Bool(f.attr)) cfg.*f.field = *b;
  if (auto sg = a.String(PVL_A_SOURCE_GUARD)) {
    auto mode = ParseSourceGuardMode(*sg);
    if (!mode)
      return absl::InvalidArgumentError(absl::StrCat("source_guard must be off, strict or loose, not '", std::string(*sg), "'"));
    cfg.source_guard = *mode;
  }
  return ApplyPsfSettings(a, ApplySecuritySettings(a, std::move(cfg)));
}

absl::StatusOr<uint16_t> RequirePort(ControlContext& ctx, const ctl::AttrView& a) {
  auto name = a.String(PVL_A_NAME);
  if (!name) return absl::InvalidArgumentError("port name missing");
  return PortByName(ctx.bridge, *name);
}

void PutPortSecurity(ControlContext& ctx, const SwitchPort& p, ctl::MessageBuilder& m) {
  const PortSecurityConfig& sec = p.cfg.security;
  const PortSecurityState& st = p.security;
  m.PutString(PVL_A_MAC_CHANGES, SecurityPolicyName(sec.mac_changes));
  m.PutString(PVL_A_FORGED_TRANSMITS, SecurityPolicyName(sec.forged_transmits));
  m.PutString(PVL_A_PROMISCUOUS, SecurityPolicyName(sec.promiscuous));
  m.PutBool(PVL_A_MAC_LEARNING, sec.mac_learning);
  if (sec.mac_learning) {
    m.PutU32(PVL_A_MAC_LIMIT, sec.mac_limit);
    m.PutString(PVL_A_MAC_LIMIT_POLICY, MacLimitPolicyName(sec.mac_limit_policy));
    m.PutU32(PVL_A_MAC_AGING, sec.mac_aging_s);
    m.PutU32(PVL_A_MACS_LEARNED, ctx.bridge.fdb().CountOf(*ctx.bridge.FindPort(p.name)));
    m.PutU64(PVL_A_MAC_NOT_LEARNED, st.mac_not_learned_allowed);
  }
  if (!st.known) return;
  m.PutString(PVL_A_INITIAL_MAC, FormatMac(st.initial));
  m.PutString(PVL_A_EFFECTIVE_MAC, FormatMac(st.effective));
  if (!st.endpoint.empty()) {
    m.PutString(PVL_A_GUEST_MAC, FormatMac(st.requested));
    m.PutString(PVL_A_ENDPOINT, st.endpoint);
    m.PutBool(PVL_A_GUEST_PROMISC, st.guest_promisc);
  }
  m.PutBool(PVL_A_RX_BLOCKED, st.rx_blocked);
  m.PutBool(PVL_A_PROMISC_COPIES, st.promisc_copies);
}

// A tunnel port's far side: VNI, binding, remotes with their counters, learned stations.
void PutTunnel(const Tunnel& t, ctl::MessageBuilder& m) {
  const TunnelInfo info = t.Info();
  m.PutU32(PVL_A_VNI, info.vni);
  m.PutIpv4(PVL_A_LOCAL, info.local);
  m.PutU16(PVL_A_DSTPORT, info.dstport);
  nlattr* list = m.NestStart(PVL_A_REMOTES);
  for (const TunnelRemote& r : info.remotes) {
    nlattr* item = m.NestStart(PVL_A_ITEM);
    m.PutIpv4(PVL_A_ADDR, r.addr);
    m.PutU64(PVL_A_RX_PACKETS, r.rx_packets);
    m.PutU64(PVL_A_RX_BYTES, r.rx_bytes);
    m.PutU64(PVL_A_TX_PACKETS, r.tx_packets);
    m.PutU64(PVL_A_TX_BYTES, r.tx_bytes);
    m.PutU64(PVL_A_TX_ERRORS, r.tx_errors);
    m.NestEnd(item);
  }
  m.NestEnd(list);
  m.PutU32(PVL_A_REMOTES_LEARNED, info.learned);
  m.PutU64(PVL_A_REMOTE_LEARN_REFUSED, info.learn_refused);
}

void PutPort(ControlContext& ctx, uint16_t idx, const SwitchPort& p, ctl::MessageBuilder& m) {
  m.PutString(PVL_A_NAME, p.name);
  m.PutString(PVL_A_PORT_TYPE, p.type);
  m.PutU32(PVL_A_IFINDEX, static_cast<uint32_t>(p.ifindex));
  m.PutString(PVL_A_STATE, PortStateName(p.state));
  m.PutMac(PVL_A_MAC, p.mac.data());
  m.PutString(PVL_A_MODE, PortModeName(p.cfg.mode));
  if (p.cfg.mode == PortMode::kAccess) {
    m.PutU16(PVL_A_VLAN, p.cfg.vlan);
    m.PutString(PVL_A_PVLAN_ROLE, PvlanRoleName(ctx.bridge.vlans().Role(p.cfg.vlan)));
  } else {
    m.PutString(PVL_A_ALLOWED, FormatVlanSet(p.cfg.allowed));
    m.PutU16(PVL_A_NATIVE, p.cfg.native);
  }
  m.PutBool(PVL_A_ISOLATED, p.cfg.isolated);
  m.PutBool(PVL_A_LEARNING, p.cfg.learning);
  m.PutBool(PVL_A_FLOOD, p.cfg.flood);
  m.PutBool(PVL_A_MCAST_FLOOD, p.cfg.mcast_flood);
  m.PutBool(PVL_A_BCAST_FLOOD, p.cfg.bcast_flood);
  m.PutBool(PVL_A_HAIRPIN, p.cfg.hairpin);
  m.PutString(PVL_A_SOURCE_GUARD, SourceGuardModeName(p.cfg.source_guard));
  PutPortSecurity(ctx, p, m);
  m.PutString(PVL_A_PSF, PsfModeName(p.cfg.psf.mode));
  m.PutString(PVL_A_ROLE, PortRoleName(p.cfg.psf.role));
  m.PutBool(PVL_A_PSF_ACTIVE, p.psf != nullptr);
  if (p.psf) {
    m.PutBool(PVL_A_PSF_LIBERAL, p.cfg.psf.liberal);
    m.PutU32(PVL_A_PSF_MAX_ENTRIES, p.cfg.psf.max_entries);
    m.PutU32(PVL_A_PSF_ENTRIES, static_cast<uint32_t>(p.psf->size()));
    m.PutU64(PVL_A_PSF_INSERTED, p.psf->counters().inserted);
    m.PutU64(PVL_A_PSF_EVICTED, p.psf->counters().evicted);
    m.PutU64(PVL_A_PSF_REFUSED, p.psf->counters().refused);
  }
  if (const Port* io = ctx.dataplane.io(idx); io != nullptr && io->tunnel() != nullptr) PutTunnel(*io->tunnel(), m);
}

// The VXLAN settings of `port add ... type vxlan`, when any is present; MakePort checks
// them (port_factory.h).
absl::StatusOr<std::optional<VxlanConfig>> VxlanSettings(const ctl::AttrView& a) {
  if (!a.Has(PVL_A_VNI) && !a.Has(PVL_A_REMOTES) && !a.Has(PVL_A_LOCAL) && !a.Has(PVL_A_DSTPORT))
    return std::optional<VxlanConfig>();
  VxlanConfig c;
  auto vni = a.U32(PVL_A_VNI);
  if (!vni) return absl::InvalidArgumentError("type vxlan needs vni N");
  c.vni = *vni;
  if (a.Has(PVL_A_REMOTES)) {
    auto items = a.Items(PVL_A_REMOTES);
    if (!items.ok()) return items.status();
    for (const ctl::AttrView& item : *items) {
      auto addr = item.Ipv4(PVL_A_ADDR);
      if (!addr) return absl::InvalidArgumentError("a remote without an address");
      c.remotes.push_back(*addr);
    }
  }
  c.local = a.Ipv4(PVL_A_LOCAL).value_or(0);
  c.dstport = a.U16(PVL_A_DSTPORT).value_or(kVxlanPort);
  return std::optional<VxlanConfig>(std::move(c));
}

// One socket per local address and UDP port: the port that already has this binding, if any.
absl::Status CheckTunnelBinding(ControlContext& ctx, const VxlanConfig& want) {
  for (size_t i = 0; i < ctx.bridge.port_slots(); ++i) {
    const uint16_t idx = static_cast<uint16_t>(i);
    const Port* io = ctx.dataplane.io(idx);
    const SwitchPort* sp = ctx.bridge.port(idx);
    if (io == nullptr || sp == nullptr || io->tunnel() == nullptr) continue;
    const TunnelInfo info = io->tunnel()->Info();
    VxlanConfig have;
    have.local = info.local;
    have.dstport = info.dstport;
    if (!VxlanBindingsOverlap(want, have)) continue;
    return absl::AlreadyExistsError(absl::StrCat(
        "port ", sp->name, " already receives on local ", FormatIpv4(info.local), " dstport ", info.dstport,
        ": one VXLAN port per local address and UDP port (give another local or dstport)"));
  }
  return absl::OkStatus();
}

absl::Status PortAdd(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto name = a.String(PVL_A_NAME);
  if (!name || name->empty()) return absl::InvalidArgumentError("port name missing");
  const std::string_view type = a.String(PVL_A_PORT_TYPE).value_or("netdev");
  auto cfg = ApplySettings(a, PortConfig{});
  if (!cfg.ok()) return cfg.status();
  PortParams params;
  auto vxlan = VxlanSettings(a);
  if (!vxlan.ok()) return vxlan.status();
  params.vxlan = *std::move(vxlan);
  if (params.vxlan && type == "vxlan") {
    if (absl::Status s = CheckTunnelBinding(ctx, *params.vxlan); !s.ok()) return s;
  }
  return ctx.dataplane.AddPort(std::string(*name), type, *cfg, params).status();
}

absl::Status PortDel(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto idx = RequirePort(ctx, a);
  if (!idx.ok()) return idx.status();
  // A session's source stays until the session goes: deleting it would silently end a
  // mirror someone relies on (docs/mirroring.md).
  if (std::vector<std::string> sessions = ctx.bridge.mirror().NamesOn(*idx); !sessions.empty())
    return absl::FailedPreconditionError(absl::StrCat(
        "port ", ctx.bridge.port(*idx)->name, " is the source of mirror session", sessions.size() > 1 ? "s " : " ",
        absl::StrJoin(sessions, ", "), "; delete ", sessions.size() > 1 ? "them" : "it", " first (mirror del NAME)"));
  ctx.dataplane.DeletePort(*idx);
  return absl::OkStatus();
}

// A reject policy compares the guest's MACs with the port's initial MAC: without one
// (no endpoint pvland can read, no initial_mac) it would judge against nothing.
absl::Status CheckSecurityReference(const SwitchPort& port, const PortConfig& cfg) {
  const PortSecurityConfig& sec = cfg.security;
  const bool rejects = sec.mac_changes == SecurityPolicy::kReject || sec.forged_transmits == SecurityPolicy::kReject;
  if (!rejects || port.security.known || sec.initial_mac) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      port.name, " has no initial MAC to compare with: its interface has no peer pvland can read "
                 "(a TAP, or a veth whose peer is in another namespace); give one with initial_mac MAC"));
}

absl::Status PortSet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto idx = RequirePort(ctx, a);
  if (!idx.ok()) return idx.status();
  SwitchPort& port = *ctx.bridge.port(*idx);
  auto cfg = ApplySettings(a, port.cfg);
  if (!cfg.ok()) return cfg.status();
  if (auto s = CheckConfigForKind(*cfg, port.kind, port.name); !s.ok()) return s;
  const bool vlans_changed = cfg->mode != port.cfg.mode || cfg->vlan != port.cfg.vlan ||
                             cfg->allowed != port.cfg.allowed || cfg->native != port.cfg.native;
  const bool learning_off = port.cfg.learning && !cfg->learning;
  if (auto s = CheckSecurityReference(port, *cfg); !s.ok()) return s;
  const bool limit_changed = cfg->security.mac_learning != port.cfg.security.mac_learning ||
                             cfg->security.mac_limit < port.cfg.security.mac_limit;
  port.cfg = *cfg;
  ctx.dataplane.RefreshEndpoint(*idx);
  ctx.bridge.ApplyPsf(*idx);
  // Addresses learned under the old VLANs (or while learning was on) would steer frames
  // the new configuration would not have learned.
  // The same for addresses learned beyond a MAC learning limit that no longer holds.
  if (vlans_changed || learning_off || limit_changed) {
    const uint16_t i = *idx;
    ctx.bridge.fdb().RemoveIf([i](const FdbKey&, const FdbEntry& e) { return e.port == i && !e.is_static; });
  }
  return absl::OkStatus();
}

absl::Status PortGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  if (a.Has(PVL_A_NAME)) {
    auto idx = RequirePort(ctx, a);
    if (!idx.ok()) return idx.status();
    PutPort(ctx, *idx, *ctx.bridge.port(*idx), out.Add());
    return absl::OkStatus();
  }
  for (size_t i = 0; i < ctx.bridge.port_slots(); ++i)
    if (const SwitchPort* p = ctx.bridge.port(static_cast<uint16_t>(i))) PutPort(ctx, static_cast<uint16_t>(i), *p, out.Add());
  return absl::OkStatus();
}

}  // namespace

void RegisterPortHandlers(Dispatcher& d) {
  d.Register(PVL_CMD_PORT_ADD, PortAdd);
  d.Register(PVL_CMD_PORT_DEL, PortDel);
  d.Register(PVL_CMD_PORT_SET, PortSet);
  d.Register(PVL_CMD_PORT_GET, PortGet);
}

}  // namespace pvland
