#pragma once

#include <optional>

#include "daemon/edge/l3_edge.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

// ARP requests arriving in a VLAN that has an internal port are decided as the kernel's
// arp_process would decide them on that port (docs/kernel-semantics.md §2.1):
// a local, proxy or private-VLAN reply goes back out the ingress port now or after the
// proxy delay. The request itself stays in the batch and is flooded as on a Linux bridge.
class ArpStage final : public Stage {
 public:
  explicit ArpStage(L3Edge& edge) : edge_(edge) {}
  std::string_view name() const override { return "arp"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;

  // The internal port acting as the L3 device of learning domain `domain`.
  static std::optional<uint16_t> L3PortOf(const Bridge& bridge, uint16_t domain);

 private:
  void Handle(const Packet& p, StageContext& ctx);
  L3Edge& edge_;
};

// The cookie a queued request carries: where its delayed reply goes.
inline uint64_t ArpCookie(uint16_t port, uint16_t vid) { return static_cast<uint64_t>(vid) << 16 | port; }
inline uint16_t ArpCookiePort(uint64_t c) { return static_cast<uint16_t>(c); }
inline uint16_t ArpCookieVid(uint64_t c) { return static_cast<uint16_t>(c >> 16); }

}  // namespace pvland
