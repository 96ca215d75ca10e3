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

namespace {

// The frames of `q` the kernel refused, each under its reason, with the errno's name as
// the drop's detail. Kept out of line: the common case sends everything.
[[gnu::noinline]] void CountRefused(Bridge& bridge, uint16_t d, const TxQueue& q) {
  for (const TxItem& item : q) {
    if (item.error != 0) bridge.CountDrop(d, TxDropReason(item.error), *item.pkt, strerrorname_np(item.error));
  }
}

// Every frame of `q` counted as port_down: the port is closed or gone.
[[gnu::noinline]] void CountPortDown(Bridge& bridge, uint16_t d, const TxQueue& q) {
  for (const TxItem& item : q) bridge.CountDrop(d, DropReason::kPortDown, *item.pkt);
}

}  // namespace

// The loop of TransmitLists and SendLists, inlined into each so that TransmitLists, the
// path of every batch nobody captures, compiles as if SendLists did not exist.
[[gnu::always_inline]] inline void SendEach(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of) {
  for (uint16_t d : out.ports()) {
    TxQueue& q = out.queue(d);
    SwitchPort* sp = bridge.port(d);
    Port* port = port_of(d);
    if (sp == nullptr) continue;  // deleted while the batch was in flight
    if (port == nullptr || !port->is_open()) {
      CountPortDown(bridge, d, q);
      continue;
    }
    const SendResult r = port->Send(q.span());
    sp->counters.tx_packets += r.sent;
    sp->counters.tx_bytes += r.bytes;
    if (r.sent != q.size()) CountRefused(bridge, d, q);
  }
}

void TransmitLists(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of) {
  SendEach(bridge, out, port_of);
  out.Clear();
}

void SendLists(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of) {
  SendEach(bridge, out, port_of);
}

void CaptureSent(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of, Observer& observer) {
  for (uint16_t d : out.ports()) {
    if (!observer.Captured(d) || bridge.port(d) == nullptr) continue;
    const Port* port = port_of(d);
    if (port != nullptr && port->is_open()) observer.OnSent(d, out.queue(d));
  }
}

}  // namespace pvland
