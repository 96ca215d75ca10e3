#include "daemon/port/interface_query.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "daemon/core/unique_fd.h"

namespace pvland {

std::optional<InterfaceInfo> QueryInterface(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return std::nullopt;
  UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  if (ioctl(sock.get(), SIOCGIFINDEX, &ifr) < 0) return std::nullopt;
  InterfaceInfo info;
  info.ifindex = ifr.ifr_ifindex;
  if (ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) return std::nullopt;
  info.flags = ifr.ifr_flags;
  if (ioctl(sock.get(), SIOCGIFHWADDR, &ifr) == 0) info.mac = ToMac(reinterpret_cast<uint8_t*>(ifr.ifr_hwaddr.sa_data));
  return info;
}

}  // namespace pvland
