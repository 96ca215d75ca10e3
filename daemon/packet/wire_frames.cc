#include "daemon/packet/wire_frames.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/packet/inet_csum.h"
#include "daemon/packet/parser.h"

namespace pvland {

uint8_t* WireFrames::Append(uint32_t len) {
  const size_t off = bytes_.size() + headroom_;
  bytes_.resize(off + len);
  spans_.push_back({off, len});
  return bytes_.data() + off;
}

void WireFrames::PopBack() {
  bytes_.resize(spans_.back().off - headroom_);
  spans_.pop_back();
}

namespace {

constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpCwr = 0x80;

// Where the headers of a super-frame lie.
struct Headers {
  size_t l3 = 0;   // IP header
  size_t l4 = 0;   // TCP or UDP header
  size_t end = 0;  // first payload byte
  bool ipv6 = false;
  uint8_t proto = 0;
};

absl::Status FindHeaders(absl::Span<const uint8_t> f, Headers* h) {
  size_t at = 12;
  uint16_t et = 0;
  for (;;) {
    if (at + 2 > f.size()) return absl::InvalidArgumentError("super-frame shorter than its Ethernet header");
    et = LoadBe16(f.data() + at);
    if (et != kEthTypeVlan && et != 0x88a8) break;
    at += kVlanTagLen;
  }
  h->l3 = at + 2;
  const uint8_t* ip = f.data() + h->l3;
  const size_t room = f.size() - h->l3;
  if (et == kEthTypeIpv4) {
    if (room < 20 || (ip[0] >> 4) != 4) return absl::InvalidArgumentError("super-frame with a bad IPv4 header");
    const size_t ihl = (ip[0] & 0x0f) * 4u;
    if (ihl < 20 || ihl > room) return absl::InvalidArgumentError("super-frame with a bad IPv4 header length");
    h->proto = ip[9];
    h->l4 = h->l3 + ihl;
  } else if (et == kEthTypeIpv6) {
    if (room < 40) return absl::InvalidArgumentError("super-frame with a short IPv6 header");
    h->ipv6 = true;
    h->proto = ip[6];
    h->l4 = h->l3 + 40;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("super-frame of ethertype 0x", absl::Hex(et), ", not IP"));
  }
  if (h->proto == kIpProtoTcp) {
    if (h->l4 + 20 > f.size()) return absl::InvalidArgumentError("super-frame with a short TCP header");
    const size_t doff = (f[h->l4 + 12] >> 4) * 4u;
    if (doff < 20 || h->l4 + doff > f.size()) return absl::InvalidArgumentError("super-frame with a bad TCP header length");
    h->end = h->l4 + doff;
  } else if (h->proto == kIpProtoUdp) {
    if (h->l4 + 8 > f.size()) return absl::InvalidArgumentError("super-frame with a short UDP header");
    h->end = h->l4 + 8;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("super-frame of IP protocol ", h->proto, " (extension headers are not walked)"));
  }
  return absl::OkStatus();
}

// The pseudo-header's sum for an L4 segment of `l4_len` bytes.
uint64_t PseudoSum(const uint8_t* ip, bool ipv6, uint8_t proto, size_t l4_len) {
  uint64_t sum = ipv6 ? CsumAdd(0, ip + 8, 32) : CsumAdd(0, ip + 12, 8);
  return sum + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

void StoreChecksum(uint8_t* at, uint16_t csum, bool udp) {
  // A computed UDP checksum of 0 is sent as 0xffff: 0 means "none" in UDP over IPv4.
  StoreBe16(at, udp && csum == 0 ? 0xffff : csum);
}

absl::Status CompleteChecksum(absl::Span<const uint8_t> f, const Offload& off, WireFrames& out) {
  const size_t start = off.csum_start;
  const size_t field = start + off.csum_offset;
  if (field + 2 > f.size()) return absl::InvalidArgumentError("partial checksum outside the frame");
  uint8_t* dst = out.Append(static_cast<uint32_t>(f.size()));
  std::memcpy(dst, f.data(), f.size());
  // The field holds the pseudo-header's sum already (CHECKSUM_PARTIAL), so the sum of
  // everything from csum_start, field included, is the whole checksum's.
  const uint16_t csum = CsumFinish(CsumAdd(0, dst + start, f.size() - start));
  StoreBe16(dst + field, csum == 0 ? 0xffff : csum);
  return absl::OkStatus();
}

absl::Status Segment(absl::Span<const uint8_t> f, const Offload& off, WireFrames& out) {
  const uint8_t type = off.gso_type & ~kVnetGsoEcn;
  if (type == kVnetGsoUdp) return absl::InvalidArgumentError("UFO super-frames (IP fragmentation) are not segmented");
  if (type != kVnetGsoTcpV4 && type != kVnetGsoTcpV6 && type != kVnetGsoUdpL4) {
    return absl::InvalidArgumentError(absl::StrCat("unknown GSO type ", type));
  }
  Headers h;
  if (absl::Status s = FindHeaders(f, &h); !s.ok()) return s;
  const bool tcp = h.proto == kIpProtoTcp;
  const bool fits = type == kVnetGsoUdpL4 ? !tcp : tcp && h.ipv6 == (type == kVnetGsoTcpV6);
  if (!fits) return absl::InvalidArgumentError("GSO type does not match the frame's headers");
  const size_t mss = off.gso_size;
  const size_t payload = f.size() - h.end;
  if (mss == 0) return absl::InvalidArgumentError("super-frame with gso_size 0");
  const size_t count = std::max<size_t>(1, (payload + mss - 1) / mss);
  if (count > kMaxWireSegments) return absl::InvalidArgumentError(absl::StrCat("super-frame of ", count, " segments"));

  const uint8_t* ip0 = f.data() + h.l3;
  const uint16_t id0 = h.ipv6 ? 0 : LoadBe16(ip0 + 4);
  const uint32_t seq0 = tcp ? LoadBe32(f.data() + h.l4 + 4) : 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t from = i * mss;
    const size_t chunk = std::min(mss, payload - std::min(payload, from));
    const size_t len = h.end + chunk;
    uint8_t* s = out.Append(static_cast<uint32_t>(len));
    std::memcpy(s, f.data(), h.end);
    std::memcpy(s + h.end, f.data() + h.end + from, chunk);
    uint8_t* ip = s + h.l3;
    uint8_t* l4 = s + h.l4;
    const size_t l4_len = len - h.l4;
    if (h.ipv6) {
      StoreBe16(ip + 4, static_cast<uint16_t>(len - h.l3 - 40));
    } else {
      const size_t ihl = h.l4 - h.l3;
      StoreBe16(ip + 2, static_cast<uint16_t>(len - h.l3));
      StoreBe16(ip + 4, static_cast<uint16_t>(id0 + i));
      StoreBe16(ip + 10, 0);
      StoreBe16(ip + 10, CsumFinish(CsumAdd(0, ip, ihl)));
    }
    size_t csum_at;
    if (tcp) {
      const uint32_t seq = seq0 + static_cast<uint32_t>(from);
      const uint32_t be = __builtin_bswap32(seq);
      std::memcpy(l4 + 4, &be, 4);
      if (i + 1 < count) l4[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
      if (i > 0) l4[13] &= static_cast<uint8_t>(~kTcpCwr);
      csum_at = 16;
    } else {
      StoreBe16(l4 + 4, static_cast<uint16_t>(l4_len));
      csum_at = 6;
    }
    StoreBe16(l4 + csum_at, 0);
    const uint64_t sum = CsumAdd(PseudoSum(ip, h.ipv6, h.proto, l4_len), l4, l4_len);
    StoreChecksum(l4 + csum_at, CsumFinish(sum), !tcp);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AppendWireFrames(absl::Span<const uint8_t> frame, const Offload& off, WireFrames& out) {
  if (off.is_gso()) {
    const size_t before = out.size();
    absl::Status s = Segment(frame, off, out);
    if (!s.ok()) {
      while (out.size() > before) out.PopBack();
    }
    return s;
  }
  if (off.needs_csum()) return CompleteChecksum(frame, off, out);
  uint8_t* dst = out.Append(static_cast<uint32_t>(frame.size()));
  std::memcpy(dst, frame.data(), frame.size());
  return absl::OkStatus();
}

size_t AppendTxBytes(const TxItem& item, std::vector<uint8_t>& out) {
  const Packet& p = *item.pkt;
  const size_t at = out.size();
  out.resize(at + item.wire_len());
  uint8_t* d = out.data() + at;
  std::memcpy(d, p.frame, 12);
  d += 12;
  if (item.tag) {
    std::memcpy(d, item.tag_bytes, 4);
    d += 4;
  }
  if (p.has_inner_tag) {
    std::memcpy(d, p.inner_tag, 4);
    d += 4;
  }
  std::memcpy(d, p.frame + p.payload_off, p.len - p.payload_off);
  return item.wire_len();
}

}  // namespace pvland
