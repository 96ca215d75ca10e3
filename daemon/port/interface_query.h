// What pvland's namespace says about an interface, by name: its index, flags and MAC.
#pragma once

#include <optional>
#include <string>

#include "include/pvland/types.h"

namespace pvland {

struct InterfaceInfo {
  int ifindex = 0;
  short flags = 0;  // IFF_*
  MacAddr mac{};
};

// nullopt when no interface of that name exists in the current namespace.
std::optional<InterfaceInfo> QueryInterface(const std::string& name);

}  // namespace pvland
