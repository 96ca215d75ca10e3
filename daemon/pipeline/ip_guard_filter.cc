#include "daemon/pipeline/ip_guard_filter.h"

#include <cstring>

#include "daemon/ipv4/arp_packet.h"
#include "daemon/packet/parser.h"

namespace pvland {

std::optional<DropReason> IpGuardFilter::Check(const StageContext&, const Packet& p, uint16_t,
                                               const SwitchPort& dst) const {
  if (dst.kind != PortKind::kInternal || p.l3() != L3Kind::kIpv4) return std::nullopt;
  ipv4::IpPacketInfo in;
  in.pkt_type = ipv4::ClassifyEthernetDestination(ToMac(p.dst()), dst.mac);
  if (in.pkt_type == ipv4::PacketType::kOtherHost) return std::nullopt;
  if (!ipv4::ReadIpv4Header(absl::MakeConstSpan(p.l3_header(), p.len - p.l3_off()), &in)) return std::nullopt;
  in.ifindex = dst.ifindex;
  // The internal port sees the frame untagged: that is the header the kernel would log.
  uint8_t ll[kEthHeaderLen];
  std::memcpy(ll, p.frame, 12);
  StoreBe16(ll + 12, kEthTypeIpv4);
  switch (decider_.DecideInput(in, absl::MakeConstSpan(ll, sizeof ll)).drop) {
    case ipv4::IpDropKind::kNone: return std::nullopt;
    case ipv4::IpDropKind::kRpFilter: return DropReason::kRpFilter;
    case ipv4::IpDropKind::kMartianSource: return DropReason::kMartianSource;
    case ipv4::IpDropKind::kMartianDestination: return DropReason::kMartianDestination;
  }
  return std::nullopt;
}

}  // namespace pvland
