// A received frame and everything the pipeline learns about it. The bytes stay where the
// port put them (an AF_PACKET ring slot or a TAP buffer); stages only read them, and the
// egress side rebuilds the 802.1Q tag with an iovec instead of moving payload.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "daemon/packet/drop_reason.h"
#include "daemon/packet/offload.h"
#include "include/pvland/types.h"

namespace pvland {

enum class PvlanRole : uint8_t { kNone, kPromiscuous, kIsolated, kCommunity };

// How a frame is forwarded after the FDB stage.
enum class FloodClass : uint8_t { kNone, kUnknownUnicast, kMulticast, kBroadcast };

inline constexpr uint16_t kNoPort = 0xffff;

// The network-layer header the parser found after the Ethernet header and any tag, and
// bounds-checked (ParseL3L4). kNone also covers a malformed header: the switch still
// forwards such a frame at L2, but no stage may read an L3 field of it.
enum class L3Kind : uint8_t { kNone = 0, kArp = 1, kIpv4 = 2, kIpv6 = 3 };

// Packet::l3_info: the L3Kind in the low two bits, then flags.
inline constexpr uint8_t kL3KindMask = 0x03;
// A whole L4 header of Packet::ip_proto (TCP with its options, UDP, ICMP, ICMPv6) lies
// at l4_off(), inside the IP packet; it is not set for other protocols.
inline constexpr uint8_t kL4Valid = 0x04;
// IPv4 "more fragments" set or fragment offset non-zero.
inline constexpr uint8_t kIpFragment = 0x08;
// Fragment offset non-zero: what follows the IP header is the middle of a payload.
inline constexpr uint8_t kIpLaterFragment = 0x10;

struct Packet {
  // --- set by the port on receive ---
  uint8_t* frame = nullptr;  // destination MAC
  uint32_t len = 0;          // bytes available at `frame`
  uint32_t wire_len = 0;     // length on the wire (> len when the buffer truncated it)
  bool aux_tag = false;      // the kernel stripped a tag and reported it out of band
  // Read by the parser only when wire_len > len: why the port refuses a frame it hands
  // over anyway, so the parse stage counts the drop where every ingress drop is counted.
  // kOversize for a frame the buffer cut; a port's own reason (a VXLAN datagram with a bad
  // header or another VNI) otherwise. (It fills what was padding.)
  DropReason rx_drop = DropReason::kOversize;
  uint16_t aux_tci = 0;
  uint16_t aux_tpid = 0x8100;
  Offload offload;           // partial checksum / GSO super-frame, as the kernel reported it

  // --- set by the parser ---
  bool tagged = false;        // an 802.1Q tag was present (in band or out of band)
  uint8_t l3_info = 0;        // L3Kind | kL4Valid | kIpFragment | kIpLaterFragment
  uint16_t tci = 0;           // that tag's TCI
  uint16_t payload_off = 12;  // offset of the (inner) ethertype field in `frame`
  uint16_t ethertype = 0;     // after the 802.1Q tag, if any
  // A stripped outer tag that is not 802.1Q (an 802.1ad S-tag): not a VLAN tag for this
  // switch, so it is payload and goes back on the wire as it came.
  bool has_inner_tag = false;
  uint8_t inner_tag[4] = {};

  // The frame's header (MACs, tag or ethertype, the tag the kernel stripped) equals that of
  // the frame just before it in the batch, and that frame is still in the batch: every
  // decision taken from the header alone is the same as for that frame, so a stage may
  // reuse it. Set by the parser; PacketBatch::Filter clears it when the frame before is
  // dropped. Consecutive frames of one flow are the common case in a batch. It speaks of
  // the Ethernet header only: the L3/L4 fields below are always the frame's own (the
  // parse stage keeps the previous frame's only where SameL3L4 proves them equal).
  bool same_header_as_prev = false;
  // Bytes of the L3 header (IPv4 with options, IPv6's fixed header, ARP's 28): the L4
  // header starts after them. 0 when l3() is kNone.
  uint8_t l3_len = 0;
  // IPv4 protocol or IPv6 next header, as in the packet (set for later fragments too);
  // 0 when l3() is not IPv4 or IPv6.
  uint8_t ip_proto = 0;

  // --- set by VLAN classification ---
  uint16_t vid = 0;     // VLAN the frame belongs to (secondary VLAN for PVLAN hosts)
  uint16_t domain = 0;  // learning/broadcast domain: the primary VLAN, else vid
  PvlanRole role = PvlanRole::kNone;

  // --- set by the FDB stage ---
  FloodClass flood = FloodClass::kNone;
  uint16_t out_port = kNoPort;  // known unicast destination

  const uint8_t* dst() const { return frame; }
  const uint8_t* src() const { return frame + 6; }
  // Bytes from the ethertype field on (everything after the MACs and any tag).
  const uint8_t* payload() const { return frame + payload_off; }
  uint32_t payload_len() const { return len - payload_off; }

  L3Kind l3() const { return static_cast<L3Kind>(l3_info & kL3KindMask); }
  bool l4_valid() const { return (l3_info & kL4Valid) != 0; }
  bool ip_fragment() const { return (l3_info & kIpFragment) != 0; }
  bool ip_later_fragment() const { return (l3_info & kIpLaterFragment) != 0; }
  // Offsets in `frame`; meaningful when l3() is not kNone, and l4_off() when l4_valid().
  uint16_t l3_off() const { return static_cast<uint16_t>(payload_off + 2); }
  uint16_t l4_off() const { return static_cast<uint16_t>(payload_off + 2 + l3_len); }
  const uint8_t* l3_header() const { return frame + l3_off(); }
  const uint8_t* l4_header() const { return frame + l4_off(); }
};
// Batches copy packets as bytes (PacketBatch::Append, Filter).
static_assert(std::is_trivially_copyable_v<Packet>);
// Copied per frame: the L3/L4 fields were fitted into what was padding.
static_assert(sizeof(Packet) <= 56);

}  // namespace pvland
