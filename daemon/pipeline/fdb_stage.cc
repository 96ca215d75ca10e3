#include "daemon/pipeline/fdb_stage.h"

namespace pvland {

void FdbStage::Process(PacketBatch& batch, StageContext& ctx) {
  Fdb& fdb = ctx.bridge.fdb();
  const bool learning = ctx.in.cfg.learning;
  batch.Filter([&](Packet& p) {
    if (learning) fdb.Learn(p.domain, p.vid, p.src(), ctx.in_port, ctx.now);
    const uint8_t* dst = p.dst();
    if (IsMulticastMac(dst)) {
      if (IsLinkLocalMac(dst)) {
        ctx.DropIngress(DropReason::kLinkLocalDst, p);
        return false;
      }
      p.flood = IsBroadcastMac(dst) ? FloodClass::kBroadcast : FloodClass::kMulticast;
      return true;
    }
    const FdbEntry* e = fdb.Lookup(p.domain, dst);
    if (e == nullptr) {
      p.flood = FloodClass::kUnknownUnicast;
    } else {
      p.out_port = e->port;
    }
    return true;
  });
}

}  // namespace pvland
