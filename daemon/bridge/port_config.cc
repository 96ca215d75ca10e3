#include "daemon/bridge/port_config.h"

namespace pvland {

std::string_view PortKindName(PortKind k) {
  switch (k) {
    case PortKind::kNetdev: return "netdev";
    case PortKind::kTap: return "tap";
    case PortKind::kInternal: return "internal";
  }
  return "?";
}

std::optional<PortKind> ParsePortKind(std::string_view s) {
  if (s == "netdev") return PortKind::kNetdev;
  if (s == "tap") return PortKind::kTap;
  if (s == "internal") return PortKind::kInternal;
  return std::nullopt;
}

std::string_view PortModeName(PortMode m) { return m == PortMode::kAccess ? "access" : "trunk"; }

}  // namespace pvland
