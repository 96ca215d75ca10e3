// The one bounds-checked pass over a received frame's headers. Everything later stages
// read from the frame (MACs, tag, ethertype, the L3 and L4 headers) is checked here first.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstring>
#include <optional>

#include "daemon/packet/drop_reason.h"
#include "daemon/packet/packet.h"

namespace pvland {

inline constexpr uint16_t kEthTypeVlan = 0x8100;
inline constexpr uint16_t kEthTypeArp = 0x0806;
inline constexpr uint16_t kEthTypeIpv4 = 0x0800;
inline constexpr uint16_t kEthTypeIpv6 = 0x86dd;
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint32_t kEthHeaderLen = 14;
inline constexpr uint32_t kVlanTagLen = 4;

inline uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t LoadBe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// Fills the parser fields of `p`, the L3/L4 ones with ParseL3L4; returns why the frame
// must be dropped, if it must. A tag the kernel stripped (aux_tag) counts as the outer
// tag, so an in-band 0x8100 after it is an inner tag and stays payload, exactly as on the
// wire.
std::optional<DropReason> ParseFrame(Packet& p);

// Fills l3_info, l3_len and ip_proto from the header after the ethertype, given the
// Ethernet fields (payload_off, ethertype) that ParseFrame set. Never drops: a malformed
// or truncated L3 or L4 header only leaves its bits unset, as a switch forwards such a
// frame at L2. Checked: IPv4 version, ihl >= 5 and total length within the frame (L4
// lies inside the total length, and only in a first fragment); IPv6's fixed header and
// payload length; ARP's 28 bytes with 6-byte hardware and 4-byte protocol addresses; TCP's data offset (>= 5, within the
// IP payload), and 8 bytes for UDP, ICMP and ICMPv6. IPv6 extension headers are not
// walked: behind one, no L4 header is recorded.
void ParseL3L4(Packet& p);

// Whether ParseFrame would find `b` exactly as it found `a`, which it accepted: the same
// first 16 bytes (MACs, and the tag or ethertype with the 2 bytes after it), the same
// ethertype after an in-band tag (bytes 16-17, past those 16), the same stripped tag, and
// both long enough for every length check to pass alike.
inline bool SameHeader(const Packet& a, const Packet& b) {
  constexpr uint32_t kMin = kEthHeaderLen + kVlanTagLen;
  if (a.len < kMin || b.len < kMin || b.wire_len > b.len) return false;
  uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a.frame, 8);
  std::memcpy(&a1, a.frame + 8, 8);
  std::memcpy(&b0, b.frame, 8);
  std::memcpy(&b1, b.frame + 8, 8);
  if (((a0 ^ b0) | (a1 ^ b1)) != 0 || a.aux_tag != b.aux_tag) return false;
  if (a.payload_off != kEthHeaderLen - 2 && LoadBe16(a.frame + a.payload_off) != LoadBe16(b.frame + a.payload_off))
    return false;
  return !a.aux_tag || (a.aux_tci == b.aux_tci && a.aux_tpid == b.aux_tpid);
}

// The parser's results for `b` when SameHeader(a, b). The Ethernet ones are right; the
// L3/L4 ones come along in the same copy and are right when SameL3L4(a, b), else
// ParseL3L4(b) must replace them. same_header_as_prev comes along too: the caller sets it.
inline void CopyParsedHeader(const Packet& a, Packet& b) {
  // tagged .. ip_proto are contiguous: one 16-byte copy instead of one per field.
  constexpr size_t kFirst = offsetof(Packet, tagged);
  constexpr size_t kEnd = offsetof(Packet, ip_proto) + sizeof(Packet::ip_proto);
  static_assert(kEnd - kFirst == 16, "the parser's fields moved: keep them together");
  std::memcpy(reinterpret_cast<uint8_t*>(&b) + kFirst, reinterpret_cast<const uint8_t*>(&a) + kFirst,
              kEnd - kFirst);
}

// Whether ParseL3L4 would find in `b` what it found in `a`, given SameHeader(a, b), for
// the common case of a flow's next packet: `a` is an unfragmented IPv4 packet with a
// valid L4 header, and `b` has the same frame length, the same first 8 IPv4 header bytes
// but for the identification (which changes from packet to packet), the same protocol
// and, for TCP, the same data offset. Every other case is left to ParseL3L4.
inline bool SameL3L4(const Packet& a, const Packet& b) {
  if (a.l3_info != (static_cast<uint8_t>(L3Kind::kIpv4) | kL4Valid) || a.len != b.len)
    return false;
  // Bytes 0-3 version, ihl, tos, total length; 6-7 flags and fragment offset. `a` passed
  // the checks, so with the same length these 10 bytes lie inside `b` as well.
  static constexpr std::array<uint8_t, 8> kCompared = {0xff, 0xff, 0xff, 0xff, 0, 0, 0xff, 0xff};
  const uint32_t off = a.payload_off + 2u;  // l3_off(), without narrowing to 16 bits
  uint64_t x, y;
  std::memcpy(&x, a.frame + off, 8);
  std::memcpy(&y, b.frame + off, 8);
  if (((x ^ y) & std::bit_cast<uint64_t>(kCompared)) != 0 || b.frame[off + 9] != a.ip_proto)
    return false;
  if (a.ip_proto != kIpProtoTcp) return true;
  const uint32_t doff = off + a.l3_len + 12u;
  return ((a.frame[doff] ^ b.frame[doff]) & 0xf0) == 0;
}

}  // namespace pvland
