#include "daemon/dataplane/transmit.h"

#include <cerrno>
#include <cstring>

namespace pvland {

// A frame (not a super-frame, which the kernel segments) longer than the egress MTU fails
// with EMSGSIZE, where the Linux bridge drops it in is_skb_forwardable().
DropReason TxDropReason(int err) {
  if (err == ENETDOWN || err == ENXIO || err == ENODEV) return DropReason::kPortDown;
  if (err == EMSGSIZE) return DropReason::kMtuExceeded;
  return DropReason::kTxError;
}

void TransmitLists(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of, Observer* observer) {
  const bool capturing = observer != nullptr && observer->capturing();
  for (uint16_t d : out.ports()) {
    TxQueue& q = out.queue(d);
    SwitchPort* sp = bridge.port(d);
    Port* port = port_of(d);
    if (sp == nullptr) continue;  // deleted while the batch was in flight
    if (port == nullptr || !port->is_open()) {
      for (const TxItem& item : q) bridge.CountDrop(d, DropReason::kPortDown, *item.pkt);
      continue;
    }
    const SendResult r = port->Send(q.span());
    sp->counters.tx_packets += r.sent;
    sp->counters.tx_bytes += r.bytes;
    if (r.sent != q.size()) {
      for (const TxItem& item : q) {
        if (item.error != 0) bridge.CountDrop(d, TxDropReason(item.error), *item.pkt, strerrorname_np(item.error));
      }
    }
    if (capturing && observer->Captured(d)) observer->OnSent(d, q);
  }
  out.Clear();
}

}  // namespace pvland
