// An ARP packet as arp_rcv()/arp_process() see it: header fields, the four
// addresses, and how the Ethernet destination classified the frame (skb->pkt_type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "daemon/ipv4/ipv4.h"
#include "include/pvland/types.h"

namespace pvland::ipv4 {

inline constexpr uint16_t kArpHrdEther = 1;     // ARPHRD_ETHER
inline constexpr uint16_t kArpHrdIeee802 = 6;   // ARPHRD_IEEE802
inline constexpr uint16_t kEthPIp = 0x0800;
inline constexpr uint16_t kEthPArp = 0x0806;
inline constexpr uint16_t kArpOpRequest = 1;
inline constexpr uint16_t kArpOpReply = 2;
// ARP header plus two 6-byte hardware and two 4-byte protocol addresses
// (arp_hdr_len() on an Ethernet device).
inline constexpr size_t kArpEthIpLen = 28;

// skb->pkt_type as eth_type_trans() sets it for the receiving L3 device.
enum class PacketType : uint8_t {
  kHost,       // Ethernet destination is the device's MAC
  kBroadcast,  // ff:ff:ff:ff:ff:ff
  kMulticast,  // any other group address
  kOtherHost,  // unicast to some other MAC
  kLoopback,   // looped back by the sender itself
};

struct ArpPacket {
  uint16_t hrd = kArpHrdEther;
  uint16_t pro = kEthPIp;
  uint8_t hln = 6;
  uint8_t pln = 4;
  uint16_t op = kArpOpRequest;
  MacAddr sha{};
  Ipv4 sip = 0;
  MacAddr tha{};
  Ipv4 tip = 0;
  // Bytes present from the start of the ARP header (padding included).
  size_t length = kArpEthIpLen;
  PacketType pkt_type = PacketType::kBroadcast;
};

// Classifies an Ethernet destination against the receiving device's MAC.
PacketType ClassifyEthernetDestination(const MacAddr& dst, const MacAddr& dev_mac);

// Reads an ARP packet from the bytes after the Ethernet header (after any VLAN
// tags). Addresses are filled only when 28 bytes are present and hln/pln are 6/4;
// the decision rejects the rest, so a short or odd header still yields a packet
// whose `length`, `hln` and `pln` say why. nullopt if not even the 8-byte fixed
// header is present.
std::optional<ArpPacket> ParseArp(absl::Span<const uint8_t> arp, PacketType pkt_type);

}  // namespace pvland::ipv4
