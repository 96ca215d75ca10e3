#include "daemon/packet/vxlan.h"

#include <cstring>

#include "daemon/packet/parser.h"

namespace pvland {

void WriteVxlanHeader(uint8_t* out, uint32_t vni) {
  std::memset(out, 0, kVxlanHeaderLen);
  out[0] = kVxlanFlagI;
  out[4] = static_cast<uint8_t>(vni >> 16);
  out[5] = static_cast<uint8_t>(vni >> 8);
  out[6] = static_cast<uint8_t>(vni);
}

std::optional<uint32_t> ReadVxlanHeader(const uint8_t* data, size_t len) {
  if (len < kVxlanHeaderLen + kEthHeaderLen) return std::nullopt;
  if ((data[0] & kVxlanFlagI) == 0 || (data[0] & kVxlanFlagGbp) != 0) return std::nullopt;
  return static_cast<uint32_t>(data[4]) << 16 | static_cast<uint32_t>(data[5]) << 8 | data[6];
}

namespace {

// FNV-1a over the flow's fields: cheap, and spreads small differences (one port number)
// over the whole 14-bit range.
struct FlowHash {
  uint32_t h = 2166136261u;
  void Add(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  }
};

}  // namespace

uint16_t VxlanSourcePort(const Packet& inner) {
  FlowHash f;
  const L3Kind l3 = inner.l3();
  if (l3 == L3Kind::kIpv4 || l3 == L3Kind::kIpv6) {
    const uint8_t* ip = inner.l3_header();
    if (l3 == L3Kind::kIpv4) {
      f.Add(ip + 12, 8);  // source and destination
    } else {
      f.Add(ip + 8, 32);
    }
    f.Add(&inner.ip_proto, 1);
    const bool ports = inner.ip_proto == kIpProtoTcp || inner.ip_proto == kIpProtoUdp;
    if (ports && inner.l4_valid()) f.Add(inner.l4_header(), 4);
  } else {
    f.Add(inner.frame, 12);
    const uint8_t et[2] = {static_cast<uint8_t>(inner.ethertype >> 8), static_cast<uint8_t>(inner.ethertype)};
    f.Add(et, 2);
  }
  const uint32_t folded = f.h ^ (f.h >> 16);
  return static_cast<uint16_t>(49152 + (folded & 0x3fff));
}

}  // namespace pvland
