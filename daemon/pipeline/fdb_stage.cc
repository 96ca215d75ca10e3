#include "daemon/pipeline/fdb_stage.h"

#include <cstring>

namespace pvland {
namespace {

// Frames of one batch come from one port at one instant and mostly belong to one flow,
// so consecutive frames usually repeat the previous frame's source and destination.
// Remembering the last learn and the last lookup skips two hash probes per frame for
// such runs (callgrind: 644 -> 424 user instructions per forwarded frame); any learn
// invalidates the remembered lookup, since it may have added or moved that address.
struct LastAddress {
  bool valid = false;
  uint16_t domain = 0;
  uint8_t mac[6];

  bool Matches(uint16_t d, const uint8_t* m) const { return valid && domain == d && std::memcmp(mac, m, 6) == 0; }
  void Set(uint16_t d, const uint8_t* m) {
    valid = true;
    domain = d;
    std::memcpy(mac, m, 6);
  }
};

}  // namespace

void FdbStage::Process(PacketBatch& batch, StageContext& ctx) {
  Fdb& fdb = ctx.bridge.fdb();
  // ageing_time 0 has the Linux bridge's meaning: nothing is learned, every unicast
  // floods (br_fdb_update returns early when the hold time is 0).
  const bool learning = ctx.in.cfg.learning && ctx.bridge.ageing() > 0;
  // MAC learning (port security) bounds what the port may teach the FDB; its own
  // effective MAC does not count toward the bound.
  const PortSecurityConfig& sec = ctx.in.cfg.security;
  const PortSecurityState& st = ctx.in.security;
  auto LimitFor = [&](const uint8_t* src) {
    if (!sec.mac_learning) return LearnLimit{};
    const bool own = st.known && std::memcmp(src, st.effective.data(), 6) == 0;
    return LearnLimit{sec.mac_limit, !own};
  };
  LastAddress learned, looked_up;
  uint16_t looked_up_port = kNoPort;  // kNoPort: the remembered lookup missed
  auto Decide = [&](Packet& p) {
    if (learning && !learned.Matches(p.domain, p.src())) {
      fdb.Learn(p.domain, p.vid, p.src(), ctx.in_port, ctx.now, LimitFor(p.src()));
      learned.Set(p.domain, p.src());
      looked_up.valid = false;
    }
    const uint8_t* dst = p.dst();
    if (IsMulticastMac(dst)) {
      if (IsLinkLocalMac(dst)) {
        ctx.DropIngress(DropReason::kLinkLocalDst, p);
        return false;
      }
      p.flood = IsBroadcastMac(dst) ? FloodClass::kBroadcast : FloodClass::kMulticast;
      return true;
    }
    if (!looked_up.Matches(p.domain, dst)) {
      const FdbEntry* e = fdb.Lookup(p.domain, dst);
      looked_up_port = e ? e->port : kNoPort;
      looked_up.Set(p.domain, dst);
    }
    if (looked_up_port == kNoPort) {
      p.flood = FloodClass::kUnknownUnicast;
    } else {
      p.out_port = looked_up_port;
    }
    return true;
  };
  // A frame with the previous frame's header (same MACs, same domain) learns nothing new
  // and finds what that frame found.
  FloodClass last_flood = FloodClass::kNone;
  uint16_t last_out = kNoPort;
  batch.Filter([&](Packet& p) {
    if (p.same_header_as_prev) {
      p.flood = last_flood;
      p.out_port = last_out;
      return true;
    }
    const bool kept = Decide(p);
    last_flood = p.flood;
    last_out = p.out_port;
    return kept;
  });
}

}  // namespace pvland
