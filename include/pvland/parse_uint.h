// Strict decimal parsing for values typed by users (pvlanctl words, batch files).
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"

namespace pvland {

// Decimal integer in [min, max]: no sign, blank, prefix or trailing character. Errors name
// the value's role (`what`) and quote the text, e.g. "vlan must be 1-4094, got 5000".
inline absl::StatusOr<uint64_t> ParseUint(std::string_view s, uint64_t min, uint64_t max,
                                          std::string_view what) {
  uint64_t v = 0;
  const char* end = s.data() + s.size();
  // from_chars alone would accept a prefix ("12abc"): require that it consumed everything.
  const auto [p, ec] = std::from_chars(s.data(), end, v, 10);
  if (s.empty() || ec != std::errc() || p != end) {
    // An out-of-range number that from_chars refused is still a number: say "range".
    const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits)
      return absl::InvalidArgumentError(
          absl::StrFormat("%s must be a number %d-%d, got '%s'", what, min, max, s));
    return absl::InvalidArgumentError(absl::StrFormat("%s must be %d-%d, got %s", what, min, max, s));
  }
  if (v < min || v > max)
    return absl::InvalidArgumentError(absl::StrFormat("%s must be %d-%d, got %d", what, min, max, v));
  return v;
}

}  // namespace pvland
