#include "netlink/foreign_link.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace pvland::netlink {
namespace {

// Room for one RTM_NEWLINK without statistics (a few KiB) and its ack.
constexpr size_t kBufBytes = 32 * 1024;

// Sends `req` with NLM_F_ACK on a fresh rtnetlink socket and hands every answer to `cb`
// until the ack; a kernel error comes back as its errno.
absl::Status Transact(nlmsghdr* req, mnl_cb_t cb, void* data, const std::string& what) {
  UniqueFd sock(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!sock.valid()) return absl::ErrnoToStatus(errno, "rtnetlink socket");
  req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  req->nlmsg_seq = 1;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(sock.get(), req, req->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return absl::ErrnoToStatus(errno, what);
  alignas(nlmsghdr) char buf[kBufBytes];
  for (;;) {
    const ssize_t n = recv(sock.get(), buf, sizeof buf, 0);
    if (n < 0) return absl::ErrnoToStatus(errno, what);
    // portid 0: the socket is ours alone, so every answer is for this request.
    const int ret = mnl_cb_run(buf, static_cast<size_t>(n), 1, 0, cb, data);
    if (ret < 0) return absl::ErrnoToStatus(errno, what);
    if (ret == MNL_CB_STOP) return absl::OkStatus();
  }
}

template <int kMax>
struct Attrs {
  const nlattr* tb[kMax + 1] = {};
  static int Collect(const nlattr* a, void* data) {
    const int type = mnl_attr_get_type(a);
    if (type <= kMax) static_cast<Attrs*>(data)->tb[type] = a;  // newer kernels add more
    return MNL_CB_OK;
  }
};

struct LinkReply {
  bool seen = false;
  ForeignLink link;
};

int OnLink(const nlmsghdr* nlh, void* data) {
  if (nlh->nlmsg_type != RTM_NEWLINK) return MNL_CB_OK;
  auto* r = static_cast<LinkReply*>(data);
  const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  Attrs<IFLA_MAX> a;
  mnl_attr_parse(nlh, sizeof(ifinfomsg), Attrs<IFLA_MAX>::Collect, &a);
  ForeignLink& l = r->link;
  l.ifindex = ifi->ifi_index;
  l.flags = ifi->ifi_flags;
  if (a.tb[IFLA_IFNAME]) l.name = mnl_attr_get_str(a.tb[IFLA_IFNAME]);
  if (a.tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(a.tb[IFLA_ADDRESS]) == l.mac.size())
    std::memcpy(l.mac.data(), mnl_attr_get_payload(a.tb[IFLA_ADDRESS]), l.mac.size());
  if (a.tb[IFLA_PROMISCUITY]) l.promiscuity = mnl_attr_get_u32(a.tb[IFLA_PROMISCUITY]);
  if (a.tb[IFLA_LINK]) l.link_ifindex = static_cast<int>(mnl_attr_get_u32(a.tb[IFLA_LINK]));
  if (a.tb[IFLA_LINK_NETNSID]) l.link_nsid = static_cast<int>(mnl_attr_get_u32(a.tb[IFLA_LINK_NETNSID]));
  if (a.tb[IFLA_LINKINFO]) {
    Attrs<IFLA_INFO_MAX> info;
    mnl_attr_parse_nested(a.tb[IFLA_LINKINFO], Attrs<IFLA_INFO_MAX>::Collect, &info);
    if (info.tb[IFLA_INFO_KIND]) l.kind = mnl_attr_get_str(info.tb[IFLA_INFO_KIND]);
  }
  r->seen = true;
  return MNL_CB_OK;
}

// RTM_GETLINK by index, or by name when ifindex is 0.
absl::StatusOr<ForeignLink> GetLink(std::optional<int> target_nsid, int ifindex, std::string_view name) {
  alignas(nlmsghdr) char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETLINK;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  if (ifindex == 0) mnl_attr_put_strz(nlh, IFLA_IFNAME, std::string(name).c_str());
  if (target_nsid) mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, static_cast<uint32_t>(*target_nsid));
  mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);  // keeps the answer small
  LinkReply r;
  const std::string what =
      absl::StrCat("RTM_GETLINK ", ifindex ? absl::StrCat(ifindex) : std::string(name),
                   target_nsid ? absl::StrCat(" in netns id ", *target_nsid) : "");
  if (auto s = Transact(nlh, OnLink, &r, what); !s.ok()) return s;
  if (!r.seen) return absl::NotFoundError(what + ": no answer");
  return r.link;
}

struct NsidReply {
  std::optional<int> nsid;
};

int OnNsid(const nlmsghdr* nlh, void* data) {
  if (nlh->nlmsg_type != RTM_NEWNSID) return MNL_CB_OK;
  Attrs<NETNSA_MAX> a;
  mnl_attr_parse(nlh, sizeof(rtgenmsg), Attrs<NETNSA_MAX>::Collect, &a);
  if (a.tb[NETNSA_NSID]) static_cast<NsidReply*>(data)->nsid = static_cast<int>(mnl_attr_get_u32(a.tb[NETNSA_NSID]));
  return MNL_CB_OK;
}

// RTM_GETNSID (answered by RTM_NEWNSID) or RTM_NEWNSID (answered by an ack) for the
// namespace of `netns_fd`.
absl::StatusOr<int> NsidRequest(uint16_t type, int netns_fd, std::optional<int> nsid) {
  alignas(nlmsghdr) char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  static_cast<rtgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtgenmsg)))->rtgen_family = AF_UNSPEC;
  mnl_attr_put_u32(nlh, NETNSA_FD, static_cast<uint32_t>(netns_fd));
  if (nsid) mnl_attr_put_u32(nlh, NETNSA_NSID, static_cast<uint32_t>(*nsid));
  NsidReply r;
  const char* what = type == RTM_GETNSID ? "RTM_GETNSID" : "RTM_NEWNSID";
  if (auto s = Transact(nlh, OnNsid, &r, what); !s.ok()) return s;
  return r.nsid.value_or(NETNSA_NSID_NOT_ASSIGNED);
}

}  // namespace

bool ForeignLink::promiscuous() const { return (flags & IFF_PROMISC) != 0 || promiscuity > 0; }

absl::StatusOr<ForeignLink> QueryLink(std::optional<int> target_nsid, int ifindex) {
  if (ifindex <= 0) return absl::InvalidArgumentError(absl::StrCat("bad ifindex ", ifindex));
  return GetLink(target_nsid, ifindex, {});
}

absl::StatusOr<ForeignLink> QueryLinkByName(std::optional<int> target_nsid, std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    return absl::InvalidArgumentError(absl::StrCat("bad interface name '", std::string(name), "'"));
  return GetLink(target_nsid, 0, name);
}

absl::StatusOr<std::optional<int>> NsidOfNetns(int netns_fd) {
  // Our own namespace has no use for an nsid: the kernel answers for it without one.
  struct stat peer {}, own {};
  if (fstat(netns_fd, &peer) < 0) return absl::ErrnoToStatus(errno, "fstat netns fd");
  if (stat("/proc/thread-self/ns/net", &own) < 0) return absl::ErrnoToStatus(errno, "stat own netns");
  if (peer.st_dev == own.st_dev && peer.st_ino == own.st_ino) return std::nullopt;

  absl::StatusOr<int> id = NsidRequest(RTM_GETNSID, netns_fd, std::nullopt);
  if (!id.ok() || *id != NETNSA_NSID_NOT_ASSIGNED) return id;
  // None yet: let the kernel pick one (-1). EEXIST: someone assigned one meanwhile.
  if (auto s = NsidRequest(RTM_NEWNSID, netns_fd, -1); !s.ok() && !absl::IsAlreadyExists(s.status()))
    return s.status();
  id = NsidRequest(RTM_GETNSID, netns_fd, std::nullopt);
  if (id.ok() && *id == NETNSA_NSID_NOT_ASSIGNED) return absl::InternalError("netns still has no nsid");
  return id;
}

absl::StatusOr<LinkNotifier> LinkNotifier::Open() {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "rtnetlink socket");
  sockaddr_nl self{};
  self.nl_family = AF_NETLINK;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&self), sizeof self) < 0)
    return absl::ErrnoToStatus(errno, "bind rtnetlink");
  const int group = RTNLGRP_LINK, on = 1;
  if (setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0)
    return absl::ErrnoToStatus(errno, "NETLINK_ADD_MEMBERSHIP RTNLGRP_LINK");
  // Without it only our own namespace's links are heard, not a guest's TAP.
  if (setsockopt(fd.get(), SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &on, sizeof on) < 0)
    return absl::ErrnoToStatus(errno, "NETLINK_LISTEN_ALL_NSID");
  return LinkNotifier(std::move(fd));
}

bool LinkNotifier::Drain() {
  bool changed = false;
  alignas(nlmsghdr) char buf[kBufBytes];
  for (;;) {
    ssize_t n = recv(fd_.get(), buf, sizeof buf, 0);
    if (n == 0) return changed;
    if (n < 0) {
      if (errno == ENOBUFS) {  // the socket overflowed: what was lost is unknown
        changed = true;
        continue;
      }
      if (errno == EINTR) continue;
      return changed;  // EAGAIN: all read
    }
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len))
      changed |= nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK;
  }
}

}  // namespace pvland::netlink
