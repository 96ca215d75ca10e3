// The one bounds-checked pass over a received frame's Ethernet header. Everything later
// stages read from the frame (MACs, tag, ethertype) is checked here first.
#pragma once

#include <cstring>
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

// Whether ParseFrame would find `b` exactly as it found `a`, which it accepted: the same
// first 16 bytes (MACs, and the tag or ethertype with the 2 bytes after it), the same
// stripped tag, and both long enough for every length check to pass alike.
inline bool SameHeader(const Packet& a, const Packet& b) {
  constexpr uint32_t kMin = kEthHeaderLen + kVlanTagLen;
  if (a.len < kMin || b.len < kMin || b.wire_len > b.len) return false;
  uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a.frame, 8);
  std::memcpy(&a1, a.frame + 8, 8);
  std::memcpy(&b0, b.frame, 8);
  std::memcpy(&b1, b.frame + 8, 8);
  if (((a0 ^ b0) | (a1 ^ b1)) != 0 || a.aux_tag != b.aux_tag) return false;
  return !a.aux_tag || (a.aux_tci == b.aux_tci && a.aux_tpid == b.aux_tpid);
}

// The parser's results for `b` when SameHeader(a, b).
inline void CopyParsedHeader(const Packet& a, Packet& b) {
  b.tagged = a.tagged;
  b.tci = a.tci;
  b.payload_off = a.payload_off;
  b.ethertype = a.ethertype;
  b.has_inner_tag = a.has_inner_tag;
  std::memcpy(b.inner_tag, a.inner_tag, sizeof b.inner_tag);
}

}  // namespace pvland
