// The VXLAN header of RFC 7348 and the outer UDP source port, shared by mirror sessions
// and VXLAN tunnel ports so both put the same bytes on the wire as a Linux vxlan device.
//
//   byte 0: flags, only I (0x08, "VNI valid") defined | bytes 1-3: reserved
//   bytes 4-6: VNI (24 bits)                           | byte 7: reserved
//
// Reserved bits are sent as zero and ignored on receipt; the I flag must be set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "daemon/packet/packet.h"

namespace pvland {

inline constexpr uint16_t kVxlanPort = 4789;  // IANA
inline constexpr size_t kVxlanHeaderLen = 8;
inline constexpr uint8_t kVxlanFlagI = 0x08;
inline constexpr uint8_t kVxlanFlagGbp = 0x80;  // draft-smith-vxlan-group-policy's G flag
inline constexpr uint32_t kVniMax = 0xffffff;
// Outer IPv4 + UDP + VXLAN: what an encapsulated frame adds on an IPv4 underlay.
inline constexpr size_t kVxlanIpv4Overhead = 20 + 8 + kVxlanHeaderLen;

// Writes the 8-byte header for `vni` (<= kVniMax): I set, everything reserved zero.
void WriteVxlanHeader(uint8_t* out, uint32_t vni);

// The VNI of a received header, or nullopt when the datagram is not a VXLAN frame this
// end accepts: shorter than the header plus an Ethernet header, I flag clear, or the G
// flag set (a Linux vxlan device without `gbp` drops those as malformed too). Other
// reserved bits are ignored, as RFC 7348 says.
std::optional<uint32_t> ReadVxlanHeader(const uint8_t* data, size_t len);

// The outer UDP source port for an inner frame, from a hash of its flow: the IP addresses,
// protocol and L4 ports when the parser found them, else the MACs and ethertype. Every
// frame of one flow (every segment of one super-frame, too) gets the same port, so the
// underlay keeps a flow on one path; ports lie in 49152-65535 as RFC 7348 recommends.
uint16_t VxlanSourcePort(const Packet& inner);

}  // namespace pvland
