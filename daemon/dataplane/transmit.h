// Sending what a pipeline run decided: one batched Send() per egress port, and the
// counting of what happened (tx packets and bytes, or a drop reason from the errno).
#pragma once

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "daemon/bridge/bridge.h"
#include "daemon/observe/observer.h"
#include "daemon/packet/tx_list.h"
#include "daemon/port/port.h"

namespace pvland {

// Why the kernel refused a frame, from its errno.
DropReason TxDropReason(int err);

// Sends every list in `out` through the port `port_of(index)` returns (null or closed:
// the frames count as port_down), counts the results on the bridge's ports, and clears
// `out`.
void TransmitLists(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of);

// The same without clearing `out`, for a capture to look at what was sent (CaptureSent);
// the caller clears it.
void SendLists(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of);

// After SendLists: hands `observer` what each captured port sent (the items without an
// error, on ports that are open).
void CaptureSent(Bridge& bridge, TxLists& out, absl::FunctionRef<Port*(uint16_t)> port_of, Observer& observer);

}  // namespace pvland
