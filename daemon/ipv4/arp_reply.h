// The reply frame the kernel builds (net/ipv4/arp.c arp_create/arp_send_dst):
// Ethernet dst = request's ARP sha, src = receiving device's MAC, type 0x0806; ARP
// hrd 1 (even when the request said 6), pro 0x0800, hln 6, pln 4, op 2, then
// sha/spa/tha/tpa. The kernel itself adds no padding: a capture of its proxy and
// local replies on a veth shows 42-byte frames, whatever the request's length.
// A NIC pads to the 60-byte Ethernet minimum with zeros in hardware; kPadTo60
// reproduces that wire form for ports that are real NICs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "daemon/ipv4/arp_decide.h"

namespace pvland::ipv4 {

inline constexpr size_t kArpReplyLen = 42;      // 14 Ethernet + 28 ARP
inline constexpr size_t kEthMinFrameLen = 60;   // without FCS

enum class ReplyPadding : uint8_t { kAsKernel, kPadTo60 };

// Writes the frame into `out` (at least 60 bytes) and returns its length.
size_t WriteArpReply(const ArpReplyFields& r, uint8_t* out, ReplyPadding pad);
std::vector<uint8_t> BuildArpReply(const ArpReplyFields& r,
                                   ReplyPadding pad = ReplyPadding::kAsKernel);

}  // namespace pvland::ipv4
