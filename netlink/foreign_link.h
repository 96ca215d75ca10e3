// Links in other network namespaces, read over rtnetlink (libmnl) from pvland's own: the
// device a port's host sees as its NIC may be a TAP moved into a guest namespace or the
// peer of a veth, and neither can be named by an ifindex of ours. The kernel answers for
// any namespace that has an nsid in ours (IFLA_TARGET_NETNSID), so every question here
// takes an optional nsid: nullopt is pvland's own namespace.
//
// The queries are synchronous, one short-lived socket each: they run between batches,
// at most once per port per change or second, and need no state kept in between.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/core/unique_fd.h"
#include "include/pvland/types.h"

namespace pvland::netlink {

struct ForeignLink {
  int ifindex = 0;
  std::string name;
  std::string kind;  // IFLA_INFO_KIND ("veth", "tun", "macvlan"); empty for a NIC
  MacAddr mac{};
  unsigned flags = 0;        // ifi_flags; IFF_PROMISC here is `ip link set promisc on` only
  uint32_t promiscuity = 0;  // IFLA_PROMISCUITY: every promiscuous user (tcpdump, a bridge)
  int link_ifindex = 0;      // IFLA_LINK: a veth's peer, a macvlan's lower device; 0 if none
  // IFLA_LINK_NETNSID: the namespace of link_ifindex as an nsid of pvland's namespace
  // (the kernel answers relative to the asker); nullopt when it is the link's own.
  std::optional<int> link_nsid;

  bool promiscuous() const;
};

// The link `ifindex` (or named `name`) in namespace `target_nsid`. NotFound when there is
// none, which is also what a device in the middle of a move answers.
absl::StatusOr<ForeignLink> QueryLink(std::optional<int> target_nsid, int ifindex);
absl::StatusOr<ForeignLink> QueryLinkByName(std::optional<int> target_nsid, std::string_view name);

// The nsid the namespace of `netns_fd` has in pvland's namespace, assigned now if it had
// none; nullopt when it is pvland's own namespace (no nsid needed to ask about it).
absl::StatusOr<std::optional<int>> NsidOfNetns(int netns_fd);

// Link notifications from pvland's namespace and from every namespace that has an nsid
// in it (NETLINK_LISTEN_ALL_NSID): a guest changing its TAP's MAC, a veth peer going
// promiscuous. Non-blocking; the caller polls fd() and re-reads what it cares about.
class LinkNotifier {
 public:
  static absl::StatusOr<LinkNotifier> Open();

  int fd() const { return fd_.get(); }
  // Reads everything pending. True when a link was added, changed or removed, or when
  // notifications were lost (ENOBUFS), so anything may have changed.
  bool Drain();

 private:
  explicit LinkNotifier(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace pvland::netlink
