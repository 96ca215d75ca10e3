// Port types by name: what `port add NAME type T` can create. A new port type is one
// more row in port_factory.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/port/ingress_guard.h"
#include "daemon/port/port.h"
#include "daemon/port/tap_port.h"
#include "daemon/port/vxlan_port.h"

namespace pvland {

// What ports may need from the rest of the daemon.
struct PortEnv {
  IngressGuard* guard = nullptr;  // null: the kernel also sees frames on attached interfaces
  L3DeviceHooks l3_device;        // for internal ports
  const Clock* clock = nullptr;   // ages what ports learn (VXLAN remotes); null: the system's
};

// The settings of one port type given with `port add NAME type T ...`; each belongs to
// one type, and the others refuse it.
struct PortParams {
  std::optional<VxlanConfig> vxlan;  // type vxlan: required
};

// A port of type `type` named `name`, not yet opened; InvalidArgument for an unknown type,
// for parameters of another type, or for a type's missing or invalid parameters.
absl::StatusOr<std::unique_ptr<Port>> MakePort(std::string_view type, const std::string& name, const PortEnv& env,
                                               const PortParams& params = {});

// "netdev, tap, internal or vxlan": the types MakePort knows, for messages.
std::string PortTypeList();

}  // namespace pvland
