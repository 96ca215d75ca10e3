#include "daemon/port/port_factory.h"

#include "absl/strings/str_cat.h"
#include "daemon/port/af_packet_port.h"

namespace pvland {
namespace {

struct PortType {
  std::string_view name;
  std::unique_ptr<Port> (*make)(const std::string& name, const PortEnv& env, const PortParams& params);
  bool vxlan = false;  // takes PortParams::vxlan (and needs it)
};

constexpr PortType kPortTypes[] = {
    {"netdev", [](const std::string& n, const PortEnv& e, const PortParams&) -> std::unique_ptr<Port> {
       return std::make_unique<AfPacketPort>(n, e.guard);
     }},
    {"tap", [](const std::string& n, const PortEnv&, const PortParams&) -> std::unique_ptr<Port> {
       return std::make_unique<TapPort>(n, /*internal=*/false);
     }},
    {"internal", [](const std::string& n, const PortEnv& e, const PortParams&) -> std::unique_ptr<Port> {
       return std::make_unique<TapPort>(n, /*internal=*/true, e.l3_device);
     }},
    {"vxlan",
     [](const std::string& n, const PortEnv& e, const PortParams& p) -> std::unique_ptr<Port> {
       return std::make_unique<VxlanPort>(n, *p.vxlan, e.clock != nullptr ? *e.clock : SystemClock::Get());
     },
     /*vxlan=*/true},
};

}  // namespace

absl::StatusOr<std::unique_ptr<Port>> MakePort(std::string_view type, const std::string& name, const PortEnv& env,
                                               const PortParams& params) {
  for (const PortType& t : kPortTypes) {
    if (t.name != type) continue;
    if (params.vxlan && !t.vxlan)
      return absl::InvalidArgumentError(
          absl::StrCat("vni, remote, local and dstport are settings of type vxlan, not ", std::string(type)));
    if (t.vxlan) {
      if (!params.vxlan) return absl::InvalidArgumentError("type vxlan needs vni N and remote IP");
      if (absl::Status s = CheckVxlanConfig(*params.vxlan); !s.ok()) return s;
    }
    return t.make(name, env, params);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("port type must be ", PortTypeList(), ", not '", std::string(type), "'"));
}

std::string PortTypeList() {
  std::string out;
  constexpr size_t n = std::size(kPortTypes);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += (i + 1 == n) ? " or " : ", ";
    out += kPortTypes[i].name;
  }
  return out;
}

}  // namespace pvland
