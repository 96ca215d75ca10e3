// The sysctl keys pvland serves for `pvlanctl sysctl`, with the kernel's names and
// value rules:
//   net.ipv4.conf.{all,default,PORT}.KNOB   (every IPV4_DEVCONF key, §1.1)
//   net.ipv4.neigh.PORT.{proxy_delay,proxy_qlen}
//   net.core.{message_cost,message_burst}   (the martian log's budget)
// Keys are spelled as sysctl(8) spells them: dot-separated, or slash-separated
// ("net/ipv4/conf/eth0.10/rp_filter"); in the dotted form a '/' inside the device
// component stands for '.' ("net.ipv4.conf.eth0/10.rp_filter").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/devconf_knobs.h"

namespace pvland::ipv4 {

struct SysctlKey {
  enum class Kind { kConf, kNeighProxyDelay, kNeighProxyQlen, kCoreMessageCost, kCoreMessageBurst };
  Kind kind = Kind::kConf;
  std::string device;  // "all", "default" or a port (neigh: a port; core: empty)
  Knob knob = Knob::kForwarding;  // kConf only

  std::string Canonical() const;  // dotted form, e.g. "net.ipv4.conf.eth1.rp_filter"
};

// Splits and checks a key against the store's devices. Errors: InvalidArgument for
// a malformed key, NotFound for an unknown device or knob (what sysctl(8) reports
// as "cannot stat /proc/sys/...").
absl::StatusOr<SysctlKey> ParseSysctlKey(std::string_view key, const DevconfStore& store);

// `sysctl KEY`: the value text the kernel would print.
absl::StatusOr<std::string> SysctlRead(const DevconfStore& store, std::string_view key);

// `sysctl -w KEY=VALUE`: parses VALUE exactly as the kernel's proc handler for that
// key does and applies it with the kernel's side effects. An empty VALUE changes
// nothing and succeeds, as in the kernel.
absl::Status SysctlWrite(DevconfStore& store, std::string_view key, std::string_view value);
// The "KEY=VALUE" form of one argument.
absl::Status SysctlWriteAssignment(DevconfStore& store, std::string_view assignment);

// Every key the store currently answers, sorted, for `sysctl -a`-style listings.
std::vector<std::string> SysctlListKeys(const DevconfStore& store);

}  // namespace pvland::ipv4
