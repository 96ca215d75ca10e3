// The parts of a TCP segment that connection tracking reads: the endpoints, sequence
// numbers, window, flags, lengths and the options conntrack looks at (window scale and
// SACK-permitted on SYNs, SACK blocks). Parsed once from a bounds-checked span.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace pvland {
struct Packet;
}

namespace pvland::psf {

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;
inline constexpr uint8_t kTcpUrg = 0x20;
inline constexpr uint8_t kTcpEce = 0x40;
inline constexpr uint8_t kTcpCwr = 0x80;

inline constexpr uint32_t kTcpMinHeaderLen = 20;
// RFC 7323 §2.3: a shift above 14 is used as 14 (conntrack clamps it the same way).
inline constexpr uint8_t kTcpMaxWindowScale = 14;
// 40 bytes of options hold at most four SACK blocks (2 + 4 * 8 = 34).
inline constexpr int kTcpMaxSackBlocks = 4;

// An IP address in 16 bytes: IPv6 as it is, IPv4 as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2),
// so one key type serves both families.
using IpAddr = std::array<uint8_t, 16>;
IpAddr Ipv4Mapped(uint32_t host_order);
bool IsIpv4Mapped(const IpAddr& a);

struct SackBlock {
  uint32_t left = 0;
  uint32_t right = 0;
};

struct TcpSegment {
  uint16_t vid = 0;  // the frame's VLAN: part of the flow key
  IpAddr src{};
  IpAddr dst{};
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;         // meaningful when kTcpAck is set
  uint16_t window = 0;      // as on the wire, unscaled
  uint8_t flags = 0;        // kTcp* bits (byte 13 of the header)
  uint8_t header_len = 0;   // data offset in bytes, 20..60
  uint32_t payload_len = 0;  // bytes after the header, up to the end of the IP packet

  // Options, read as conntrack reads them (tcp_options, tcp_sack): parsing stops at EOL,
  // at an option whose length is below 2 or runs past the header.
  bool sack_permitted = false;
  bool has_window_scale = false;
  uint8_t window_scale = 0;  // clamped to kTcpMaxWindowScale
  // Blocks of the first well-formed SACK option (length 2 + 8n, n >= 1).
  uint8_t sack_count = 0;
  std::array<SackBlock, kTcpMaxSackBlocks> sack{};
  // The MSS option (kind 2, length 4), which conntrack does not read: a VXLAN port sizes
  // the super-frames it receives for a host by the MSS the host announced.
  bool has_mss = false;
  uint16_t mss = 0;

  bool has(uint8_t f) const { return (flags & f) != 0; }
  // The sequence number after this segment: seq + payload, +1 for SYN, +1 for FIN
  // (segment_seq_plus_len).
  uint32_t end() const {
    return seq + payload_len + (has(kTcpSyn) ? 1u : 0u) + (has(kTcpFin) ? 1u : 0u);
  }
  // The acknowledgement conntrack checks when the receiver allowed SACK: the highest
  // SACK right edge that lies after `ack`, else `ack` itself (tcp_sack).
  uint32_t HighestSack() const;
};

enum class SegmentStatus : uint8_t {
  kOk,
  kNotTcp,     // no TCP header this tracker reads: not TCP, or an IP fragment
  kMalformed,  // TCP, but the header is shorter than 20 bytes or its data offset is wrong
};

// Reads the TCP header at the start of `tcp`, which runs to the end of the IP payload (so
// payload_len is what follows the header). Fills everything but vid and the addresses.
SegmentStatus ParseTcpHeader(std::span<const uint8_t> tcp, TcpSegment& seg);

// Reads the segment of a parsed frame (ParseFrame): IPv4 or IPv6 (fixed header followed
// directly by TCP) with kL4Valid. Fragments are not read (kNotTcp): without reassembly
// the payload of a first fragment is not the segment's. The VLAN is the frame's vid.
SegmentStatus ReadTcpSegment(const Packet& p, TcpSegment& seg);

}  // namespace pvland::psf
