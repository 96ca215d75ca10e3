// Ties ports to the event loop: opens a port's I/O, receives batches when its fd is
// readable, runs the pipeline, and keeps ports whose interface vanished configured and
// reported until the interface comes back.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/bridge/bridge.h"
#include "daemon/core/clock.h"
#include "daemon/core/event_loop.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/port/ingress_guard.h"
#include "daemon/router/router.h"

namespace pvland {

class Dataplane {
 public:
  // Batches taken from one port before the loop looks at other fds: bounds the latency
  // one busy port can add to the others.
  static constexpr int kBatchesPerWakeup = 8;

  // `router` may be null (no L3 semantics: internal ports are plain TAPs).
  // `guard` may be null: the kernel then also processes frames arriving on netdev ports.
  Dataplane(EventLoop& loop, Bridge& bridge, const Clock& clock, Router* router = nullptr,
            IngressGuard* guard = nullptr);

  // Creates the port and opens its I/O. On error nothing was created.
  absl::StatusOr<uint16_t> AddPort(const std::string& name, PortKind kind, const PortConfig& cfg);
  void DeletePort(uint16_t idx);
  // Periodic: re-reads up/down state, reattaches ports whose interface came back.
  void CheckPorts();
  // Processes one batch from port `idx` if frames are pending; returns frames received.
  size_t PollOnce(uint16_t idx);
  // Sends one frame pvland made itself (a delayed ARP reply) out port `idx`.
  void SendFrame(uint16_t idx, const Packet& p);

 private:
  absl::Status Open(SwitchPort& port);
  void Attach(uint16_t idx);
  void Detach(uint16_t idx, PortState new_state, const char* why);
  void OnEvent(uint16_t idx, uint32_t events);
  PortState ReadLinkState(const SwitchPort& port) const;

  EventLoop& loop_;
  Bridge& bridge_;
  const Clock& clock_;
  Router* router_;
  IngressGuard* guard_;
  Pipeline pipeline_;
  PacketBatch batch_;
};

}  // namespace pvland
