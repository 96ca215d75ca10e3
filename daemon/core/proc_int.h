// Reading and writing /proc/sys integer files, and parsing a value written to one,
// accepting and rejecting exactly what the kernel's proc handlers do (kernel/sysctl.c proc_get_long,
// __do_proc_dointvec and its conversion helpers). Verified on the target kernel by
// writing each edge case into a scratch namespace's /proc/sys:
//   accepted: "5", " 5", "5 ", "5\n", "1 2" (first value wins), "0x10" (hex),
//             "010" (octal 8), "-1", "-2147483648", "" (no change)
//   rejected: "+3", "5x", "1,", "-", "0x", "abc", "2147483648", "99999999999"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace pvland {

struct ProcNumber {
  bool negative = false;
  uint64_t magnitude = 0;
};

// One number as proc_get_long reads it. nullopt when the text holds nothing but
// whitespace: the kernel then leaves the value unchanged and reports success.
absl::StatusOr<std::optional<ProcNumber>> ParseProcNumber(std::string_view text);

// proc_dointvec: any value in [INT_MIN, INT_MAX].
absl::StatusOr<std::optional<int32_t>> ParseProcDointvec(std::string_view text);

// proc_dointvec_minmax: as proc_dointvec, then [min, max] enforced.
absl::StatusOr<std::optional<int32_t>> ParseProcDointvecMinmax(std::string_view text,
                                                               int32_t min, int32_t max);

// The integer a /proc/sys file holds now (its first value, as proc_dointvec prints
// it); nullopt when the file cannot be read or holds no integer. Control-path and
// periodic use only: it costs an open, a read and a close.
std::optional<int32_t> ReadProcInt(const std::string& path);

// Writes `value` to a /proc/sys file as `sysctl -w` would.
absl::Status WriteProcFile(const std::string& path, std::string_view value);

}  // namespace pvland
