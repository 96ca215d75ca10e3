#include "daemon/packet/lost_offload.h"

#include "daemon/packet/inet_csum.h"
#include "daemon/packet/parser.h"

namespace pvland {
namespace {

constexpr uint8_t kTcpCwr = 0x80;

// Bytes of the L4 segment (header and payload) as the IP header says.
uint32_t L4Length(const Packet& p) {
  const uint8_t* ip = p.l3_header();
  return p.l3() == L3Kind::kIpv4 ? LoadBe16(ip + 2) - p.l3_len : LoadBe16(ip + 4);
}

}  // namespace

std::optional<Offload> PartialChecksumOffload(const Packet& p) {
  const bool tcp = p.ip_proto == kIpProtoTcp;
  if (!p.l4_valid() || p.ip_fragment() || (!tcp && p.ip_proto != kIpProtoUdp)) return std::nullopt;
  if (p.l3() != L3Kind::kIpv4 && p.l3() != L3Kind::kIpv6) return std::nullopt;
  const uint8_t* ip = p.l3_header();
  const uint32_t l4_len = L4Length(p);  // the parser checked that it lies in the frame
  uint64_t pseudo = p.l3() == L3Kind::kIpv4 ? CsumAdd(0, ip + 12, 8) : CsumAdd(0, ip + 8, 32);
  pseudo += p.ip_proto + (l4_len >> 16) + (l4_len & 0xffff);
  const uint16_t field = tcp ? 16 : 6;
  const uint8_t* l4 = p.l4_header();
  if (LoadBe16(l4 + field) != CsumFold(pseudo)) return std::nullopt;
  if (CsumFold(CsumAdd(pseudo, l4, l4_len)) == 0xffff) return std::nullopt;
  Offload o;
  o.flags = kVnetNeedsCsum;
  o.csum_start = p.l4_off();
  o.csum_offset = field;
  return o;
}

Offload TcpSuperFrameOffload(const Packet& p, Offload partial, uint16_t mss) {
  if (p.ip_proto != kIpProtoTcp) return partial;
  const uint8_t* th = p.l4_header();
  const uint32_t doff = (th[12] >> 4) * 4u;
  const uint32_t options = doff - 20;
  const uint32_t payload = L4Length(p) - doff;
  if (mss <= options || payload <= mss - options) return partial;
  partial.gso_type = (p.l3() == L3Kind::kIpv4 ? kVnetGsoTcpV4 : kVnetGsoTcpV6) | ((th[13] & kTcpCwr) ? kVnetGsoEcn : 0);
  partial.gso_size = static_cast<uint16_t>(mss - options);
  partial.hdr_len = static_cast<uint16_t>(p.l4_off() + doff);
  return partial;
}

}  // namespace pvland
