#include "daemon/ipv4/arp_packet.h"

#include <algorithm>

namespace pvland::ipv4 {
namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
Ipv4 Be32(const uint8_t* p) {
  return (Ipv4{p[0]} << 24) | (Ipv4{p[1]} << 16) | (Ipv4{p[2]} << 8) | Ipv4{p[3]};
}

}  // namespace

PacketType ClassifyEthernetDestination(const MacAddr& dst, const MacAddr& dev_mac) {
  // eth_type_trans: group bit first, then exact match with the device address.
  if (dst[0] & 1) {
    return std::all_of(dst.begin(), dst.end(), [](uint8_t b) { return b == 0xff; })
               ? PacketType::kBroadcast
               : PacketType::kMulticast;
  }
  return dst == dev_mac ? PacketType::kHost : PacketType::kOtherHost;
}

std::optional<ArpPacket> ParseArp(absl::Span<const uint8_t> arp, PacketType pkt_type) {
  if (arp.size() < 8) return std::nullopt;
  ArpPacket p;
  p.hrd = Be16(&arp[0]);
  p.pro = Be16(&arp[2]);
  p.hln = arp[4];
  p.pln = arp[5];
  p.op = Be16(&arp[6]);
  p.length = arp.size();
  p.pkt_type = pkt_type;
  if (arp.size() >= kArpEthIpLen && p.hln == 6 && p.pln == 4) {
    std::copy_n(&arp[8], 6, p.sha.begin());
    p.sip = Be32(&arp[14]);
    std::copy_n(&arp[18], 6, p.tha.begin());
    p.tip = Be32(&arp[24]);
  }
  return p;
}

}  // namespace pvland::ipv4
