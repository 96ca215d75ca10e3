// IPv4/IPv6 frames for the mirror tests: TCP, UDP or ICMP between two hosts, fragments,
// an 802.1Q tag, ARP; and a parsed Packet over them, as the parse stage leaves it.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "daemon/packet/inet_csum.h"
#include "daemon/packet/packet.h"
#include "daemon/packet/parser.h"

namespace pvland::mirror::testing {

struct FrameSpec {
  bool v6 = false;
  bool arp = false;
  uint8_t proto = kIpProtoUdp;
  std::array<uint8_t, 4> src4{10, 0, 0, 1};
  std::array<uint8_t, 4> dst4{10, 0, 0, 2};
  uint8_t src6_last = 1;  // 2001:db8::N
  uint8_t dst6_last = 2;
  uint16_t sport = 1000;
  uint16_t dport = 80;
  size_t payload = 18;
  uint16_t frag = 0;  // IPv4 flags and fragment offset
  int vid = 0;        // an 802.1Q tag in band
  uint8_t src_mac = 1;
  uint8_t dst_mac = 2;
};

inline std::vector<uint8_t> BuildFrame(const FrameSpec& s) {
  std::vector<uint8_t> f = {2, 0, 0, 0, 0, s.dst_mac, 2, 0, 0, 0, 0, s.src_mac};
  if (s.vid) f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(s.vid >> 8), static_cast<uint8_t>(s.vid)});
  if (s.arp) {
    f.insert(f.end(), {0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, s.src_mac, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                       10, 0, 0, 2});
    f.resize(std::max<size_t>(f.size(), 60), 0);
    return f;
  }
  f.insert(f.end(), {static_cast<uint8_t>(s.v6 ? 0x86 : 0x08), static_cast<uint8_t>(s.v6 ? 0xdd : 0x00)});
  const size_t l3 = f.size();
  const bool later = (s.frag & 0x1fff) != 0;
  const size_t l4_hdr = later ? 0 : (s.proto == kIpProtoTcp ? 20 : 8);
  const size_t l4_len = l4_hdr + s.payload;
  if (s.v6) {
    f.resize(l3 + 40);
    f[l3] = 0x60;
    StoreBe16(&f[l3 + 4], static_cast<uint16_t>(l4_len));
    f[l3 + 6] = s.proto;
    f[l3 + 7] = 64;
    const uint8_t pfx[4] = {0x20, 0x01, 0x0d, 0xb8};
    std::memcpy(&f[l3 + 8], pfx, 4);
    std::memcpy(&f[l3 + 24], pfx, 4);
    f[l3 + 23] = s.src6_last;
    f[l3 + 39] = s.dst6_last;
  } else {
    f.resize(l3 + 20);
    f[l3] = 0x45;
    StoreBe16(&f[l3 + 2], static_cast<uint16_t>(20 + l4_len));
    StoreBe16(&f[l3 + 4], 0x1234);
    StoreBe16(&f[l3 + 6], s.frag);
    f[l3 + 8] = 64;
    f[l3 + 9] = s.proto;
    std::memcpy(&f[l3 + 12], s.src4.data(), 4);
    std::memcpy(&f[l3 + 16], s.dst4.data(), 4);
    StoreBe16(&f[l3 + 10], CsumFinish(CsumAdd(0, &f[l3], 20)));
  }
  const size_t l4 = f.size();
  f.resize(l4 + l4_len, 0x5a);
  if (!later) {
    if (s.proto == kIpProtoTcp || s.proto == kIpProtoUdp) {
      StoreBe16(&f[l4], s.sport);
      StoreBe16(&f[l4 + 2], s.dport);
    }
    if (s.proto == kIpProtoTcp) {
      std::memset(&f[l4 + 4], 0, 16);
      f[l4 + 12] = 0x50;
      f[l4 + 13] = 0x18;
    } else if (s.proto == kIpProtoUdp) {
      StoreBe16(&f[l4 + 4], static_cast<uint16_t>(l4_len));
      StoreBe16(&f[l4 + 6], 0);
    } else {
      std::memset(&f[l4], 0, 8);
      f[l4] = 8;  // ICMP echo request
    }
  }
  f.resize(std::max<size_t>(f.size(), 60), 0);
  return f;
}

// A frame and its Packet, parsed; not copyable (the Packet points into the bytes).
struct Parsed {
  explicit Parsed(std::vector<uint8_t> b) : bytes(std::move(b)) {
    p.frame = bytes.data();
    p.len = p.wire_len = static_cast<uint32_t>(bytes.size());
    ParseFrame(p);
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;
  std::vector<uint8_t> bytes;
  Packet p;
};

inline std::unique_ptr<Parsed> Parse(const FrameSpec& s) { return std::make_unique<Parsed>(BuildFrame(s)); }

}  // namespace pvland::mirror::testing
