// What a NIC would have put on the wire for a frame the kernel handed over with its
// offloads (docs/offloads.md): the checksum it left to "the hardware" computed, and a GSO
// super-frame cut into the segments TSO/USO would make. Forwarding between ports never
// needs this (the egress kernel does it); a copy that leaves the switch inside something
// else does: a mirror copy or a frame sent through a VXLAN tunnel is the payload of a UDP
// datagram, which no kernel will segment or checksum on the inner frame's behalf.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "daemon/packet/offload.h"
#include "daemon/packet/tx_list.h"

namespace pvland {

// Frames laid out one after the other in one buffer, each with `headroom` free bytes before
// it for the caller (a VXLAN header), so a frame and its encapsulation are one contiguous
// datagram.
class WireFrames {
 public:
  explicit WireFrames(size_t headroom = 0) : headroom_(headroom) {}
  void Clear() {
    bytes_.clear();
    spans_.clear();
  }
  size_t size() const { return spans_.size(); }
  size_t headroom() const { return headroom_; }
  // Frame i, and the headroom bytes before it; valid until the next append or Clear().
  uint8_t* frame(size_t i) { return bytes_.data() + spans_[i].off; }
  uint8_t* with_headroom(size_t i) { return frame(i) - headroom_; }
  uint32_t len(size_t i) const { return spans_[i].len; }

  // Room for a frame of `len` bytes after its headroom; the caller fills it.
  uint8_t* Append(uint32_t len);
  // Drops the last frame (it could not be completed).
  void PopBack();

 private:
  struct Span {
    size_t off;
    uint32_t len;
  };
  size_t headroom_;
  std::vector<uint8_t> bytes_;
  std::vector<Span> spans_;
};

// At most this many segments from one super-frame: a guest asking for 64 KiB in 1-byte
// segments gets an error, not 64K frames.
inline constexpr size_t kMaxWireSegments = 1024;

// Appends to `out` the wire frames of `frame` (contiguous, from the Ethernet header),
// handed over with offload state `off` whose offsets count from frame[0]:
// - no checksum or segmentation left to do: the frame as it is;
// - a partial checksum (NEEDS_CSUM): the checksum completed, as skb_checksum_help() does;
// - a TCP (IPv4/IPv6) or UDP (USO) super-frame: one frame per gso_size bytes of payload,
//   with the lengths, IPv4 ID and header checksum, TCP sequence number and flags (CWR on
//   the first only, FIN and PSH on the last only) and L4 checksum of each segment set as
//   the kernel's GSO sets them.
// An error, and nothing appended, when the offload state does not fit the frame (offsets
// outside it, headers it does not have, IPv6 extension headers) or asks for legacy UFO.
absl::Status AppendWireFrames(absl::Span<const uint8_t> frame, const Offload& off, WireFrames& out);

// The bytes of `item` as they leave on its port's wire (MACs, egress tag, preserved inner
// tag, the rest), appended to `out`; returns how many. Its offload state (item.offload)
// fits these bytes.
size_t AppendTxBytes(const TxItem& item, std::vector<uint8_t>& out);

}  // namespace pvland
