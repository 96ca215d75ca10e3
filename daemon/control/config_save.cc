// save: SaveConfig and its handler.
#include "daemon/control/config_save.h"

#include <algorithm>
#include <tuple>

#include "include/pvland/strings.h"
#include "daemon/control/dispatcher.h"
#include "daemon/control/mirror_handlers.h"
#include "daemon/ipv4/neigh_parms.h"
#include "daemon/ipv4/sysctl.h"

namespace pvland {
namespace {

using ipv4::DevConf;
using ipv4::DevconfStore;
using ipv4::Knob;
using ipv4::SysctlKey;

// The keyword of attribute `attr` in pvlanctl's grammar: the same word `port show` prints.
std::string_view Key(uint16_t attr) { return ctl::Attr(attr).key; }

std::string_view OnOff(bool b) { return b ? "on" : "off"; }

struct SaveContext {
  const Bridge& bridge;
  const DevconfStore* sysctls;
  // The store a restore builds, line by line; compared with `sysctls` before each line.
  DevconfStore replay;
};

// ---- sysctl ---------------------------------------------------------------------

// Writes KEY=VALUE to the replayed store and emits the line.
void EmitSysctl(SaveContext& ctx, std::vector<std::string>& out, const SysctlKey& key, const std::string& value) {
  const std::string k = key.Canonical();
  (void)ipv4::SysctlWrite(ctx.replay, k, value);
  out.push_back(text::Cat("sysctl -w ", k, "=", value));
}

// Does device `dev`'s `knob` need a write: its value differs from the replay's, or a
// write pinned it (the bit) where the replay has not. Forwarding's writes set no bit.
bool ConfDiffers(const DevConf& want, const DevConf& have, Knob knob, bool compare_bits) {
  if (want.Get(knob) != have.Get(knob)) return true;
  return compare_bits && knob != Knob::kForwarding && want.IsWritten(knob) && !have.IsSet(knob);
}

// Every writable knob of `dev` (all/forwarding first: writing it changes others).
void SaveConf(SaveContext& ctx, std::vector<std::string>& out, const std::string& dev, bool compare_bits) {
  std::vector<Knob> order = {Knob::kForwarding};
  for (const ipv4::KnobInfo& info : ipv4::AllKnobs())
    if (info.writable && info.knob != Knob::kForwarding) order.push_back(info.knob);
  for (Knob knob : order) {
    const DevConf* want = ctx.sysctls->Find(dev);
    const DevConf* have = ctx.replay.Find(dev);
    if (want == nullptr || have == nullptr || !ConfDiffers(*want, *have, knob, compare_bits)) continue;
    const SysctlKey key{SysctlKey::Kind::kConf, dev, knob};
    auto value = ipv4::SysctlRead(*ctx.sysctls, key.Canonical());
    if (value.ok()) EmitSysctl(ctx, out, key, *value);
  }
}

void SaveNeigh(SaveContext& ctx, std::vector<std::string>& out, const std::string& port) {
  const ipv4::NeighParms* want = ctx.sysctls->Neigh(port);
  const ipv4::NeighParms* have = ctx.replay.Neigh(port);
  if (want == nullptr || have == nullptr) return;
  if (want->proxy_delay_jiffies != have->proxy_delay_jiffies)
    EmitSysctl(ctx, out, SysctlKey{SysctlKey::Kind::kNeighProxyDelay, port},
               ProxyDelayWriteText(want->proxy_delay_jiffies));
  if (want->proxy_qlen != have->proxy_qlen)
    EmitSysctl(ctx, out, SysctlKey{SysctlKey::Kind::kNeighProxyQlen, port}, text::Cat(want->proxy_qlen));
}

// After the ports: each internal port's conf is then a copy of a fresh default, as when
// it was added before any write, and takes the writes to all and default as the kernel
// gives them (copied where the port has not set a key). What the port set itself, or
// copied from a default written before it came, is then written on the port itself.
void SaveSysctls(SaveContext& ctx, std::vector<std::string>& out) {
  if (ctx.sysctls == nullptr) return;
  std::vector<std::string> ports;
  for (size_t i = 0; i < ctx.bridge.port_slots(); ++i) {
    const SwitchPort* p = ctx.bridge.port(static_cast<uint16_t>(i));
    if (p != nullptr && p->kind == PortKind::kInternal && ctx.sysctls->HasPort(p->name) &&
        ctx.replay.AddPort(p->name).ok())
      ports.push_back(p->name);
  }
  const DevconfStore::LogBudget& want = ctx.sysctls->log_budget();
  const DevconfStore::LogBudget& have = ctx.replay.log_budget();
  if (want.message_cost_s != have.message_cost_s)
    EmitSysctl(ctx, out, SysctlKey{SysctlKey::Kind::kCoreMessageCost}, text::Cat(want.message_cost_s));
  if (want.message_burst != have.message_burst)
    EmitSysctl(ctx, out, SysctlKey{SysctlKey::Kind::kCoreMessageBurst}, text::Cat(want.message_burst));
  // `all` is only combined with, never copied: its value is all that counts.
  SaveConf(ctx, out, std::string(DevconfStore::kAll), /*compare_bits=*/false);
  // default's bits are copied into every port added later.
  SaveConf(ctx, out, std::string(DevconfStore::kDefault), /*compare_bits=*/true);
  for (const std::string& port : ports) {
    SaveConf(ctx, out, port, /*compare_bits=*/true);
    SaveNeigh(ctx, out, port);
  }
}

// ---- bridge, VLANs, ports, FDB ----------------------------------------------------

void SaveBridge(SaveContext& ctx, std::vector<std::string>& out) {
  std::string line;
  const MonoNs ageing = ctx.bridge.ageing();
  if (ageing != Bridge::kDefaultAgeing) text::Append(&line, " ", Key(PVL_A_AGEING_TIME), " ", ageing / kNsPerSec);
  const size_t total = ctx.bridge.psf_budget().max();
  if (total != Bridge::kDefaultPsfBudget) text::Append(&line, " ", Key(PVL_A_PSF_MAX_TOTAL), " ", total);
  if (!line.empty()) out.push_back(text::Cat("bridge set", line));
}

// Primaries and ordinary VLANs first: a secondary names its primary.
void SaveVlans(SaveContext& ctx, std::vector<std::string>& out) {
  const VlanTable& vlans = ctx.bridge.vlans();
  for (bool secondaries : {false, true}) {
    for (uint16_t v = kVlanMin; v <= kVlanMax; ++v) {
      const VlanInfo& info = vlans.Get(v);
      if (!info.declared) continue;
      const bool secondary = info.type == PvlanType::kIsolated || info.type == PvlanType::kCommunity;
      if (secondary != secondaries) continue;
      std::string line = text::Cat("vlan add ", v);
      if (info.type != PvlanType::kNone) text::Append(&line, " pvlan ", PvlanTypeName(info.type));
      if (secondary) text::Append(&line, " primary ", info.primary);
      out.push_back(std::move(line));
    }
  }
}

// " KEY VALUE" for every setting of `cfg` that differs from a new port's, in the order
// of `pvlanctl port help`.
std::string PortSettings(const PortConfig& cfg) {
  const PortConfig d;
  std::string s;
  const auto put = [&s](uint16_t attr, auto value) { text::Append(&s, " ", Key(attr), " ", value); };
  if (cfg.vlan != d.vlan) put(PVL_A_VLAN, cfg.vlan);
  if (cfg.mode != d.mode) put(PVL_A_MODE, PortModeName(cfg.mode));
  if (cfg.allowed != d.allowed) put(PVL_A_ALLOWED, FormatVlanSet(cfg.allowed));
  if (cfg.native != d.native) put(PVL_A_NATIVE, cfg.native);
  const std::tuple<uint16_t, bool, bool> flags[] = {
      {PVL_A_ISOLATED, cfg.isolated, d.isolated},          {PVL_A_LEARNING, cfg.learning, d.learning},
      {PVL_A_FLOOD, cfg.flood, d.flood},                   {PVL_A_MCAST_FLOOD, cfg.mcast_flood, d.mcast_flood},
      {PVL_A_BCAST_FLOOD, cfg.bcast_flood, d.bcast_flood}, {PVL_A_HAIRPIN, cfg.hairpin, d.hairpin},
  };
  for (const auto& [attr, v, dv] : flags)
    if (v != dv) put(attr, OnOff(v));
  if (cfg.source_guard != d.source_guard) put(PVL_A_SOURCE_GUARD, SourceGuardModeName(cfg.source_guard));
  const PortSecurityConfig& sec = cfg.security;
  const PortSecurityConfig& dsec = d.security;
  if (sec.mac_changes != dsec.mac_changes) put(PVL_A_MAC_CHANGES, SecurityPolicyName(sec.mac_changes));
  if (sec.forged_transmits != dsec.forged_transmits)
    put(PVL_A_FORGED_TRANSMITS, SecurityPolicyName(sec.forged_transmits));
  if (sec.promiscuous != dsec.promiscuous) put(PVL_A_PROMISCUOUS, SecurityPolicyName(sec.promiscuous));
  if (sec.mac_learning != dsec.mac_learning) put(PVL_A_MAC_LEARNING, OnOff(sec.mac_learning));
  if (sec.mac_limit != dsec.mac_limit) put(PVL_A_MAC_LIMIT, sec.mac_limit);
  if (sec.mac_limit_policy != dsec.mac_limit_policy)
    put(PVL_A_MAC_LIMIT_POLICY, MacLimitPolicyName(sec.mac_limit_policy));
  if (sec.mac_aging_s != dsec.mac_aging_s) put(PVL_A_MAC_AGING, sec.mac_aging_s);
  if (sec.initial_mac) put(PVL_A_INITIAL_MAC, FormatMac(*sec.initial_mac));
  const PsfConfig& psf = cfg.psf;
  if (psf.mode != d.psf.mode) put(PVL_A_PSF, PsfModeName(psf.mode));
  if (psf.role != d.psf.role) put(PVL_A_ROLE, PortRoleName(psf.role));
  if (psf.liberal != d.psf.liberal) put(PVL_A_PSF_LIBERAL, OnOff(psf.liberal));
  if (psf.max_entries != d.psf.max_entries) put(PVL_A_PSF_MAX_ENTRIES, psf.max_entries);
  return s;
}

// In slot order, which a restore reproduces: it adds them in this order into empty slots.
void SavePorts(SaveContext& ctx, std::vector<std::string>& out) {
  for (size_t i = 0; i < ctx.bridge.port_slots(); ++i) {
    const SwitchPort* p = ctx.bridge.port(static_cast<uint16_t>(i));
    if (p == nullptr) continue;
    out.push_back(text::Cat("port add ", p->name, " type ", p->type, PortSettings(p->cfg)));
  }
}

// Static entries (learned ones are state, not configuration), by VLAN and MAC.
void SaveStaticFdb(SaveContext& ctx, std::vector<std::string>& out) {
  std::vector<std::tuple<uint16_t, MacAddr, std::string>> entries;
  ctx.bridge.fdb().ForEach([&](const FdbKey& k, const FdbEntry& e) {
    if (!e.is_static) return;
    if (const SwitchPort* p = ctx.bridge.port(e.port)) entries.emplace_back(e.vid, k.mac, p->name);
  });
  std::sort(entries.begin(), entries.end());
  for (const auto& [vid, mac, port] : entries)
    out.push_back(text::Cat("fdb add ", FormatMac(mac), " port ", port, " vlan ", vid));
}

// Mirror sessions and their rules, after the ports they name (mirror_handlers.cc knows
// their grammar).
void SaveMirrors(SaveContext& ctx, std::vector<std::string>& out) {
  for (std::string& line : MirrorCommands(ctx.bridge)) out.push_back(std::move(line));
}

// The sections of a saved configuration, in the order a restore must run them: whatever
// a line names exists by the time it runs (VLANs before the ports on them, ports before
// the sysctls and FDB entries that name them).
using SaveSection = void (*)(SaveContext&, std::vector<std::string>&);
constexpr SaveSection kSections[] = {
    SaveBridge,
    SaveVlans,
    SavePorts,
    SaveSysctls,
    SaveStaticFdb,
    SaveMirrors,
};

absl::Status ConfigGet(ControlContext& ctx, const ctl::AttrView&, ReplyRecords& out) {
  const DevconfStore* sysctls = ctx.router != nullptr ? &ctx.router->store() : nullptr;
  for (const std::string& line : SaveConfig(ctx.bridge, sysctls)) out.Add().PutString(PVL_A_LINE, line);
  return absl::OkStatus();
}

}  // namespace

std::string ProxyDelayWriteText(int32_t jiffies) {
  const std::string read_back = ipv4::FormatProxyDelay(jiffies);
  const auto stores = [jiffies](const std::string& text) {
    auto v = ipv4::ParseProxyDelayToJiffies(text);
    return v.ok() && v->has_value() && **v == jiffies;
  };
  if (stores(read_back)) return read_back;
  const int64_t near = static_cast<int64_t>(jiffies) * ipv4::kUserHz / ipv4::kKernelHz;
  for (int64_t d : {1, -1, 2, -2}) {
    const std::string text = text::Cat(near + d);
    if (stores(text)) return text;
  }
  if (stores("-1")) return "-1";
  return read_back;
}

std::vector<std::string> SaveConfig(const Bridge& bridge, const ipv4::DevconfStore* sysctls) {
  SaveContext ctx{bridge, sysctls, DevconfStore()};
  std::vector<std::string> out;
  for (SaveSection section : kSections) section(ctx, out);
  return out;
}

void RegisterSaveHandlers(Dispatcher& d) { d.Register(PVL_CMD_CONFIG_GET, ConfigGet); }

}  // namespace pvland
