#include "daemon/packet/parser.h"

#include "include/pvland/types.h"

namespace pvland {
namespace {

constexpr uint32_t kIpv4MinHeaderLen = 20;
constexpr uint32_t kIpv6HeaderLen = 40;
constexpr uint32_t kArpEthIpv4Len = 28;  // RFC 826 for 6-byte MACs and 4-byte addresses
constexpr uint32_t kTcpMinHeaderLen = 20;
constexpr uint32_t kUdpHeaderLen = 8;
constexpr uint32_t kIcmpHeaderLen = 8;  // type, code, checksum and the 4-byte rest
constexpr uint16_t kIpv4FragOffsetMask = 0x1fff;
constexpr uint16_t kIpv4MoreFragments = 0x2000;

// kL4Valid when a whole header of `proto` fits in the `room` bytes at `l4`. The TCP data
// offset is checked both ways: below 5 it is not a header, and options past the IP
// payload would be read from outside the packet.
uint8_t CheckL4(uint8_t proto, const uint8_t* l4, uint32_t room, uint8_t icmp_proto) {
  if (proto == kIpProtoUdp || proto == icmp_proto) return room >= kUdpHeaderLen ? kL4Valid : 0;
  if (proto != kIpProtoTcp || room < kTcpMinHeaderLen) return 0;
  const uint32_t doff = (l4[12] >> 4) * 4u;
  return doff >= kTcpMinHeaderLen && doff <= room ? kL4Valid : 0;
}
static_assert(kUdpHeaderLen == kIcmpHeaderLen, "CheckL4 checks UDP and ICMP alike");

// The parser's L3/L4 fields, written to the packet once.
struct L3L4 {
  uint8_t info = 0;
  uint8_t len = 0;
  uint8_t proto = 0;
};

L3L4 ParseIpv4(const uint8_t* h, uint32_t avail) {
  if (avail < kIpv4MinHeaderLen) return {};
  const uint32_t word0 = LoadBe32(h);  // version, ihl, tos, total length
  const uint32_t ihl_bytes = (word0 >> 22) & 0x3c;
  const uint32_t total = word0 & 0xffff;
  if ((word0 >> 28) != 4 || ihl_bytes < kIpv4MinHeaderLen || total < ihl_bytes || total > avail)
    return {};
  const uint16_t frag = LoadBe16(h + 6);
  L3L4 r{static_cast<uint8_t>(L3Kind::kIpv4), static_cast<uint8_t>(ihl_bytes), h[9]};
  if ((frag & (kIpv4FragOffsetMask | kIpv4MoreFragments)) != 0) {
    r.info |= kIpFragment;
    if ((frag & kIpv4FragOffsetMask) != 0) {
      r.info |= kIpLaterFragment;
      return r;
    }
  }
  r.info |= CheckL4(r.proto, h + ihl_bytes, total - ihl_bytes, kIpProtoIcmp);
  return r;
}

L3L4 ParseIpv6(const uint8_t* h, uint32_t avail) {
  if (avail < kIpv6HeaderLen || (h[0] >> 4) != 6) return {};
  const uint32_t payload = LoadBe16(h + 4);
  // A payload length of 0 announces a jumbogram, whose length is in a hop-by-hop option;
  // that next header is not walked, so the 0 never reaches CheckL4.
  if (payload > avail - kIpv6HeaderLen) return {};
  const uint8_t proto = h[6];
  return {static_cast<uint8_t>(static_cast<uint8_t>(L3Kind::kIpv6) |
                               CheckL4(proto, h + kIpv6HeaderLen, payload, kIpProtoIcmpv6)),
          static_cast<uint8_t>(kIpv6HeaderLen), proto};
}

// Hardware and protocol address lengths of 6 and 4 give the 28-byte layout; the ARP
// stage judges the rest (hardware type, protocol type, operation) as the kernel does.
L3L4 ParseArp(const uint8_t* h, uint32_t avail) {
  if (avail < kArpEthIpv4Len || h[4] != 6 || h[5] != 4) return {};
  return {static_cast<uint8_t>(L3Kind::kArp), static_cast<uint8_t>(kArpEthIpv4Len), 0};
}

}  // namespace

void ParseL3L4(Packet& p) {
  // ParseFrame guaranteed the 2-byte ethertype field, so l3_off() <= len.
  const uint32_t off = p.l3_off();
  const uint8_t* h = p.frame + off;
  const uint32_t avail = p.len - off;
  L3L4 r;
  if (p.ethertype == kEthTypeIpv4) [[likely]]
    r = ParseIpv4(h, avail);
  else if (p.ethertype == kEthTypeIpv6)
    r = ParseIpv6(h, avail);
  else if (p.ethertype == kEthTypeArp)
    r = ParseArp(h, avail);
  p.l3_info = r.info;
  p.l3_len = r.len;
  p.ip_proto = r.proto;
}

std::optional<DropReason> ParseFrame(Packet& p) {
  if (p.wire_len > p.len) return p.rx_drop;
  if (p.len < kEthHeaderLen) return DropReason::kRunt;
  if (IsMulticastMac(p.src()) || IsZeroMac(p.src())) return DropReason::kInvalidSrcMac;

  const uint16_t outer = LoadBe16(p.frame + 12);
  if (p.aux_tag && p.aux_tpid != kEthTypeVlan) {
    p.has_inner_tag = true;
    StoreBe16(p.inner_tag, p.aux_tpid);
    StoreBe16(p.inner_tag + 2, p.aux_tci);
    p.tagged = false;
    p.tci = 0;
    p.payload_off = 12;
    p.ethertype = p.aux_tpid;
  } else if (p.aux_tag) {
    p.tagged = true;
    p.tci = p.aux_tci;
    p.payload_off = 12;
    p.ethertype = outer;
  } else if (outer == kEthTypeVlan) {
    if (p.len < kEthHeaderLen + kVlanTagLen) return DropReason::kTruncatedVlanTag;
    p.tagged = true;
    p.tci = LoadBe16(p.frame + 14);
    p.payload_off = 16;
    p.ethertype = LoadBe16(p.frame + 16);
  } else {
    p.tagged = false;
    p.tci = 0;
    p.payload_off = 12;
    p.ethertype = outer;
  }
  ParseL3L4(p);
  return std::nullopt;
}

}  // namespace pvland
