#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/ipv4/arp_decider.h"
#include "daemon/pipeline/stage.h"

namespace pvland {

// ARP requests arriving in a VLAN that has an internal port are decided as the kernel's
// arp_process would decide them on that port (docs/kernel-semantics.md §2.1):
// a local, proxy or private-VLAN reply goes back out the ingress port now or after the
// proxy delay. The request itself stays in the batch and is flooded as on a Linux bridge.
// Each verdict is counted on the internal port that decided it.
class ArpStage final : public Stage {
 public:
  explicit ArpStage(ipv4::ArpDecider& decider) : decider_(decider) {}
  std::string_view name() const override { return "arp"; }
  void Process(PacketBatch& batch, StageContext& ctx) override;

 private:
  void Handle(const Packet& p, StageContext& ctx);
  ipv4::ArpDecider& decider_;
};

// The cookie a queued request carries: where its delayed reply goes (the port and VLAN
// the request came from) and which internal port's counters its verdict belongs to.
struct ArpCookie {
  uint16_t in_port = 0;
  uint16_t vid = 0;
  uint16_t l3_port = 0;

  uint64_t Pack() const {
    return static_cast<uint64_t>(l3_port) << 32 | static_cast<uint64_t>(vid) << 16 | in_port;
  }
  static ArpCookie Unpack(uint64_t c) {
    return {static_cast<uint16_t>(c), static_cast<uint16_t>(c >> 16), static_cast<uint16_t>(c >> 32)};
  }
};

// The one builder of ARP reply packets, immediate or delayed: the kernel's reply frame
// for `r` (untagged; egress adds the VLAN's tag) written to `storage` (at least
// GeneratedFrames::kMaxLen bytes), as a packet of VLAN `vid` in learning domain `domain`.
Packet MakeArpReplyPacket(const ipv4::ArpReplyFields& r, uint16_t vid, uint16_t domain, uint8_t* storage);

// Counts a verdict on internal port `l3_port`, if it is one; by name, the reason an
// ArpDecision carries.
void CountArpVerdict(Bridge& bridge, uint16_t l3_port, ArpVerdict v);
void CountArpVerdict(Bridge& bridge, uint16_t l3_port, std::string_view reason);

}  // namespace pvland
