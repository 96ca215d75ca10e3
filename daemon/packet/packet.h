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

struct Packet {
  // --- set by the port on receive ---
  uint8_t* frame = nullptr;  // destination MAC
  uint32_t len = 0;          // bytes available at `frame`
  uint32_t wire_len = 0;     // length on the wire (> len when the buffer truncated it)
  bool aux_tag = false;      // the kernel stripped a tag and reported it out of band
  uint16_t aux_tci = 0;
  uint16_t aux_tpid = 0x8100;
  Offload offload;           // partial checksum / GSO super-frame, as the kernel reported it

  // --- set by the parser ---
  bool tagged = false;        // an 802.1Q tag was present (in band or out of band)
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
  // dropped. Consecutive frames of one flow are the common case in a batch.
  bool same_header_as_prev = false;

  // --- set by VLAN classification ---
  uint16_t vid = 0;     // VLAN the frame belongs to (secondary VLAN for PVLAN hosts)
  uint16_t domain = 0;  // learning/broadcast domain: the primary VLAN, else vid
  PvlanRole role = PvlanRole::kNone;

  // --- set by the FDB stage ---
  uint16_t out_port = kNoPort;  // known unicast destination
  FloodClass flood = FloodClass::kNone;

  const uint8_t* dst() const { return frame; }
  const uint8_t* src() const { return frame + 6; }
  // Bytes from the ethertype field on (everything after the MACs and any tag).
  const uint8_t* payload() const { return frame + payload_off; }
  uint32_t payload_len() const { return len - payload_off; }
};
// Batches copy packets as bytes (PacketBatch::Append, Filter).
static_assert(std::is_trivially_copyable_v<Packet>);

}  // namespace pvland
