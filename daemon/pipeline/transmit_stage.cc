#include "daemon/pipeline/transmit_stage.h"

#include <cerrno>

namespace pvland {

void TransmitStage::Process(PacketBatch&, StageContext& ctx) {
  for (uint16_t d : ctx.tx_ports) {
    SwitchPort& port = *ctx.bridge.port(d);
    if (port.txq.empty()) continue;
    if (port.io == nullptr) {
      for (const TxItem& item : port.txq) ctx.bridge.CountDrop(d, DropReason::kPortDown, *item.pkt);
      port.txq.clear();
      continue;
    }
    const SendResult r = port.io->Send(absl::MakeSpan(port.txq));
    port.counters.tx_packets += r.sent;
    port.counters.tx_bytes += r.bytes;
    if (r.sent != port.txq.size()) {
      for (const TxItem& item : port.txq) {
        if (item.error == 0) continue;
        const bool gone = item.error == ENETDOWN || item.error == ENXIO || item.error == ENODEV;
        ctx.bridge.CountDrop(d, gone ? DropReason::kPortDown : DropReason::kTxError, *item.pkt);
      }
    }
    port.txq.clear();
  }
  ctx.tx_ports.clear();
}

}  // namespace pvland
