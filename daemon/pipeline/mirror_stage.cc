#include "daemon/pipeline/mirror_stage.h"

#include "daemon/packet/parser.h"
#include "daemon/pipeline/tx_queue.h"

namespace pvland {
namespace {

// `p` as it was on its receive port's wire: a tag it arrived with, in band or stripped by
// the kernel and reported out of band, stands after the MACs with the TCI it had.
TxItem ReceivedItem(const Packet& p) {
  TxItem item;
  item.pkt = &p;
  item.tag = p.tagged;
  if (p.tagged) StoreBe16(item.tag_bytes + 2, p.tci);
  item.offload = p.offload.Shifted(OffloadShift(item));
  return item;
}

}  // namespace

void MirrorStage::Process(PacketBatch& batch, StageContext& ctx) {
  mirror::Sessions& sessions = ctx.bridge.mirror();
  if ((sessions.dirs_of(ctx.in_port) & kMirrorEgress) == 0) return;
  for (const Packet& p : batch) {
    const int s = sessions.Select(ctx.in_port, kMirrorEgress, p);
    if (s >= 0) ctx.mirrors->push_back({ReceivedItem(p), static_cast<uint32_t>(s)});
  }
}

void TapIngress(StageContext& ctx) {
  mirror::Sessions& sessions = ctx.bridge.mirror();
  for (const uint16_t d : ctx.out.ports()) {
    if ((sessions.dirs_of(d) & kMirrorIngress) == 0) continue;
    for (const TxItem& item : ctx.out.queue(d)) {
      const int s = sessions.Select(d, kMirrorIngress, *item.pkt);
      if (s >= 0) ctx.mirrors->push_back({item, static_cast<uint32_t>(s)});
    }
  }
}

}  // namespace pvland
