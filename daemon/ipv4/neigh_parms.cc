#include "daemon/ipv4/neigh_parms.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "daemon/core/proc_int.h"
#include "include/pvland/strings.h"

namespace pvland::ipv4 {
namespace {

constexpr uint64_t kULongMax = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kLongMax = std::numeric_limits<int64_t>::max();
constexpr uint64_t kTickNs = 1'000'000'000 / kKernelHz;

// kernel/time/time.c clock_t_to_jiffies for HZ % USER_HZ != 0, in 64-bit
// unsigned arithmetic (the product may wrap, as it does in the kernel).
uint64_t ClockTToJiffies(uint64_t x) {
  if (x >= kULongMax / kKernelHz * kUserHz) return kULongMax;
  return (x * kKernelHz) / kUserHz;
}

// jiffies_to_clock_t when TICK_NSEC is not a multiple of the USER_HZ period.
uint64_t JiffiesToClockT(uint64_t j) { return (j * kTickNs) / (1'000'000'000 / kUserHz); }

}  // namespace

absl::StatusOr<std::optional<int32_t>> ParseProxyDelayToJiffies(std::string_view text) {
  auto n = ParseProcNumber(text);
  if (!n.ok()) return n.status();
  if (!n->has_value()) return std::optional<int32_t>();
  const ProcNumber& v = **n;
  // do_proc_dointvec_userhz_jiffies_conv refuses magnitudes whose jiffies could
  // overflow a long; the sign is applied in unsigned arithmetic afterwards.
  if (v.magnitude > (kLongMax / kKernelHz) * kUserHz) {
    return absl::InvalidArgumentError(absl::StrCat(
        "value '", Av(text), "' is outside what proxy_delay accepts (|v| <= ",
        (kLongMax / kKernelHz) * kUserHz, ")"));
  }
  const uint64_t arg = v.negative ? (0 - v.magnitude) : v.magnitude;
  // The kernel keeps the low 32 bits in an int.
  return std::optional<int32_t>(static_cast<int32_t>(static_cast<uint32_t>(ClockTToJiffies(arg))));
}

std::string FormatProxyDelay(int32_t jiffies) {
  const bool neg = jiffies < 0;
  const uint64_t mag = neg ? (0 - static_cast<uint64_t>(static_cast<int64_t>(jiffies)))
                           : static_cast<uint64_t>(jiffies);
  return absl::StrCat(neg ? "-" : "", JiffiesToClockT(mag));
}

absl::StatusOr<std::optional<int32_t>> ParseProxyQlen(std::string_view text) {
  return ParseProcDointvecMinmax(text, 0, std::numeric_limits<int32_t>::max());
}

}  // namespace pvland::ipv4
