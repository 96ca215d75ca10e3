// The data path over one batch from one port: parse -> VLAN / private-VLAN
// classification -> port security -> psf -> source guard -> ARP -> mirror (egress
// copies) -> FDB learn / lookup -> egress (per-destination filters: isolation, then the
// IP guard for internal ports) -> mirror (ingress copies). The result is a set of
// per-port transmit lists and the mirror copies; sending them is the caller's job, so a
// run does no I/O and tests drive it with no sockets at all. A new stage is one more
// entry in the constructor's list (docs/architecture.md §3).
#pragma once

#include <memory>
#include <vector>

#include "daemon/bridge/bridge.h"
#include "daemon/pipeline/egress_stage.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

namespace ipv4 {
class ArpDecider;
class IpDecider;
}  // namespace ipv4

class Pipeline {
 public:
  // `arp` and `ip` null: a pure L2 switch (unit tests). With `arp`, ARP requests in VLANs
  // with an internal port are decided as the kernel would; with `ip`, IPv4 frames to an
  // internal port go through the kernel's source and martian checks first, and ports
  // with a source guard have their IPv4 sources checked.
  explicit Pipeline(Bridge& bridge, ipv4::ArpDecider* arp = nullptr, ipv4::IpDecider* ip = nullptr);
  // Processes `batch`, received on port `in_port`, and appends what to send to `out`.
  // Frames in `out` point into `batch`'s buffers and into frames the run generated (ARP
  // replies), which stay valid until the next Run().
  void Run(uint16_t in_port, PacketBatch& batch, MonoNs now, TxLists& out);
  // The delivery step, to add per-destination filters to (egress_filter.h).
  EgressStage& egress() { return *egress_; }
  // The mirror copies of the last Run(), valid as long as its frames (docs/mirroring.md);
  // the caller sends them after `out` and may clear them.
  mirror::Copies& mirror_copies() { return mirror_copies_; }

 private:
  Bridge& bridge_;
  std::vector<std::unique_ptr<Stage>> stages_;
  EgressStage* egress_ = nullptr;
  GeneratedFrames generated_;
  mirror::Copies mirror_copies_;
};

}  // namespace pvland
