// IPv4 addresses as text: the dotted quad that `ip` prints and accepts. Addresses are
// host byte order uint32_t throughout the tree (10.0.0.1 == 0x0a000001).
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"

namespace pvland {

// Exactly four decimal octets (inet_pton's AF_INET form); inet_aton's "10.1" shorthands
// would silently name another address, so they are refused.
inline absl::StatusOr<uint32_t> ParseIpv4(std::string_view s) {
  in_addr a{};
  const std::string z(s);
  if (inet_pton(AF_INET, z.c_str(), &a) != 1)
    return absl::InvalidArgumentError(absl::StrFormat("'%s' is not an IPv4 address", s));
  return ntohl(a.s_addr);
}

// The kernel's %pI4 form.
inline std::string FormatIpv4(uint32_t host_order) {
  const uint32_t a = host_order;
  return absl::StrFormat("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

}  // namespace pvland
