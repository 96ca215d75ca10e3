// rtnetlink messages -> libnl objects -> netlink/nl_convert.h -> the kernel-state mirror,
// the path rtnl_sync.cc takes for every dump and notification: links and addresses
// through libnl's cache parsers (nl_msg_parse), routes through rtnl_route_parse, proxy
// neighbour entries through pvland's own reader. The converted values are applied to an
// L3State (FIB included) as the sync applies them, and the FIB is asked about them.
//
// Input: netlink messages as the kernel sends them (a recvmsg buffer of a dump); a
// message whose nlmsg_len does not fit ends the input, as libnl's own receive loop
// stops there.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/object.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "daemon/kernel_state/l3_state.h"
#include "netlink/nl_convert.h"

namespace pvland {
namespace {

struct Apply {
  kernel_state::L3State* state;
  bool del;
};

void OnObject(struct nl_object* obj, void* arg) {
  auto* a = static_cast<Apply*>(arg);
  const std::string type = nl_object_get_type(obj);
  if (type == "route/link") {
    ipv4::Link l = netlink::ConvertLink(reinterpret_cast<struct rtnl_link*>(obj));
    if (a->del) a->state->RemoveLink(l.ifindex);
    else a->state->UpsertLink(l);
  } else if (type == "route/addr") {
    if (auto addr = netlink::ConvertAddress(reinterpret_cast<struct rtnl_addr*>(obj))) {
      if (a->del) a->state->RemoveAddress(*addr);
      else a->state->UpsertAddress(*addr);
    }
  }
}

void OneMessage(kernel_state::L3State& state, std::vector<ipv4::ProxyEntry>& proxies, struct nlmsghdr* hdr) {
  const uint16_t t = hdr->nlmsg_type;
  if (t == RTM_NEWROUTE || t == RTM_DELROUTE) {
    struct rtnl_route* raw = nullptr;
    if (!netlink::RouteMessageWellFormed(hdr, hdr->nlmsg_len) || rtnl_route_parse(hdr, &raw) < 0 || raw == nullptr)
      return;
    std::optional<ipv4::Route> r = netlink::ConvertRoute(raw);
    rtnl_route_put(raw);
    if (!r) return;
    kernel_state::Fib& fib = state.mutable_fib();
    if (t == RTM_NEWROUTE) fib.Upsert(*r);
    else fib.Remove(*r);
    state.AddrType(r->dst);
    return;
  }
  if (t == RTM_NEWNEIGH) {
    if (auto e = netlink::ConvertProxyNeigh(hdr, hdr->nlmsg_len)) proxies.push_back(*e);
    return;
  }
  if (t == RTM_NEWLINK || t == RTM_DELLINK || t == RTM_NEWADDR || t == RTM_DELADDR) {
    struct nl_msg* msg = nlmsg_convert(hdr);
    if (msg == nullptr) return;
    Apply a{&state, t == RTM_DELLINK || t == RTM_DELADDR};
    nl_msg_parse(msg, &OnObject, &a);
    nlmsg_free(msg);
  }
}

}  // namespace
}  // namespace pvland

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pvland;
  kernel_state::L3State state;
  std::vector<ipv4::ProxyEntry> proxies;
  while (size >= NLMSG_HDRLEN) {
    struct nlmsghdr h;
    std::memcpy(&h, data, sizeof h);
    if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > size) break;
    // Each message in an allocation of exactly its length (4-byte aligned, as malloc's
    // are), so a read past it is caught.
    auto* copy = new uint8_t[h.nlmsg_len];
    std::memcpy(copy, data, h.nlmsg_len);
    OneMessage(state, proxies, reinterpret_cast<struct nlmsghdr*>(copy));
    delete[] copy;
    const size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= size) break;
    data += step;
    size -= step;
  }
  state.ReplaceProxyEntries(proxies);
  return 0;
}
