// Value syntax of the pvlanctl grammar: every word that is not a keyword goes through one
// of these parsers or one shared with the daemon in include/pvland/ (ParseUint,
// ParseVlanId, ParseVlanSet, ParseMac, ParseIpv4), and every value the printer shows goes
// back through the matching formatter, so what `show` prints can be pasted into
// `set`/`add` unchanged.
//
// Parsers are strict (no signs, blanks, trailing characters or silent truncation) and
// their errors name the value's role (`what`) and quote the offending text, e.g.
// "vlan must be 1-4094, got 5000".
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "include/pvland/ipv4_addr.h"
#include "include/pvland/parse_uint.h"
#include "include/pvland/types.h"
#include "include/pvland/vlan_set.h"

namespace pvland::ctl {

// "on" or "off".
absl::StatusOr<bool> ParseOnOff(std::string_view s, std::string_view what);

// Trunk allowed list (ParseVlanSet's syntax), returned in FormatVlanSet's canonical form so
// the daemon and `show` agree on one spelling.
absl::StatusOr<std::string> ParseAllowedList(std::string_view s);

// Checks that `s` can name a Linux interface (what `ip link` accepts): 1-15 bytes, no
// '/', ':' or blanks, not "." or "..". Ports are interfaces, so the client rejects a name
// the kernel would refuse before anything is sent.
absl::Status CheckIfName(std::string_view s);

}  // namespace pvland::ctl
