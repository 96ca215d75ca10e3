// The one bounds-checked pass over a received frame's Ethernet header. Everything later
// stages read from the frame (MACs, tag, ethertype) is checked here first.
#pragma once

#include <optional>

#include "daemon/packet/drop_reason.h"
#include "daemon/packet/packet.h"

namespace pvland {

inline constexpr uint16_t kEthTypeVlan = 0x8100;
inline constexpr uint16_t kEthTypeArp = 0x0806;
inline constexpr uint16_t kEthTypeIpv4 = 0x0800;
inline constexpr uint32_t kEthHeaderLen = 14;
inline constexpr uint32_t kVlanTagLen = 4;

inline uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// Fills the parser fields of `p`; returns why the frame must be dropped, if it must.
// A tag the kernel stripped (aux_tag) counts as the outer tag, so an in-band 0x8100 after
// it is an inner tag and stays payload, exactly as on the wire.
std::optional<DropReason> ParseFrame(Packet& p);

}  // namespace pvland
