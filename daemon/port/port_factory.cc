#include "daemon/port/port_factory.h"

#include "absl/strings/str_cat.h"
#include "daemon/port/af_packet_port.h"

namespace pvland {
namespace {

struct PortType {
  std::string_view name;
  std::unique_ptr<Port> (*make)(const std::string& name, const PortEnv& env);
};

constexpr PortType kPortTypes[] = {
    {"netdev", [](const std::string& n, const PortEnv& e) -> std::unique_ptr<Port> {
       return std::make_unique<AfPacketPort>(n, e.guard);
     }},
    {"tap", [](const std::string& n, const PortEnv&) -> std::unique_ptr<Port> {
       return std::make_unique<TapPort>(n, /*internal=*/false);
     }},
    {"internal", [](const std::string& n, const PortEnv& e) -> std::unique_ptr<Port> {
       return std::make_unique<TapPort>(n, /*internal=*/true, e.l3_device);
     }},
};

}  // namespace

absl::StatusOr<std::unique_ptr<Port>> MakePort(std::string_view type, const std::string& name, const PortEnv& env) {
  for (const PortType& t : kPortTypes)
    if (t.name == type) return t.make(name, env);
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
