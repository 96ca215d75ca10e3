#include "daemon/bridge/port_config.h"

namespace pvland {

std::string_view PortModeName(PortMode m) { return m == PortMode::kAccess ? "access" : "trunk"; }

}  // namespace pvland
