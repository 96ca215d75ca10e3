// A pipeline stage: one entry point over a batch from one receive port. A stage drops a
// frame by filtering it out of the batch with a reason (counted on the port the policy
// belongs to), and queues frames for transmission on egress ports' txq.
#pragma once

#include <string_view>

#include "absl/container/inlined_vector.h"

#include "daemon/bridge/bridge.h"
#include "daemon/core/clock.h"
#include "daemon/packet/batch.h"

namespace pvland {

struct StageContext {
  Bridge& bridge;
  uint16_t in_port;
  SwitchPort& in;
  MonoNs now;
  // Ports whose txq got frames during this run, in first-use order.
  absl::InlinedVector<uint16_t, 16> tx_ports;

  // Drops a frame received on the ingress port (from-port steps).
  void DropIngress(DropReason r, const Packet& p) { bridge.CountDrop(in_port, r, p); }
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  virtual void Process(PacketBatch& batch, StageContext& ctx) = 0;
};

}  // namespace pvland
