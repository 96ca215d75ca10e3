#include "ctl/cli/values.h"

#include <arpa/inet.h>

#include <bitset>
#include <cctype>
#include <charconv>
#include <vector>

#include "ctl/cli/strings.h"
#include "absl/strings/str_format.h"

namespace pvland::ctl {
namespace {

constexpr uint16_t kMinVlan = 1;
constexpr uint16_t kMaxVlan = 4094;

absl::Status Invalid(std::string msg) { return absl::InvalidArgumentError(std::move(msg)); }

// Strict decimal: from_chars alone would accept a prefix ("12abc"), so require that it
// consumed everything.
bool ToUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out, 10);
  return ec == std::errc() && p == end;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<uint64_t> ParseUint(std::string_view s, uint64_t min, uint64_t max,
                                   std::string_view what) {
  uint64_t v = 0;
  if (!ToUint(s, &v)) {
    // An out-of-range number that from_chars refused is still a number: say "range".
    const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits)
      return Invalid(absl::StrFormat("%s must be a number %d-%d, got '%s'", what, min, max, s));
    return Invalid(absl::StrFormat("%s must be %d-%d, got %s", what, min, max, s));
  }
  if (v < min || v > max) return Invalid(absl::StrFormat("%s must be %d-%d, got %d", what, min, max, v));
  return v;
}

absl::StatusOr<uint16_t> ParseVlanId(std::string_view s, std::string_view what) {
  auto v = ParseUint(s, kMinVlan, kMaxVlan, what);
  if (!v.ok()) return v.status();
  return static_cast<uint16_t>(*v);
}

absl::StatusOr<bool> ParseOnOff(std::string_view s, std::string_view what) {
  if (s == "on") return true;
  if (s == "off") return false;
  return Invalid(absl::StrFormat("%s must be on or off, got '%s'", what, s));
}

absl::StatusOr<std::string> ParseAllowedList(std::string_view s) {
  if (s == "all" || s == "none") return std::string(s);
  if (s.empty()) return Invalid("allowed list is empty; use 'none' for no VLANs");
  std::bitset<kMaxVlan + 1> set;
  for (std::string_view part : text::Split(s, ',')) {
    if (part.empty())
      return Invalid(absl::StrFormat("allowed list '%s' has an empty element", s));
    const size_t dash = part.find('-');
    auto lo = ParseVlanId(part.substr(0, dash), "allowed VLAN");
    if (!lo.ok()) return lo.status();
    uint16_t hi = *lo;
    if (dash != std::string_view::npos) {
      auto h = ParseVlanId(part.substr(dash + 1), "allowed VLAN");
      if (!h.ok()) return h.status();
      if (*h < *lo)
        return Invalid(absl::StrFormat("allowed range %s is reversed; write %d-%d", part, *h, *lo));
      hi = *h;
    }
    for (uint32_t v = *lo; v <= hi; ++v) set.set(v);
  }
  if (set.count() == kMaxVlan) return std::string("all");
  std::vector<std::string> runs;
  for (uint32_t v = kMinVlan; v <= kMaxVlan; ++v) {
    if (!set.test(v)) continue;
    uint32_t end = v;
    while (end + 1 <= kMaxVlan && set.test(end + 1)) ++end;
    runs.push_back(end == v ? text::Cat(v) : text::Cat(v, "-", end));
    v = end;
  }
  return text::Join(runs, ",");
}

absl::StatusOr<MacBytes> ParseMac(std::string_view s) {
  const auto bad = [&] {
    return Invalid(absl::StrFormat("'%s' is not a MAC address (expected aa:bb:cc:dd:ee:ff)", s));
  };
  std::vector<std::string_view> parts = text::Split(s, ':');
  if (parts.size() != 6) return bad();
  MacBytes mac{};
  for (size_t i = 0; i < 6; ++i) {
    if (parts[i].empty() || parts[i].size() > 2) return bad();
    int v = 0;
    for (char c : parts[i]) {
      const int d = HexDigit(c);
      if (d < 0) return bad();
      v = v * 16 + d;
    }
    mac[i] = static_cast<uint8_t>(v);
  }
  return mac;
}

std::string FormatMac(const MacBytes& m) {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

absl::StatusOr<uint32_t> ParseIpv4(std::string_view s) {
  // inet_pton(AF_INET) takes exactly four decimal octets, unlike inet_aton's "10.1" forms
  // that would silently mean something else.
  in_addr a{};
  std::string z(s);
  if (inet_pton(AF_INET, z.c_str(), &a) != 1)
    return Invalid(absl::StrFormat("'%s' is not an IPv4 address", s));
  return ntohl(a.s_addr);
}

std::string FormatIpv4(uint32_t h) {
  return absl::StrFormat("%d.%d.%d.%d", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
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
