// How a port finds its endpoint, the device the host behind it sees as its NIC, wherever
// that device's namespace is now (daemon/port/port.h, EndpointLink). The ports call these
// from ReadEndpoint(); the queries themselves are netlink/foreign_link.h.
#pragma once

#include <optional>

#include "daemon/port/port.h"

namespace pvland {

// The TAP behind `tap_fd` itself: the fd follows it into any namespace and knows its
// current name there (a guest may rename it).
std::optional<EndpointLink> ReadTapEndpoint(int tap_fd);

// The peer of the veth `ifindex` of pvland's namespace, in whatever namespace it is;
// nullopt for any other kind of interface (a NIC, a macvlan: no peer).
std::optional<EndpointLink> ReadVethPeerEndpoint(int ifindex);

}  // namespace pvland
