// Address classes as the kernel's include/linux/in.h defines them. Addresses are host
// byte order; their text form is include/pvland/ipv4_addr.h.
#pragma once

#include <cstdint>

#include "daemon/kernel_state/l3_types.h"

namespace pvland::ipv4 {

constexpr Ipv4 MakeIpv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (Ipv4{a} << 24) | (Ipv4{b} << 16) | (Ipv4{c} << 8) | Ipv4{d};
}

// ipv4_is_multicast: 224.0.0.0/4.
constexpr bool IsMulticast(Ipv4 a) { return (a & 0xf0000000u) == 0xe0000000u; }
// ipv4_is_lbcast: only the limited broadcast 255.255.255.255.
constexpr bool IsLimitedBroadcast(Ipv4 a) { return a == 0xffffffffu; }
// ipv4_is_zeronet: modern kernels treat only 0.0.0.0 itself as "zero net";
// 0.1.2.3 is an ordinary source (docs/kernel-semantics.md §2.2, verified).
constexpr bool IsZeronet(Ipv4 a) { return a == 0; }
// ipv4_is_loopback: 127.0.0.0/8.
constexpr bool IsLoopback(Ipv4 a) { return (a & 0xff000000u) == 0x7f000000u; }
// ipv4_is_local_multicast: 224.0.0.0/24.
constexpr bool IsLocalMulticast(Ipv4 a) { return (a & 0xffffff00u) == 0xe0000000u; }

constexpr Ipv4 PrefixMask(uint8_t len) {
  return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~((Ipv4{1} << (32 - len)) - 1);
}
// inet_ifa_match: is `a` inside the prefix `net`/`len`?
constexpr bool InPrefix(Ipv4 a, Ipv4 net, uint8_t len) {
  return ((a ^ net) & PrefixMask(len)) == 0;
}

}  // namespace pvland::ipv4
