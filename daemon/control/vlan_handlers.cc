// vlan add | del | show: private-VLAN roles and the ports on each VLAN.
#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "daemon/control/dispatcher.h"

namespace pvland {
namespace {

absl::StatusOr<uint16_t> RequireVid(const ctl::AttrView& a) {
  auto v = a.U16(PVL_A_VLAN);
  if (!v) return absl::InvalidArgumentError("VLAN id missing");
  if (!IsVlanId(*v)) return absl::InvalidArgumentError("VLAN must be 1-4094");
  return *v;
}

// Learned addresses of a domain whose shape changed would be looked up under the wrong key.
void FlushDomain(ControlContext& ctx, uint16_t domain) {
  ctx.bridge.fdb().RemoveIf([domain](const FdbKey& k, const FdbEntry& e) { return k.domain == domain && !e.is_static; });
}

absl::Status VlanAdd(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto vid = RequireVid(a);
  if (!vid.ok()) return vid.status();
  PvlanType type = PvlanType::kNone;
  if (auto t = a.String(PVL_A_PVLAN_TYPE)) {
    if (*t == "primary") type = PvlanType::kPrimary;
    else if (*t == "isolated") type = PvlanType::kIsolated;
    else if (*t == "community") type = PvlanType::kCommunity;
    else if (*t != "none")
      return absl::InvalidArgumentError(absl::StrCat("pvlan type must be primary, isolated or community, not '", std::string(*t), "'"));
  }
  const uint16_t primary = a.U16(PVL_A_PRIMARY).value_or(0);
  if ((type == PvlanType::kIsolated || type == PvlanType::kCommunity) && primary == 0)
    return absl::InvalidArgumentError("a secondary VLAN needs 'primary VID'");
  if (auto s = ctx.bridge.vlans().Add(*vid, type, primary); !s.ok()) return s;
  FlushDomain(ctx, *vid);
  if (primary) FlushDomain(ctx, primary);
  return absl::OkStatus();
}

absl::Status VlanDel(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto vid = RequireVid(a);
  if (!vid.ok()) return vid.status();
  const uint16_t domain = ctx.bridge.vlans().Domain(*vid);
  if (auto s = ctx.bridge.vlans().Remove(*vid); !s.ok()) return s;
  FlushDomain(ctx, domain);
  return absl::OkStatus();
}

absl::Status VlanGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  const VlanTable& vlans = ctx.bridge.vlans();
  // VLANs worth listing: declared ones and those a port uses untagged or as native.
  absl::btree_set<uint16_t> vids;
  if (a.Has(PVL_A_VLAN)) {
    auto vid = RequireVid(a);
    if (!vid.ok()) return vid.status();
    vids.insert(*vid);
  } else {
    for (uint16_t v = kVlanMin; v <= kVlanMax; ++v)
      if (vlans.Get(v).declared) vids.insert(v);
    for (size_t i = 0; i < ctx.bridge.port_slots(); ++i) {
      const SwitchPort* p = ctx.bridge.port(static_cast<uint16_t>(i));
      if (p == nullptr) continue;
      if (p->cfg.mode == PortMode::kAccess) vids.insert(p->cfg.vlan);
      else if (p->cfg.native) vids.insert(p->cfg.native);
    }
  }
  for (uint16_t v : vids) {
    ctl::MessageBuilder& m = out.Add();
    m.PutU16(PVL_A_VLAN, v);
    const VlanInfo& info = vlans.Get(v);
    if (info.type != PvlanType::kNone) m.PutString(PVL_A_PVLAN_TYPE, PvlanTypeName(info.type));
    if (info.primary) m.PutU16(PVL_A_PRIMARY, info.primary);
    nlattr* list = m.NestStart(PVL_A_PORTS);
    for (size_t i = 0; i < ctx.bridge.port_slots(); ++i) {
      const SwitchPort* p = ctx.bridge.port(static_cast<uint16_t>(i));
      if (p == nullptr || !p->cfg.Carries(v)) continue;
      nlattr* item = m.NestStart(PVL_A_ITEM);
      m.PutString(PVL_A_NAME, p->name);
      m.PutString(PVL_A_MODE, p->cfg.TagsOnEgress(v) ? "tagged" : "untagged");
      m.NestEnd(item);
    }
    m.NestEnd(list);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterVlanHandlers(Dispatcher& d) {
  d.Register(PVL_CMD_VLAN_ADD, VlanAdd);
  d.Register(PVL_CMD_VLAN_DEL, VlanDel);
  d.Register(PVL_CMD_VLAN_GET, VlanGet);
}

}  // namespace pvland
