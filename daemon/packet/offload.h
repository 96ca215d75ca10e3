// A frame's checksum and segmentation offload state: the virtio-net header that the kernel
// puts before every frame on a port opened with PACKET_VNET_HDR (AF_PACKET) or IFF_VNET_HDR
// (TAP), and takes back on transmit. With it pvland forwards a CHECKSUM_PARTIAL packet or a
// GSO super-frame (up to 64 KiB of TCP or UDP in one frame) as it is, and the kernel of the
// egress side completes the checksum or segments only if that side needs it
// (docs/offloads.md). Without it such frames leave with a checksum never filled in.
#pragma once

#include <bit>
#include <cstdint>

namespace pvland {

// The 10-byte legacy virtio-net header. Both port kinds use little-endian fields on the
// little-endian hosts pvland supports (AF_PACKET always; TAP when not told otherwise).
static_assert(std::endian::native == std::endian::little, "virtio-net header fields are read natively");

// Constants of the virtio specification (linux/virtio_net.h, which is not valid C++).
inline constexpr uint8_t kVnetNeedsCsum = 1;   // VIRTIO_NET_HDR_F_NEEDS_CSUM
inline constexpr uint8_t kVnetDataValid = 2;   // VIRTIO_NET_HDR_F_DATA_VALID
inline constexpr uint8_t kVnetGsoNone = 0;     // VIRTIO_NET_HDR_GSO_NONE
inline constexpr uint8_t kVnetGsoTcpV4 = 1;    // VIRTIO_NET_HDR_GSO_TCPV4
inline constexpr uint8_t kVnetGsoUdp = 3;      // VIRTIO_NET_HDR_GSO_UDP (UFO, no longer made)
inline constexpr uint8_t kVnetGsoTcpV6 = 4;    // VIRTIO_NET_HDR_GSO_TCPV6
inline constexpr uint8_t kVnetGsoUdpL4 = 5;    // VIRTIO_NET_HDR_GSO_UDP_L4 (USO)
inline constexpr uint8_t kVnetGsoEcn = 0x80;   // VIRTIO_NET_HDR_GSO_ECN

struct Offload {
  uint8_t flags = 0;         // kVnetNeedsCsum, kVnetDataValid
  uint8_t gso_type = 0;      // kVnetGso* | kVnetGsoEcn
  uint16_t hdr_len = 0;      // bytes of headers (Ethernet to L4) before the payload
  uint16_t gso_size = 0;     // payload bytes per segment
  uint16_t csum_start = 0;   // where checksumming starts, from the first Ethernet byte
  uint16_t csum_offset = 0;  // where the checksum goes, from csum_start

  bool needs_csum() const { return (flags & kVnetNeedsCsum) != 0; }
  bool is_gso() const { return (gso_type & ~kVnetGsoEcn) != kVnetGsoNone; }

  // The same frame with an L2 header `delta` bytes longer (a VLAN tag inserted) or shorter
  // (a tag removed): the offsets that count from the Ethernet header move with it.
  Offload Shifted(int delta) const {
    if (delta == 0) return *this;
    Offload o = *this;
    if (needs_csum()) o.csum_start = static_cast<uint16_t>(csum_start + delta);
    if (hdr_len != 0) o.hdr_len = static_cast<uint16_t>(hdr_len + delta);
    return o;
  }
};
static_assert(sizeof(Offload) == 10, "struct virtio_net_hdr is 10 bytes");

}  // namespace pvland
