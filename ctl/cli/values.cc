#include "ctl/cli/values.h"

#include <cctype>

#include "absl/strings/str_format.h"

namespace pvland::ctl {
namespace {

absl::Status Invalid(std::string msg) { return absl::InvalidArgumentError(std::move(msg)); }

}  // namespace

absl::StatusOr<bool> ParseOnOff(std::string_view s, std::string_view what) {
  if (s == "on") return true;
  if (s == "off") return false;
  return Invalid(absl::StrFormat("%s must be on or off, got '%s'", what, s));
}

absl::StatusOr<std::string> ParseAllowedList(std::string_view s) {
  auto set = ParseVlanSet(s);
  if (!set.ok()) return set.status();
  return FormatVlanSet(*set);
}

absl::Status CheckIfName(std::string_view s) {
  constexpr size_t kMaxIfName = 15;  // IFNAMSIZ - 1
  if (s.empty()) return Invalid("interface name is empty");
  if (s.size() > kMaxIfName)
    return Invalid(absl::StrFormat("interface name '%s' is longer than %d characters", s, kMaxIfName));
  if (s == "." || s == "..") return Invalid(absl::StrFormat("'%s' is not a valid interface name", s));
  for (unsigned char c : s) {
    if (c == '/' || c == ':' || std::isspace(c) || c == '\0')
      return Invalid(absl::StrFormat("interface name '%s' may not contain '/', ':' or blanks", s));
  }
  return absl::OkStatus();
}

}  // namespace pvland::ctl
