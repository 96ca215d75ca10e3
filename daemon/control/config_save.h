// `pvlanctl save`: the running configuration as the pvlanctl commands that rebuild it,
// in the format of `pvland -c FILE` and `pvlanctl -b FILE` (docs/operations.md §4).
//
// One place turns state into commands, next to the handlers that turn commands into
// state: every key `port set`, `vlan add`, `bridge set`, `fdb add` and `sysctl -w` can
// change is written when it differs from what a fresh pvland has, so a default pvland
// saves nothing, and `pvland -c` of a saved file saves the same file again.
//
// The sysctl lines are found by replaying: a fresh devconf store receives, in the order
// the file will run them, each write the running store needs to match it (value, and
// the "explicitly set" bit a sysctl write leaves), so the kernel's side effects
// (all/forwarding forcing default and the ports, default copied to ports that have not
// set a key) happen on restore as they did here. The bits an address set are not
// written: the address comes back with the kernel's interface, and sets them again.
#pragma once

#include <string>
#include <vector>

#include "daemon/bridge/bridge.h"
#include "daemon/ipv4/devconf.h"

namespace pvland {

// The commands, one per line, without comments. `sysctls` null: the daemon runs without
// its L3 router, and no sysctl is saved.
std::vector<std::string> SaveConfig(const Bridge& bridge, const ipv4::DevconfStore* sysctls);

// The proxy_delay text whose write stores exactly `jiffies` (the read-back text loses
// precision: 2 jiffies read as 0 and 0 writes 0); the read-back text when no text does.
std::string ProxyDelayWriteText(int32_t jiffies);

}  // namespace pvland
