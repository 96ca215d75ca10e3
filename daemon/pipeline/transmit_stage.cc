#include "daemon/pipeline/transmit_stage.h"

#include <cerrno>

namespace pvland {
namespace {

// Why the kernel refused a frame, from its errno. A frame (not a super-frame, which the
// kernel segments) longer than the egress MTU fails with EMSGSIZE, where the Linux bridge
// drops it in is_skb_forwardable().
DropReason TxDropReason(int err) {
  if (err == ENETDOWN || err == ENXIO || err == ENODEV) return DropReason::kPortDown;
  if (err == EMSGSIZE) return DropReason::kMtuExceeded;
  return DropReason::kTxError;
}

}  // namespace

void TransmitStage::Process(PacketBatch&, StageContext& ctx) {
  for (uint16_t d : ctx.tx_ports) {
    SwitchPort& port = *ctx.bridge.port(d);
    if (port.txq.empty()) continue;
    if (port.io == nullptr) {
      for (const TxItem& item : port.txq) ctx.bridge.CountDrop(d, DropReason::kPortDown, *item.pkt);
      port.txq.clear();
      continue;
    }
    const SendResult r = port.io->Send(port.txq.span());
    port.counters.tx_packets += r.sent;
    port.counters.tx_bytes += r.bytes;
    if (r.sent != port.txq.size()) {
      for (const TxItem& item : port.txq) {
        if (item.error == 0) continue;
        ctx.bridge.CountDrop(d, TxDropReason(item.error), *item.pkt);
      }
    }
    port.txq.clear();
  }
  ctx.tx_ports.clear();
}

}  // namespace pvland
