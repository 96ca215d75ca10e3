// Offload state a frame lost on its way to pvland through a socket that carries none (a
// tunnel's inner frame read from a UDP datagram), found again in the frame's bytes.
//
// A Linux stack leaves a TCP or UDP checksum to "the hardware" (CHECKSUM_PARTIAL: the
// field holds only the pseudo-header's sum) when the device it sends through offers
// checksum offload, and hands a device with segmentation offload a TCP super-frame of up
// to 64 KiB. A veth offers both, for a tunnel's inner frame too, and between namespaces
// nothing completes or cuts them: the receiving kernel trusts the flags. An AF_PACKET or
// TAP port hears the flags in the virtio-net header (docs/offloads.md); a VXLAN port
// reads the inner frame out of a UDP socket, which drops them. So a kernel vxlan device
// whose outer packets cross a veth hands pvland frames whose checksums were never
// filled in, and whole TCP super-frames (a UDP socket takes a tunnel's GSO packet as one
// datagram; only UDP super-frames are cut for it).
#pragma once

#include <cstdint>
#include <optional>

#include "daemon/packet/offload.h"
#include "daemon/packet/packet.h"

namespace pvland {

// For a parsed frame (ParseFrame done) that came with no offload state: NEEDS_CSUM at its
// TCP or UDP checksum when the field holds exactly the pseudo-header's folded sum and the
// segment does not verify (a partial checksum), so the egress port completes it as it
// completes any other; nullopt otherwise. One comparison for the common case of a
// complete checksum; a whole-segment sum only for the frames that look partial (a
// complete checksum equal to the pseudo-header's sum, one frame in 65536, verifies and
// is left alone). Fragments, other protocols and IPv6 extension headers: nullopt.
std::optional<Offload> PartialChecksumOffload(const Packet& p);

// `partial` (PartialChecksumOffload of the TCP frame `p`) made a TCP super-frame's when
// `p` carries more payload than one segment of `mss` bytes (the MSS its receiver
// announced, options included, so a segment's payload is `mss` less the options this
// header carries): the egress then cuts it, or hands it whole to a stack that takes
// super-frames. Unchanged when the payload fits one segment or `p` is not TCP. A partial
// checksum is what tells a super-frame from a large frame: the kernel completes the
// checksum of anything it fragments or segments.
Offload TcpSuperFrameOffload(const Packet& p, Offload partial, uint16_t mss);

// The MSS a TCP receiver that announced none is assumed to take (RFC 9293 3.7.1 for IPv4;
// IPv6's minimum MTU 1280 less 60 bytes of headers).
inline constexpr uint16_t kDefaultMssIpv4 = 536;
inline constexpr uint16_t kDefaultMssIpv6 = 1220;

}  // namespace pvland
