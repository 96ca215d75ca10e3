// Ties ports to the event loop and the pipeline: receives a batch when a port's fd is
// readable, runs the pipeline over it, sends the per-port lists it returns, and follows
// each port's lifecycle (link state, an interface that vanished and came back) through
// the Port interface alone.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/bridge/bridge.h"
#include "daemon/core/clock.h"
#include "daemon/core/event_loop.h"
#include "daemon/dataplane/mirror_sender.h"
#include "daemon/observe/observer.h"
#include "daemon/router/router.h"
#include "daemon/packet/tx_list.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/port/port_factory.h"

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

  // Creates a port of type `type` (port_factory.h) with that type's `params` and opens it.
  // On error nothing was created.
  absl::StatusOr<uint16_t> AddPort(const std::string& name, std::string_view type, const PortConfig& cfg,
                                   const PortParams& params = {});
  // Adds an already-made port (tests use fakes); opens it.
  absl::StatusOr<uint16_t> AddPort(std::unique_ptr<Port> port, const PortConfig& cfg);
  void DeletePort(uint16_t idx);
  // Periodic: re-reads up/down state, reattaches ports whose interface came back.
  void CheckPorts();
  // Port security (docs/port-security.md): reads port `idx`'s endpoint (its guest's MAC and
  // promiscuous mode) and resolves its effective MAC under its configuration, logging what
  // a user should see. Call after the port's configuration changed, and whenever links
  // may have changed anywhere (RefreshEndpoints: every port).
  void RefreshEndpoint(uint16_t idx);
  void RefreshEndpoints();
  // Processes one batch from port `idx` if frames are pending; returns frames received.
  size_t PollOnce(uint16_t idx);
  // Sends one frame pvland made itself (a delayed ARP reply) out port `idx`, tagged for
  // that port as the frame's VLAN needs.
  void SendFrame(uint16_t idx, const Packet& p);
  // Frames the kernel lost on port `idx`'s receive side since it opened; nullopt if closed.
  std::optional<uint64_t> KernelDrops(uint16_t idx);
  // Drop records and captures (daemon/observe); null: none. The observer keeps its
  // per-batch state in the dataplane's hooks.
  void set_observer(Observer* o) {
    if (observer_ != nullptr) observer_->Attach(nullptr);
    observer_ = o;
    if (o != nullptr) o->Attach(&hooks_);
  }
  Observer* observer() const { return observer_; }
  // The delivery step's per-destination filters are added here.
  Pipeline& pipeline() { return pipeline_; }
  // Opens the socket mirror copies leave by (docs/mirroring.md); called before the first
  // session is added, so pvland without sessions opens nothing. Idempotent.
  absl::Status EnableMirroring() { return mirror_sender_.Open(); }
  MirrorSender& mirror_sender() { return mirror_sender_; }
  // Port `idx`'s I/O, for what only the port knows (a tunnel's remotes); null when none.
  const Port* io(uint16_t idx) const { return PortAt(idx); }

 private:
  Port* PortAt(uint16_t idx) const { return idx < ports_.size() ? ports_[idx].get() : nullptr; }
  void Attach(uint16_t idx);
  void ResolveEndpoint(uint16_t idx);
  void Detach(uint16_t idx, PortState new_state, const std::string& why);
  void OnEvent(uint16_t idx, uint32_t events);
  // Before a batch runs / after it was sent, when the observer has captures or events:
  // hands it what a captured port received / sent, and sends its events.
  void BeforeRunObserved(uint16_t idx);
  void AfterSendObserved();
  // Sends tx_ and clears it; with the observer active, through SendObserved.
  void Transmit();
  [[gnu::noinline]] void SendObserved();
  // Sends the run's mirror copies and forgets them.
  [[gnu::noinline]] void SendMirrorCopies();

  EventLoop& loop_;
  Bridge& bridge_;
  const Clock& clock_;
  Router* router_;
  Observer* observer_ = nullptr;
  ObserveHooks hooks_;  // the observer's per-batch state, tested here once before and after a batch
  PortEnv env_;
  Pipeline pipeline_;
  PacketBatch batch_;
  TxLists tx_;
  MirrorSender mirror_sender_;
  // Each bridge port's I/O, at the bridge's index.
  std::vector<std::unique_ptr<Port>> ports_;
};

}  // namespace pvland
