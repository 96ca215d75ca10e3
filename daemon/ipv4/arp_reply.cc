#include "daemon/ipv4/arp_reply.h"

#include <algorithm>
#include <cstring>

namespace pvland::ipv4 {
namespace {

uint8_t* Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
  return p + 2;
}
uint8_t* Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  return p + 4;
}
uint8_t* PutMac(uint8_t* p, const MacAddr& m) { return std::copy(m.begin(), m.end(), p); }

}  // namespace

size_t WriteArpReply(const ArpReplyFields& r, uint8_t* out, ReplyPadding pad) {
  uint8_t* p = out;
  p = PutMac(p, r.eth_dst);
  p = PutMac(p, r.eth_src);
  p = Put16(p, kEthPArp);
  p = Put16(p, kArpHrdEther);  // arp_create uses the device type, never the request's
  p = Put16(p, kEthPIp);
  *p++ = 6;
  *p++ = 4;
  p = Put16(p, kArpOpReply);
  p = PutMac(p, r.sha);
  p = Put32(p, r.spa);
  p = PutMac(p, r.tha);
  p = Put32(p, r.tpa);
  size_t len = static_cast<size_t>(p - out);
  if (pad == ReplyPadding::kPadTo60) {
    std::memset(p, 0, kEthMinFrameLen - len);
    len = kEthMinFrameLen;
  }
  return len;
}

std::vector<uint8_t> BuildArpReply(const ArpReplyFields& r, ReplyPadding pad) {
  std::vector<uint8_t> frame(kEthMinFrameLen);
  frame.resize(WriteArpReply(r, frame.data(), pad));
  return frame;
}

}  // namespace pvland::ipv4
