#include "daemon/pipeline/source_guard_stage.h"

#include "daemon/ipv4/arp_packet.h"
#include "daemon/packet/parser.h"

namespace pvland {

void SourceGuardStage::Process(PacketBatch& batch, StageContext& ctx) {
  const SourceGuardMode mode = ctx.in.cfg.source_guard;
  if (mode == SourceGuardMode::kOff) return;
  // The frames of a batch are nearly always of one VLAN: its L3 device is looked up once.
  struct {
    bool valid = false;
    uint16_t domain = 0;
    int ifindex = 0;  // 0: the VLAN has no internal port
  } l3;
  batch.Filter([&](Packet& p) {
    if (p.l3() != L3Kind::kIpv4) return true;
    if (!l3.valid || l3.domain != p.domain) {
      const std::optional<uint16_t> port = ctx.bridge.L3PortOf(p.domain);
      l3 = {true, p.domain, port ? ctx.bridge.port(*port)->ifindex : 0};
    }
    ipv4::IpPacketInfo in;
    const bool parsed = ipv4::ReadIpv4Header(absl::MakeConstSpan(p.l3_header(), p.len - p.l3_off()), &in);
    in.ifindex = l3.ifindex;
    // The decision's token names the rule for `monitor drops` (string literals only).
    const char* detail = "no_l3_device";
    if (parsed && l3.ifindex != 0) {
      const ipv4::IpInputDecision d = decider_.SourceGuard(in, static_cast<int>(mode));
      if (d.drop == ipv4::IpDropKind::kNone) return true;
      detail = d.reason.data();
    } else if (!parsed) {
      detail = "bad_ipv4_header";
    }
    ctx.DropIngress(DropReason::kSourceGuard, p, detail);
    return false;
  });
}

}  // namespace pvland
