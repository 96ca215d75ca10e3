// Mirror copies as VXLAN datagrams (RFC 7348), the payload a socket hands the kernel:
// the outer UDP header, the VXLAN header, then the inner frame as it was on the source
// port's wire, its partial checksum completed and a super-frame cut into the segments
// the NIC would have sent (each segment one mirrored packet), each cut to the session's
// length. The kernel adds the outer IPv4 header and routes it. Pure: no socket here.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "daemon/mirror/copy.h"
#include "daemon/mirror/sessions.h"
#include "daemon/packet/vxlan.h"
#include "daemon/packet/wire_frames.h"

namespace pvland::mirror {

inline constexpr size_t kUdpHeaderLen = 8;
// Before each inner frame: UDP header, VXLAN header.
inline constexpr size_t kEncapHeadroom = kUdpHeaderLen + kVxlanHeaderLen;

struct Datagram {
  uint32_t session = 0;
  uint32_t target = 0;     // IPv4, host order
  size_t frame = 0;        // its index in the encapsulator's frames
  uint32_t len = 0;        // UDP header + VXLAN header + inner bytes kept
  uint32_t inner_len = 0;  // inner bytes kept
};

class Encapsulator {
 public:
  // Builds the datagrams of `copies`, in their order, replacing the last call's. Counts
  // on each copy's session the copies truncated to its length and the frames whose
  // offload state could not be completed (seg_errors: nothing is sent for them). The
  // outer UDP checksum is zero, as RFC 7348 says an IPv4 VTEP should send it.
  void Build(Sessions& sessions, absl::Span<const Copy> copies);
  absl::Span<const Datagram> datagrams() const { return out_; }
  // The datagram's bytes (UDP header first), valid until the next Build().
  uint8_t* bytes(const Datagram& d) { return frames_.with_headroom(d.frame); }

 private:
  WireFrames frames_{kEncapHeadroom};
  std::vector<uint8_t> tx_bytes_;
  std::vector<Datagram> out_;
};

}  // namespace pvland::mirror
