#include "daemon/psf/tcp_segment.h"

#include <cstring>

#include "daemon/packet/packet.h"
#include "daemon/packet/parser.h"

namespace pvland::psf {
namespace {

constexpr uint8_t kOptEol = 0;
constexpr uint8_t kOptNop = 1;
constexpr uint8_t kOptMss = 2;
constexpr uint8_t kOptWindow = 3;
constexpr uint8_t kOptSackPerm = 4;
constexpr uint8_t kOptSack = 5;
constexpr uint32_t kOptMssLen = 4;
constexpr uint32_t kOptWindowLen = 3;
constexpr uint32_t kOptSackPermLen = 2;
constexpr uint32_t kOptSackBaseLen = 2;
constexpr uint32_t kOptSackBlockLen = 8;

bool SeqAfter(uint32_t a, uint32_t b) { return static_cast<int32_t>(b - a) < 0; }

// One pass over the options with conntrack's stopping rules; tcp_options and tcp_sack
// walk the same bytes with the same rules, so one walk gives what both would find.
void ParseOptions(const uint8_t* p, uint32_t length, TcpSegment& seg) {
  while (length > 0) {
    const uint8_t kind = *p;
    if (kind == kOptEol) return;
    if (kind == kOptNop) {
      ++p;
      --length;
      continue;
    }
    if (length < 2) return;
    const uint32_t size = p[1];
    if (size < 2 || size > length) return;
    if (kind == kOptMss && size == kOptMssLen) {
      seg.has_mss = true;
      seg.mss = LoadBe16(p + 2);
    } else if (kind == kOptSackPerm && size == kOptSackPermLen) {
      seg.sack_permitted = true;
    } else if (kind == kOptWindow && size == kOptWindowLen) {
      seg.has_window_scale = true;
      seg.window_scale = p[2] > kTcpMaxWindowScale ? kTcpMaxWindowScale : p[2];
    } else if (kind == kOptSack && seg.sack_count == 0 && size >= kOptSackBaseLen + kOptSackBlockLen &&
               (size - kOptSackBaseLen) % kOptSackBlockLen == 0) {
      const uint32_t n = (size - kOptSackBaseLen) / kOptSackBlockLen;
      for (uint32_t i = 0; i < n && i < kTcpMaxSackBlocks; ++i) {
        const uint8_t* b = p + kOptSackBaseLen + i * kOptSackBlockLen;
        seg.sack[i] = SackBlock{LoadBe32(b), LoadBe32(b + 4)};
      }
      seg.sack_count = static_cast<uint8_t>(n < kTcpMaxSackBlocks ? n : kTcpMaxSackBlocks);
    }
    p += size;
    length -= size;
  }
}

}  // namespace

IpAddr Ipv4Mapped(uint32_t host_order) {
  IpAddr a{};
  a[10] = 0xff;
  a[11] = 0xff;
  a[12] = static_cast<uint8_t>(host_order >> 24);
  a[13] = static_cast<uint8_t>(host_order >> 16);
  a[14] = static_cast<uint8_t>(host_order >> 8);
  a[15] = static_cast<uint8_t>(host_order);
  return a;
}

bool IsIpv4Mapped(const IpAddr& a) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a.data(), kPrefix, sizeof kPrefix) == 0;
}

uint32_t TcpSegment::HighestSack() const {
  uint32_t sack_edge = ack;
  for (int i = 0; i < sack_count; ++i)
    if (SeqAfter(sack[i].right, sack_edge)) sack_edge = sack[i].right;
  return sack_edge;
}

SegmentStatus ParseTcpHeader(std::span<const uint8_t> tcp, TcpSegment& seg) {
  if (tcp.size() < kTcpMinHeaderLen) return SegmentStatus::kMalformed;
  const uint8_t* h = tcp.data();
  const uint32_t header_len = (h[12] >> 4) * 4u;
  if (header_len < kTcpMinHeaderLen || header_len > tcp.size()) return SegmentStatus::kMalformed;
  seg.sport = LoadBe16(h);
  seg.dport = LoadBe16(h + 2);
  seg.seq = LoadBe32(h + 4);
  seg.ack = LoadBe32(h + 8);
  seg.flags = h[13];
  seg.window = LoadBe16(h + 14);
  seg.header_len = static_cast<uint8_t>(header_len);
  seg.payload_len = static_cast<uint32_t>(tcp.size() - header_len);
  seg.sack_permitted = false;
  seg.has_window_scale = false;
  seg.window_scale = 0;
  seg.sack_count = 0;
  seg.has_mss = false;
  seg.mss = 0;
  ParseOptions(h + kTcpMinHeaderLen, header_len - kTcpMinHeaderLen, seg);
  return SegmentStatus::kOk;
}

SegmentStatus ReadTcpSegment(const Packet& p, TcpSegment& seg) {
  const L3Kind l3 = p.l3();
  if ((l3 != L3Kind::kIpv4 && l3 != L3Kind::kIpv6) || p.ip_proto != kIpProtoTcp || p.ip_fragment())
    return SegmentStatus::kNotTcp;
  if (!p.l4_valid()) return SegmentStatus::kMalformed;
  const uint8_t* ip = p.l3_header();
  uint32_t l4_len;
  if (l3 == L3Kind::kIpv4) {
    l4_len = LoadBe16(ip + 2) - p.l3_len;  // the parser checked ihl <= total length
    seg.src = Ipv4Mapped(LoadBe32(ip + 12));
    seg.dst = Ipv4Mapped(LoadBe32(ip + 16));
  } else {
    l4_len = LoadBe16(ip + 4);  // the parser checked that TCP follows the fixed header
    std::memcpy(seg.src.data(), ip + 8, 16);
    std::memcpy(seg.dst.data(), ip + 24, 16);
  }
  seg.vid = p.vid;
  return ParseTcpHeader(std::span<const uint8_t>(p.l4_header(), l4_len), seg);
}

}  // namespace pvland::psf
