// Traffic mirroring's configuration as pvlanctl command lines (docs/mirroring.md).
#pragma once

#include <string>
#include <vector>

#include "daemon/bridge/bridge.h"

namespace pvland {

// The `mirror add ...` and `mirror rule add ...` lines that recreate every session and
// rule of `bridge` (counters aside) on a switch with the same ports: sessions by source
// port and number, each followed by its rules by number, every value explicit (the VNI a
// session was given at random too), in the form the grammar takes back.
std::vector<std::string> MirrorCommands(const Bridge& bridge);

}  // namespace pvland
