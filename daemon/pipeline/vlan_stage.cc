#include "daemon/pipeline/vlan_stage.h"

namespace pvland {

std::optional<DropReason> ClassifyIngress(const PortConfig& cfg, const VlanTable& vlans, Packet& p) {
  // VID 0 is a priority tag (802.1Q): the frame belongs to the port's untagged VLAN.
  const uint16_t tag_vid = p.tagged ? (p.tci & 0x0fff) : 0;
  if (cfg.mode == PortMode::kAccess) {
    if (tag_vid != 0) return DropReason::kVlanTagOnAccess;
    p.vid = cfg.vlan;
  } else if (tag_vid != 0) {
    if (!cfg.allowed.test(tag_vid) && tag_vid != cfg.native) return DropReason::kVlanNotAllowed;
    p.vid = tag_vid;
  } else {
    if (cfg.native == 0) return DropReason::kUntaggedOnTrunk;
    p.vid = cfg.native;
  }
  p.domain = vlans.Domain(p.vid);
  p.role = vlans.Role(p.vid);
  return std::nullopt;
}

void VlanStage::Process(PacketBatch& batch, StageContext& ctx) {
  const PortConfig& cfg = ctx.in.cfg;
  const VlanTable& vlans = ctx.bridge.vlans();
  // The classification depends only on the tag and the port's configuration: a frame
  // with the header of the previous one gets its VLAN, domain and role.
  struct {
    uint16_t vid = 0, domain = 0;
    PvlanRole role = PvlanRole::kNone;
  } last;
  batch.Filter([&](Packet& p) {
    if (p.same_header_as_prev) {
      p.vid = last.vid;
      p.domain = last.domain;
      p.role = last.role;
      return true;
    }
    if (auto drop = ClassifyIngress(cfg, vlans, p)) {
      ctx.DropIngress(*drop, p);
      return false;
    }
    last = {p.vid, p.domain, p.role};
    return true;
  });
}

}  // namespace pvland
