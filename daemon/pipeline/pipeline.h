// The data path over one batch from one port, in the order of design.md:
// parse -> VLAN / private-VLAN classification -> FDB learn / lookup -> egress filters ->
// transmit. Later stages (port security, L3 guards, ARP proxy, mirrors) insert into this
// list; nothing else changes.
#pragma once

#include <memory>
#include <vector>

#include "daemon/bridge/bridge.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

namespace ipv4 {
class ArpDecider;
}  // namespace ipv4

class Pipeline {
 public:
  // `arp` null: a pure L2 switch (unit tests); otherwise ARP requests in VLANs with an
  // internal port are decided as the kernel would.
  explicit Pipeline(Bridge& bridge, ipv4::ArpDecider* arp = nullptr);
  // Processes `batch`, received on port `in_port`, and transmits the result.
  void Run(uint16_t in_port, PacketBatch& batch, MonoNs now);

 private:
  Bridge& bridge_;
  std::vector<std::unique_ptr<Stage>> stages_;
  GeneratedFrames generated_;
};

}  // namespace pvland
