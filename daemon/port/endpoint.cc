#include "daemon/port/endpoint.h"

#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/core/unique_fd.h"
#include "netlink/foreign_link.h"

namespace pvland {
namespace {

std::optional<EndpointLink> ToEndpoint(const absl::StatusOr<netlink::ForeignLink>& link,
                                       std::optional<int> nsid) {
  // Not found is what a device in the middle of a move answers: the next read finds it.
  if (!link.ok()) return std::nullopt;
  EndpointLink e;
  e.mac = link->mac;
  e.promiscuous = link->promiscuous();
  e.where = nsid ? absl::StrCat(link->name, " in netns id ", *nsid) : absl::StrCat(link->name, " in pvland's netns");
  return e;
}

}  // namespace

std::optional<EndpointLink> ReadTapEndpoint(int tap_fd) {
  if (tap_fd < 0) return std::nullopt;
  // TUNGETDEVNETNS (Linux 5.2) hands out a new fd of the TAP's namespace, ours to close.
  UniqueFd netns(ioctl(tap_fd, TUNGETDEVNETNS));
  if (!netns.valid()) return std::nullopt;
  auto nsid = netlink::NsidOfNetns(netns.get());
  if (!nsid.ok()) return std::nullopt;
  ifreq ifr{};
  if (ioctl(tap_fd, TUNGETIFF, &ifr) < 0) return std::nullopt;
  const std::string name(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
  return ToEndpoint(netlink::QueryLinkByName(*nsid, name), *nsid);
}

std::optional<EndpointLink> ReadVethPeerEndpoint(int ifindex) {
  if (ifindex <= 0) return std::nullopt;
  auto ours = netlink::QueryLink(std::nullopt, ifindex);
  // Only a veth's IFLA_LINK is a peer: a macvlan's or a VLAN's is its lower device.
  if (!ours.ok() || ours->kind != "veth" || ours->link_ifindex == 0) return std::nullopt;
  // link_nsid is relative to pvland's namespace; none means the peer is here too.
  return ToEndpoint(netlink::QueryLink(ours->link_nsid, ours->link_ifindex), ours->link_nsid);
}

}  // namespace pvland
