// Small value types shared by the daemon, the client and the tests.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"

namespace pvland {

using MacAddr = std::array<uint8_t, 6>;

inline bool IsMulticastMac(const uint8_t* m) { return (m[0] & 1) != 0; }
inline bool IsBroadcastMac(const uint8_t* m) {
  return (m[0] & m[1] & m[2] & m[3] & m[4] & m[5]) == 0xff;
}
inline bool IsZeroMac(const uint8_t* m) { return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0; }
// 01:80:c2:00:00:00-0f: IEEE 802.1D reserved group addresses (STP, LACP, 802.1X, LLDP).
inline bool IsLinkLocalMac(const uint8_t* m) {
  return m[0] == 0x01 && m[1] == 0x80 && m[2] == 0xc2 && m[3] == 0 && m[4] == 0 && (m[5] & 0xf0) == 0;
}

// 0-15 for a hex digit of either case, else -1.
inline int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline MacAddr ToMac(const uint8_t* m) {
  MacAddr a;
  std::memcpy(a.data(), m, 6);
  return a;
}

inline std::string FormatMac(const uint8_t* m) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(17, ':');
  for (int i = 0; i < 6; ++i) {
    s[i * 3] = kHex[m[i] >> 4];
    s[i * 3 + 1] = kHex[m[i] & 15];
  }
  return s;
}
inline std::string FormatMac(const MacAddr& m) { return FormatMac(m.data()); }

// "aa:bb:cc:dd:ee:ff", one or two hex digits (either case) per octet, as `ip link` and
// `bridge fdb` accept it; the error quotes the text.
inline absl::StatusOr<MacAddr> ParseMac(std::string_view s) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrFormat("'%s' is not a MAC address (expected aa:bb:cc:dd:ee:ff)", s));
  };
  MacAddr mac{};
  size_t pos = 0;
  for (size_t i = 0; i < mac.size(); ++i) {
    if (i > 0) {
      if (pos >= s.size() || s[pos] != ':') return bad();
      ++pos;
    }
    int v = 0, digits = 0;
    for (; pos < s.size() && s[pos] != ':'; ++pos, ++digits) {
      const int d = HexDigit(s[pos]);
      if (d < 0 || digits == 2) return bad();
      v = v * 16 + d;
    }
    if (digits == 0) return bad();
    mac[i] = static_cast<uint8_t>(v);
  }
  if (pos != s.size()) return bad();
  return mac;
}

inline constexpr uint16_t kVlanMin = 1;
inline constexpr uint16_t kVlanMax = 4094;
inline constexpr uint16_t kDefaultVlan = 1;
// 802.1Q: 0 means "priority tag, no VLAN" and 4095 is reserved.
inline constexpr bool IsVlanId(uint32_t v) { return v >= kVlanMin && v <= kVlanMax; }

}  // namespace pvland
