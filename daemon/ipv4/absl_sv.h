// The Abseil build in use has its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), so std::string_view needs an explicit bridge at StrCat/StrSplit calls.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace pvland::ipv4 {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace pvland::ipv4
