// Putting a frame on an egress port's transmit queue, with the 802.1Q tag that port
// needs for the frame's VLAN. The one place egress tagging is decided.
#pragma once

#include "daemon/bridge/bridge.h"
#include "daemon/packet/parser.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

inline TxItem EgressItem(const PortConfig& cfg, const Packet& p) {
  TxItem item;
  item.pkt = &p;
  item.tag = cfg.TagsOnEgress(p.vid);
  if (item.tag) {
    // Keep the frame's priority bits; the VLAN id is the one it was classified into.
    const uint16_t tci = static_cast<uint16_t>((p.tagged ? (p.tci & 0xf000) : 0) | p.vid);
    StoreBe16(item.tag_bytes + 2, tci);
  }
  const int delta = static_cast<int>(item.l2_prefix()) - p.payload_off;
  item.offload = delta == 0 ? p.offload : p.offload.Shifted(delta);
  return item;
}

inline void QueueForTransmit(StageContext& ctx, uint16_t d, const Packet& p) {
  SwitchPort& dst = *ctx.bridge.port(d);
  if (dst.txq.empty()) ctx.tx_ports.push_back(d);
  dst.txq.push_back(EgressItem(dst.cfg, p));
}

}  // namespace pvland
