// ARP neighbour-table parameters pvland reproduces per internal port:
// net.ipv4.neigh.NAME.proxy_delay and .proxy_qlen (docs/kernel-semantics.md §1.2, §2.5).
//
// The kernel stores proxy_delay in jiffies and converts at the /proc boundary from
// USER_HZ ticks (proc_dointvec_userhz_jiffies). The conversion is lossy and wraps,
// and the target kernel runs HZ=250, USER_HZ=100, so:
//   write 80 -> 200 jiffies (0.8 s), reads back 80;
//   write 1  -> 2 jiffies (8 ms), reads back 0 but still delays (it is not 0);
//   write any negative -> -1 jiffies, reads back "-0";
//   write above 21474836 wraps in 32 bits (2147483647 reads back 429496728);
//   accepted magnitude up to (LONG_MAX / HZ) * USER_HZ = 3689348814741910300.
// All of the above was observed on the target kernel; pvland keeps the same stored
// value so reads and delays match. There is no neigh/all, and neigh/default exists
// only in the initial netns, so pvland offers neither.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/core/clock.h"

namespace pvland::ipv4 {

inline constexpr int kKernelHz = 250;  // CONFIG_HZ of the reference kernel
inline constexpr int kUserHz = 100;    // USER_HZ, the unit of the sysctl value
inline constexpr MonoNs kJiffy = kNsPerSec / kKernelHz;
static_assert(kNsPerSec % kKernelHz == 0, "a jiffy must be a whole number of ns");

struct NeighParms {
  int32_t proxy_delay_jiffies = 80 * kKernelHz / kUserHz;  // net/ipv4/arp.c arp_tbl
  int32_t proxy_qlen = 64;
};

// proxy_delay write: text in USER_HZ ticks -> the jiffies value the kernel stores.
// nullopt when the text is empty (no change).
absl::StatusOr<std::optional<int32_t>> ParseProxyDelayToJiffies(std::string_view text);
// proxy_delay read: the text the kernel prints for a stored jiffies value.
std::string FormatProxyDelay(int32_t jiffies);
// proxy_qlen write: proc_dointvec_minmax over [0, INT_MAX].
absl::StatusOr<std::optional<int32_t>> ParseProxyQlen(std::string_view text);

}  // namespace pvland::ipv4
