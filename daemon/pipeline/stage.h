// A pipeline stage: one entry point over a batch from one receive port. A stage drops a
// frame by filtering it out of the batch with a reason (counted on the port the policy
// belongs to), and queues frames for transmission on the run's per-port transmit lists.
// Stages do no I/O.
#pragma once

#include <array>
#include <string_view>

#include "daemon/bridge/bridge.h"
#include "daemon/core/clock.h"
#include "daemon/mirror/copy.h"
#include "daemon/packet/batch.h"
#include "daemon/packet/tx_list.h"

namespace pvland {

// Frames a stage creates (ARP replies), alive until the batch has been transmitted.
struct GeneratedFrames {
  static constexpr size_t kMaxLen = 64;
  std::array<Packet, kBatchSize> pkts;
  std::array<std::array<uint8_t, kMaxLen>, kBatchSize> bytes;
  size_t count = 0;

  // A zeroed packet whose frame points at kMaxLen bytes of storage; null when full.
  Packet* New() {
    if (count == kBatchSize) return nullptr;
    Packet& p = pkts[count];
    p = Packet{};
    p.frame = bytes[count].data();
    ++count;
    return &p;
  }
};

struct StageContext {
  Bridge& bridge;
  uint16_t in_port;
  SwitchPort& in;
  MonoNs now;
  // What this run sends, per egress port.
  TxLists& out;
  GeneratedFrames* generated = nullptr;
  // What mirror sessions took during this run (docs/mirroring.md); sent after `out`.
  mirror::Copies* mirrors = nullptr;

  // Drops a frame received on the ingress port (from-port steps).
  // `detail`: null or a static string naming the stage's finer reason.
  void DropIngress(DropReason r, const Packet& p, const char* detail = nullptr) {
    bridge.CountDrop(in_port, r, p, detail);
  }
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  virtual void Process(PacketBatch& batch, StageContext& ctx) = 0;
};

}  // namespace pvland
