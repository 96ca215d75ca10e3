// The frame parser (daemon/packet/parser.h) and the readers that trust its offsets (ARP,
// TCP segments), over arbitrary bytes. Besides "no crash, no read outside the frame", it
// checks the parse stage's shortcut: for a frame whose header matches the frame before
// (SameHeader), copying the earlier results (CopyParsedHeader, and the L3/L4 fields when
// SameL3L4) must give exactly what a full ParseFrame gives.
//
// Input: one control byte, two bytes of out-of-band tag (the TCI the kernel stripped),
// one byte: how many bytes frame B shares with frame A, then frame A, a 0xff 0x00 0xff
// separator, and the rest of frame B. Without the separator B is A.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "daemon/ipv4/arp_packet.h"
#include "daemon/packet/parser.h"
#include "daemon/psf/tcp_segment.h"

namespace pvland {
namespace {

constexpr size_t kParsedFirst = offsetof(Packet, tagged);
constexpr size_t kParsedEnd = offsetof(Packet, ip_proto) + sizeof(Packet::ip_proto);

void Check(bool ok) {
  if (!ok) std::abort();
}

// A packet over its own heap copy of `bytes`, exactly their size, so that reading one
// byte past the frame is an error the address sanitizer reports.
struct OwnedPacket {
  OwnedPacket(const std::vector<uint8_t>& bytes, uint8_t ctl, uint16_t tci)
      : buf(bytes.empty() ? nullptr : new uint8_t[bytes.size()]) {
    if (!bytes.empty()) std::memcpy(buf, bytes.data(), bytes.size());
    p.frame = buf;
    p.len = static_cast<uint32_t>(bytes.size());
    p.wire_len = (ctl & 0x04) ? p.len + 100 : p.len;  // a frame the buffer truncated
    p.aux_tag = (ctl & 0x01) != 0;
    p.aux_tci = tci;
    p.aux_tpid = (ctl & 0x02) ? 0x88a8 : 0x8100;
  }
  ~OwnedPacket() { delete[] buf; }
  OwnedPacket(const OwnedPacket&) = delete;
  OwnedPacket& operator=(const OwnedPacket&) = delete;
  uint8_t* buf;
  Packet p;
};

// The readers later stages run on a frame the parser accepted.
void ReadDeeper(const Packet& p) {
  Check(p.payload_off + 2u <= p.len);
  if (p.l3() != L3Kind::kNone) Check(p.l3_off() + p.l3_len <= p.len);
  // Every L4 header the parser vouches for has at least 8 bytes (UDP, ICMP; TCP has 20).
  if (p.l4_valid()) Check(p.l3() != L3Kind::kNone && p.l4_off() + 8u <= p.len);
  if (p.ethertype == kEthTypeArp) {
    auto arp = ipv4::ParseArp(absl::MakeConstSpan(p.payload() + 2, p.payload_len() - 2), ipv4::PacketType::kBroadcast);
    if (p.l3() == L3Kind::kArp) Check(arp.has_value());
  }
  psf::TcpSegment seg;
  if (psf::ReadTcpSegment(p, seg) == psf::SegmentStatus::kOk) Check(p.l4_valid() && p.ip_proto == kIpProtoTcp);
}

}  // namespace
}  // namespace pvland

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pvland;
  if (size < 4) return 0;
  const uint8_t ctl = data[0];
  const uint16_t tci = static_cast<uint16_t>(data[1] << 8 | data[2]);
  const size_t shared = data[3];
  data += 4;
  size -= 4;
  static constexpr uint8_t kSep[] = {0xff, 0x00, 0xff};
  const uint8_t* sep = static_cast<const uint8_t*>(memmem(data, size, kSep, sizeof kSep));
  std::vector<uint8_t> a(data, sep ? sep : data + size);
  std::vector<uint8_t> b(a.begin(), a.begin() + std::min(shared, a.size()));
  if (sep) b.insert(b.end(), sep + sizeof kSep, data + size);
  else b = a;

  OwnedPacket pa(a, ctl, tci);
  if (ParseFrame(pa.p)) return 0;
  ReadDeeper(pa.p);

  // The parse stage's path for the next frame of a batch, against a full parse of it.
  OwnedPacket pb(b, ctl, tci);
  if (!SameHeader(pa.p, pb.p)) return 0;
  OwnedPacket full(b, ctl, tci);
  Check(!ParseFrame(full.p));  // SameHeader promises ParseFrame accepts it too
  CopyParsedHeader(pa.p, pb.p);
  if (!SameL3L4(pa.p, pb.p)) ParseL3L4(pb.p);
  Check(std::memcmp(reinterpret_cast<const uint8_t*>(&pb.p) + kParsedFirst,
                    reinterpret_cast<const uint8_t*>(&full.p) + kParsedFirst, kParsedEnd - kParsedFirst) == 0);
  ReadDeeper(pb.p);
  return 0;
}
