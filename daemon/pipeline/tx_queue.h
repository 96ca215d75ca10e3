// Putting a frame on an egress port's transmit list, with the 802.1Q tag that port
// needs for the frame's VLAN. The one place egress tagging is decided.
#pragma once

#include <cstring>

#include "daemon/bridge/bridge.h"
#include "daemon/packet/parser.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

// How far the offload offsets move between the received frame and this egress copy: the
// egress L2 header (MACs, new tag, preserved inner tag) against the received one.
inline int OffloadShift(const TxItem& item) {
  return static_cast<int>(item.l2_prefix()) - item.pkt->payload_off;
}

inline TxItem EgressItem(const PortConfig& cfg, const Packet& p) {
  TxItem item;
  item.pkt = &p;
  item.tag = cfg.TagsOnEgress(p.vid);
  if (item.tag) {
    // Keep the frame's priority bits; the VLAN id is the one it was classified into.
    const uint16_t tci = static_cast<uint16_t>((p.tagged ? (p.tci & 0xf000) : 0) | p.vid);
    StoreBe16(item.tag_bytes + 2, tci);
  }
  item.offload = p.offload.Shifted(OffloadShift(item));
  return item;
}

// Appends a prepared item for `p` (EgressItem() of a frame with the same tag, VLAN and
// header layout) to port `d`'s transmit list `q` (TxLists::Open(d)): the per-frame part
// is the packet and its offload.
[[gnu::always_inline]] inline void QueueItem(StageContext& ctx, uint16_t d, TxQueue& q, const TxItem& tmpl,
                                            int shift, const Packet& p) {
  TxItem* item = q.Push();
  if (item == nullptr) {
    ctx.bridge.CountDrop(d, DropReason::kTxError, p);
    return;
  }
  std::memcpy(item, &tmpl, sizeof(TxItem));  // whole words: a member-wise copy costs 4x
  item->pkt = &p;
  item->offload = p.offload.Shifted(shift);
}

inline void QueueForTransmit(StageContext& ctx, uint16_t d, const Packet& p) {
  const TxItem item = EgressItem(ctx.bridge.port(d)->cfg, p);
  QueueItem(ctx, d, ctx.out.Open(d), item, OffloadShift(item), p);
}

}  // namespace pvland
