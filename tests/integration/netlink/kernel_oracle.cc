#include "tests/integration/netlink/kernel_oracle.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <cstdlib>
#include <memory>
#include <vector>

namespace pvland::netlink::testing {
namespace {

struct MnlCloser {
  void operator()(struct mnl_socket* s) const { mnl_socket_close(s); }
};
using MnlPtr = std::unique_ptr<struct mnl_socket, MnlCloser>;

MnlPtr OpenRoute() {
  MnlPtr s(mnl_socket_open(NETLINK_ROUTE));
  if (s && mnl_socket_bind(s.get(), 0, MNL_SOCKET_AUTOPID) < 0) s.reset();
  return s;
}

struct Attrs {
  const struct nlattr* tb[RTA_MAX + 1] = {};
};

int AttrCb(const struct nlattr* attr, void* data) {
  auto* a = static_cast<Attrs*>(data);
  int type = mnl_attr_get_type(attr);
  if (type >= 0 && type <= RTA_MAX) a->tb[type] = attr;
  return MNL_CB_OK;
}

uint32_t U32Be(const struct nlattr* a) { return ntohl(mnl_attr_get_u32(a)); }

}  // namespace

KernelRoute KernelGetRoute(uint32_t dst, uint8_t tos) {
  KernelRoute out;
  MnlPtr s = OpenRoute();
  if (!s) {
    out.error = -1;
    return out;
  }
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = 1;
  auto* rtm = static_cast<struct rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 32;
  rtm->rtm_tos = tos;
  mnl_attr_put_u32(nlh, RTA_DST, htonl(dst));
  if (mnl_socket_sendto(s.get(), nlh, nlh->nlmsg_len) < 0) {
    out.error = -1;
    return out;
  }
  ssize_t n = mnl_socket_recvfrom(s.get(), buf, sizeof(buf));
  if (n <= 0) {
    out.error = -1;
    return out;
  }
  auto* reply = reinterpret_cast<struct nlmsghdr*>(buf);
  if (reply->nlmsg_type == NLMSG_ERROR) {
    auto* e = static_cast<struct nlmsgerr*>(mnl_nlmsg_get_payload(reply));
    out.error = -e->error;
    return out;
  }
  auto* r = static_cast<struct rtmsg*>(mnl_nlmsg_get_payload(reply));
  out.type = r->rtm_type;
  Attrs a;
  mnl_attr_parse(reply, sizeof(struct rtmsg), AttrCb, &a);
  if (a.tb[RTA_OIF]) out.oif = static_cast<int>(mnl_attr_get_u32(a.tb[RTA_OIF]));
  if (a.tb[RTA_GATEWAY]) out.gateway = U32Be(a.tb[RTA_GATEWAY]);
  out.table = a.tb[RTA_TABLE] ? mnl_attr_get_u32(a.tb[RTA_TABLE]) : r->rtm_table;
  return out;
}

std::set<RouteIdentity> KernelRouteIdentities() {
  std::set<RouteIdentity> ids;
  MnlPtr s = OpenRoute();
  if (!s) return ids;
  std::vector<char> buf(1 << 20);
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = 2;
  auto* rtm = static_cast<struct rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg)));
  rtm->rtm_family = AF_INET;
  if (mnl_socket_sendto(s.get(), nlh, nlh->nlmsg_len) < 0) return ids;
  unsigned portid = mnl_socket_get_portid(s.get());
  auto cb = [](const struct nlmsghdr* h, void* data) -> int {
    auto* out = static_cast<std::set<RouteIdentity>*>(data);
    auto* r = static_cast<const struct rtmsg*>(mnl_nlmsg_get_payload(h));
    if (r->rtm_family != AF_INET || (r->rtm_flags & RTM_F_CLONED)) return MNL_CB_OK;
    Attrs a;
    mnl_attr_parse(h, sizeof(struct rtmsg), AttrCb, &a);
    uint32_t table = a.tb[RTA_TABLE] ? mnl_attr_get_u32(a.tb[RTA_TABLE]) : r->rtm_table;
    uint32_t dst = a.tb[RTA_DST] ? U32Be(a.tb[RTA_DST]) : 0;
    uint32_t prio = a.tb[RTA_PRIORITY] ? mnl_attr_get_u32(a.tb[RTA_PRIORITY]) : 0;
    out->insert({table, dst, r->rtm_dst_len, r->rtm_tos, prio});
    return MNL_CB_OK;
  };
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(s.get(), buf.data(), buf.size());
    if (n <= 0) break;
    int ret = mnl_cb_run(buf.data(), n, 2, portid, cb, &ids);
    if (ret <= MNL_CB_STOP) break;
  }
  return ids;
}

int Sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace pvland::netlink::testing
