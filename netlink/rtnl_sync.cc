#include "netlink/rtnl_sync.h"

#include <linux/if.h>
#include <linux/ip.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/netconf.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>
#include <netlink/socket.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "daemon/core/proc_int.h"
#include "netlink/nl_convert.h"

namespace pvland::netlink {
namespace {

absl::Status NlError(int err, const char* what) {
  return absl::InternalError(absl::StrCat(what, ": ", nl_geterror(err)));
}

// Kernel route identity, for the sweep after a dump.
struct RouteKey {
  uint32_t table, dst, priority;
  uint8_t len, tos;
  bool operator==(const RouteKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const RouteKey& k) {
    return H::combine(std::move(h), k.table, k.dst, k.priority, k.len, k.tos);
  }
};

RouteKey KeyOf(const ipv4::Route& r) {
  uint32_t mask = r.dst_len == 0 ? 0 : ~uint32_t{0} << (32 - r.dst_len);
  return RouteKey{r.table, r.dst & mask, r.priority, r.dst_len, r.tos};
}

void SetRcvbuf(int fd, int bytes) {
  // SO_RCVBUFFORCE ignores net.core.rmem_max (needs CAP_NET_ADMIN); SO_RCVBUF is
  // the fallback and is silently capped.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
}

bool ReadIgnoreLinkdownAll() {
  return ReadProcInt("/proc/sys/net/ipv4/conf/all/ignore_routes_with_linkdown").value_or(0) != 0;
}

struct SockDeleter {
  void operator()(struct nl_sock* s) const { nl_socket_free(s); }
};
using SockPtr = std::unique_ptr<struct nl_sock, SockDeleter>;

}  // namespace

struct RtnlSync::Impl {
  kernel_state::L3State* state;
  RtnlSyncOptions opt;
  RtnlSyncCounters ctr;
  ChangeCallback cb;

  struct nl_cache_mngr* mngr = nullptr;
  struct nl_cache* links = nullptr;  // owned by mngr
  struct nl_cache* addrs = nullptr;
  struct nl_cache* netconf = nullptr;
  SockPtr route_sock;  // IPv4 route notifications, non-blocking
  SockPtr sync_sock;   // dumps, blocking
  SockPtr proxy_sock;  // static proxy entry dumps, blocking
  int epfd = -1;
  int timerfd = -1;
  int route_rcvbuf = 0;

  // Work and changes gathered while libnl callbacks run, acted on afterwards.
  bool lost = false;
  bool redump_due = false;
  uint8_t changed = 0;  // bit per RtnlChange
  // During a route dump: identities seen, for the sweep.
  absl::flat_hash_set<RouteKey>* seen = nullptr;
  // During a proxy entry dump: the entries so far.
  std::vector<ipv4::ProxyEntry>* proxy_seen = nullptr;

  ~Impl() {
    if (mngr) nl_cache_mngr_free(mngr);
    if (epfd >= 0) close(epfd);
    if (timerfd >= 0) close(timerfd);
  }

  void Mark(RtnlChange c) { changed |= 1u << static_cast<unsigned>(c); }

  // ---- routes ----

  void ApplyRouteMsg(struct nlmsghdr* hdr, bool from_dump) {
    if (hdr->nlmsg_type != RTM_NEWROUTE && hdr->nlmsg_type != RTM_DELROUTE) return;
    struct rtnl_route* raw = nullptr;
    if (!RouteMessageWellFormed(hdr, hdr->nlmsg_len) || rtnl_route_parse(hdr, &raw) < 0 || raw == nullptr) {
      ++ctr.recv_errors;
      lost = true;
      return;
    }
    std::optional<ipv4::Route> r = ConvertRoute(raw);
    rtnl_route_put(raw);
    if (!r) return;
    kernel_state::Fib& fib = state->mutable_fib();
    if (hdr->nlmsg_type == RTM_NEWROUTE) {
      if (seen) seen->insert(KeyOf(*r));
      fib.Upsert(*r);
    } else {
      fib.Remove(*r);
    }
    if (!from_dump) ++ctr.events;
    Mark(RtnlChange::kRoute);
  }

  static int RouteEventThunk(struct nl_msg* msg, void* arg) noexcept {
    static_cast<Impl*>(arg)->ApplyRouteMsg(nlmsg_hdr(msg), false);
    return NL_OK;
  }
  static int RouteDumpThunk(struct nl_msg* msg, void* arg) noexcept {
    static_cast<Impl*>(arg)->ApplyRouteMsg(nlmsg_hdr(msg), true);
    return NL_OK;
  }

  // Reads route notifications until the socket is empty. Returns false on loss.
  bool DrainRoutes() {
    bool ok = true;
    for (;;) {
      int err = nl_recvmsgs_default(route_sock.get());
      if (err >= 0) continue;
      if (err == -NLE_AGAIN) break;
      if (err == -NLE_INTR) continue;
      if (err == -NLE_NOMEM) {
        ++ctr.overruns;  // ENOBUFS
      } else {
        ++ctr.recv_errors;
      }
      ok = false;
    }
    return ok;
  }

  // Dumps every IPv4 route of every table into the Fib and removes what the dump
  // did not show. Older queued notifications are applied first, so none of them
  // can overwrite the dump with stale state afterwards.
  absl::Status DumpRoutes() {
    if (!DrainRoutes()) lost = true;  // the dump below repairs that loss
    for (int attempt = 0;; ++attempt) {
      absl::flat_hash_set<RouteKey> keys;
      seen = &keys;
      int err = nl_rtgen_request(sync_sock.get(), RTM_GETROUTE, AF_INET, NLM_F_DUMP);
      if (err >= 0) err = nl_recvmsgs_default(sync_sock.get());
      seen = nullptr;
      if (err == -NLE_DUMP_INTR && attempt < 5) continue;  // changed mid-dump: redo
      if (err < 0) return NlError(err, "route dump");
      size_t n = state->mutable_fib().RemoveIf(
          [&](const ipv4::Route& r) { return !keys.contains(KeyOf(r)); });
      if (n) Mark(RtnlChange::kRoute);
      return absl::OkStatus();
    }
  }

  // ---- static proxy entries ----

  static int ProxyDumpThunk(struct nl_msg* msg, void* arg) noexcept {
    auto* self = static_cast<Impl*>(arg);
    struct nlmsghdr* hdr = nlmsg_hdr(msg);
    if (self->proxy_seen == nullptr) return NL_OK;
    if (auto e = ConvertProxyNeigh(hdr, hdr->nlmsg_len)) self->proxy_seen->push_back(*e);
    return NL_OK;
  }

  // The kernel announces no change of its static proxy entries (`ip neigh add|del
  // proxy`, nor their flush when a device goes down): they are dumped whole, with
  // RTM_GETNEIGH and ndm_flags exactly NTF_PROXY, and replace the mirrored set.
  //
  // A failed dump keeps the entries as they were and is counted; the next refresh
  // (at most 0.5 s later in the daemon) tries again. It is not a loss of state that
  // would call for a full resync.
  absl::Status DumpProxyEntries() {
    for (int attempt = 0;; ++attempt) {
      std::vector<ipv4::ProxyEntry> entries;
      proxy_seen = &entries;
      struct ndmsg ndm = {};
      ndm.ndm_family = AF_INET;
      ndm.ndm_flags = NTF_PROXY;
      int err = nl_send_simple(proxy_sock.get(), RTM_GETNEIGH, NLM_F_DUMP, &ndm, sizeof(ndm));
      if (err >= 0) err = nl_recvmsgs_default(proxy_sock.get());
      proxy_seen = nullptr;
      if (err == -NLE_DUMP_INTR && attempt < 5) continue;
      if (err < 0) {
        ++ctr.proxy_dump_errors;
        return NlError(err, "proxy entry dump");
      }
      if (state->ReplaceProxyEntries(entries)) Mark(RtnlChange::kProxyEntry);
      return absl::OkStatus();
    }
  }

  // ---- links and addresses ----

  // Routes the kernel flushes without telling anyone when `ifindex` goes admin
  // down or loses its last address: every route whose legs all leave via a device
  // that is down (multipath routes keep a dead leg while another one lives), except
  // host-scope routes, which survive admin down.
  void PurgeRoutesOf(int ifindex, bool include_host_scope) {
    auto down = [&](int dev) {
      if (dev == ifindex) return true;
      const ipv4::Link* l = state->LinkByIndex(dev);
      return l != nullptr && (l->flags & IFF_UP) == 0;
    };
    size_t n = state->mutable_fib().RemoveIf([&](const ipv4::Route& r) {
      if (r.nexthops.empty() || !kernel_state::Fib::RouteUsesDev(r, ifindex)) return false;
      if (!include_host_scope && r.scope >= ipv4::kScopeHost) return false;
      for (const auto& nh : r.nexthops) {
        if (!down(nh.ifindex)) return false;
      }
      return true;
    });
    ctr.purged_routes += n;
    if (n) Mark(RtnlChange::kRoute);
  }

  void ScheduleRedump() {
    struct itimerspec its = {};
    absl::Duration d = opt.redump_debounce;
    if (d <= absl::ZeroDuration()) d = absl::Nanoseconds(1);
    its.it_value = absl::ToTimespec(d);
    timerfd_settime(timerfd, 0, &its, nullptr);  // re-arming restarts the quiet time
  }

  void ApplyLink(struct nl_object* obj, int action) {
    ipv4::Link l = ConvertLink(reinterpret_cast<struct rtnl_link*>(obj));
    ++ctr.events;
    Mark(RtnlChange::kLink);
    if (action == NL_ACT_DEL) {
      const size_t proxies = state->proxy_entry_count();
      state->RemoveLink(l.ifindex);  // with its proxy entries, as unregistering does
      if (state->proxy_entry_count() != proxies) Mark(RtnlChange::kProxyEntry);
      Mark(RtnlChange::kRoute);
      ScheduleRedump();
      return;
    }
    const ipv4::Link* old = state->LinkByIndex(l.ifindex);
    uint32_t old_flags = old ? old->flags : (IFF_UP | IFF_LOWER_UP);
    // IPv6's own RTM_NEWLINK (ifi_family AF_INET6, sent by addrconf on DAD, RA and
    // forwarding changes) carries IFLA_PROTINFO and no IFLA_AF_SPEC, so it says nothing
    // about the device's IPv4 conf: keep what the last full message said.
    if (!l.has_inet_conf && old != nullptr && old->has_inet_conf) {
      l.has_inet_conf = true;
      l.inet_conf = old->inet_conf;
    }
    state->UpsertLink(l);
    constexpr uint32_t kStateBits = IFF_UP | IFF_LOWER_UP | IFF_RUNNING;
    if ((old_flags ^ l.flags) & kStateBits) {
      if ((old_flags & IFF_UP) && !(l.flags & IFF_UP)) {
        PurgeRoutesOf(l.ifindex, false);
        // arp_ifdown flushes the device's proxy entries too; the re-dump confirms it.
        if (state->RemoveProxyEntriesOf(l.ifindex)) Mark(RtnlChange::kProxyEntry);
      }
      Mark(RtnlChange::kRoute);  // nexthop usability changed
      ScheduleRedump();
    }
  }

  void ApplyAddress(struct nl_object* obj, int action) {
    std::optional<ipv4::Address> a = ConvertAddress(reinterpret_cast<struct rtnl_addr*>(obj));
    if (!a) return;
    ++ctr.events;
    Mark(RtnlChange::kAddress);
    if (action == NL_ACT_DEL) {
      state->RemoveAddress(*a);
      if (!state->HasAnyAddress(a->ifindex)) {
        // The last address going takes every route on the device with it.
        PurgeRoutesOf(a->ifindex, true);
      }
      ScheduleRedump();
    } else {
      state->UpsertAddress(*a);
    }
  }

  static void LinkThunk(struct nl_cache*, struct nl_object* obj, int action, void* arg) noexcept {
    static_cast<Impl*>(arg)->ApplyLink(obj, action);
  }
  static void AddrThunk(struct nl_cache*, struct nl_object* obj, int action, void* arg) noexcept {
    static_cast<Impl*>(arg)->ApplyAddress(obj, action);
  }
  // Sets one IPV4_DEVCONF_* value (`id`) of a device's mirrored IFLA_INET_CONF.
  void SetDevconf(int ifindex, int id, int32_t value) {
    const ipv4::Link* l = state->LinkByIndex(ifindex);
    if (l == nullptr || !l->has_inet_conf || l->inet_conf[id - 1] == value) return;
    ipv4::Link copy = *l;
    copy.inet_conf[id - 1] = value;
    state->UpsertLink(copy);
    ++ctr.events;
    Mark(RtnlChange::kLink);
  }

  // A device's forwarding changed: the kernel announces it with RTM_NEWNETCONF only,
  // never with RTM_NEWLINK, so the link's devconf is updated from here.
  void ApplyNetconf(struct nl_object* obj) {
    auto* nc = reinterpret_cast<struct rtnl_netconf*>(obj);
    int family = 0, ifindex = 0, forwarding = 0;
    if (rtnl_netconf_get_family(nc, &family) < 0 || family != AF_INET) return;
    if (rtnl_netconf_get_ifindex(nc, &ifindex) < 0 || ifindex <= 0) return;  // all, default
    if (rtnl_netconf_get_forwarding(nc, &forwarding) < 0) return;
    SetDevconf(ifindex, IPV4_DEVCONF_FORWARDING, forwarding);
  }

  static void NetconfThunk(struct nl_cache*, struct nl_object* obj, int action, void* arg) noexcept {
    auto* self = static_cast<Impl*>(arg);
    if (action != NL_ACT_DEL) self->ApplyNetconf(obj);
    self->state->SetIgnoreRoutesWithLinkdownAll(ReadIgnoreLinkdownAll());
    self->Mark(RtnlChange::kRoute);
  }

  // medium_id is announced by nothing: re-read it for every device with IPv4.
  void RefreshMediumIds() {
    std::vector<std::pair<int, std::string>> devices;
    state->ForEachLink([&](const ipv4::Link& l) {
      if (l.has_inet_conf) devices.emplace_back(l.ifindex, l.name);
    });
    for (const auto& [ifindex, name] : devices) {
      auto v = ReadProcInt(absl::StrCat("/proc/sys/net/ipv4/conf/", name, "/medium_id"));
      if (v) SetDevconf(ifindex, IPV4_DEVCONF_MEDIUM_ID, *v);
    }
  }

  void LoadCaches() {
    nl_cache_foreach(links, [](struct nl_object* o, void* arg) {
      static_cast<Impl*>(arg)->state->UpsertLink(ConvertLink(reinterpret_cast<struct rtnl_link*>(o)));
    }, this);
    nl_cache_foreach(addrs, [](struct nl_object* o, void* arg) {
      if (auto a = ConvertAddress(reinterpret_cast<struct rtnl_addr*>(o))) {
        static_cast<Impl*>(arg)->state->UpsertAddress(*a);
      }
    }, this);
  }

  // Reads link/address/netconf notifications until the socket is empty.
  bool DrainManager() {
    bool ok = true;
    for (int i = 0; i < 1 << 20; ++i) {
      int n = nl_cache_mngr_data_ready(mngr);
      if (n >= 0) break;  // returns after -NLE_AGAIN: nothing left
      if (n == -NLE_INTR) continue;
      if (n == -NLE_NOMEM) {
        ++ctr.overruns;
      } else {
        ++ctr.recv_errors;
      }
      ok = false;
    }
    return ok;
  }

  absl::Status FullResync() {
    ++ctr.resyncs;
    lost = false;
    DrainManager();
    // nl_cache_resync marks, re-dumps and sweeps, reporting each difference through
    // the same callbacks the manager uses.
    for (int attempt = 0;; ++attempt) {
      int err = nl_cache_resync(sync_sock.get(), links, &LinkThunk, this);
      if (err >= 0) err = nl_cache_resync(sync_sock.get(), addrs, &AddrThunk, this);
      if (err == -NLE_DUMP_INTR && attempt < 5) continue;
      if (err < 0) {
        lost = true;
        return NlError(err, "link/address resync");
      }
      break;
    }
    state->SetIgnoreRoutesWithLinkdownAll(ReadIgnoreLinkdownAll());
    absl::Status s = DumpRoutes();
    if (!s.ok()) lost = true;
    (void)DumpProxyEntries();
    Mark(RtnlChange::kResync);
    return s;
  }

  void Notify() {
    uint8_t c = changed;
    changed = 0;
    if (!cb || c == 0) return;
    if (c & (1u << static_cast<unsigned>(RtnlChange::kResync))) {
      cb(RtnlChange::kResync);
      return;
    }
    for (RtnlChange k : {RtnlChange::kLink, RtnlChange::kAddress, RtnlChange::kRoute, RtnlChange::kProxyEntry}) {
      if (c & (1u << static_cast<unsigned>(k))) cb(k);
    }
  }
};

RtnlSync::RtnlSync(kernel_state::L3State* state, RtnlSyncOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->state = state;
  impl_->opt = options;
}

RtnlSync::~RtnlSync() = default;

absl::Status RtnlSync::Start() {
  Impl& m = *impl_;
  if (m.mngr != nullptr) return absl::FailedPreconditionError("RtnlSync already started");

  m.sync_sock.reset(nl_socket_alloc());
  m.route_sock.reset(nl_socket_alloc());
  if (!m.sync_sock || !m.route_sock) return absl::ResourceExhaustedError("nl_socket_alloc");
  int err = nl_connect(m.sync_sock.get(), NETLINK_ROUTE);
  if (err < 0) return NlError(err, "connect sync socket");
  nl_socket_modify_cb(m.sync_sock.get(), NL_CB_VALID, NL_CB_CUSTOM, &Impl::RouteDumpThunk, &m);
  nl_socket_set_msg_buf_size(m.sync_sock.get(), 64 << 10);
  m.proxy_sock.reset(nl_socket_alloc());
  if (!m.proxy_sock) return absl::ResourceExhaustedError("nl_socket_alloc");
  err = nl_connect(m.proxy_sock.get(), NETLINK_ROUTE);
  if (err < 0) return NlError(err, "connect proxy entry socket");
  nl_socket_modify_cb(m.proxy_sock.get(), NL_CB_VALID, NL_CB_CUSTOM, &Impl::ProxyDumpThunk, &m);

  // Routes: subscribe before the first dump so nothing between the two is missed.
  struct nl_sock* rs = m.route_sock.get();
  nl_socket_disable_seq_check(rs);
  nl_socket_modify_cb(rs, NL_CB_VALID, NL_CB_CUSTOM, &Impl::RouteEventThunk, &m);
  err = nl_connect(rs, NETLINK_ROUTE);
  if (err < 0) return NlError(err, "connect route socket");
  err = nl_socket_add_membership(rs, RTNLGRP_IPV4_ROUTE);
  if (err < 0) return NlError(err, "join RTNLGRP_IPV4_ROUTE");
  nl_socket_set_nonblocking(rs);
  // One recv per datagram of up to this size, no MSG_PEEK double read.
  nl_socket_set_msg_buf_size(rs, 64 << 10);
  SetRcvbuf(nl_socket_get_fd(rs), m.opt.rcvbuf_bytes);
  socklen_t len = sizeof(m.route_rcvbuf);
  getsockopt(nl_socket_get_fd(rs), SOL_SOCKET, SO_RCVBUF, &m.route_rcvbuf, &len);

  // Links, addresses, netconf: libnl cache manager (joins groups, then dumps).
  err = nl_cache_mngr_alloc(nullptr, NETLINK_ROUTE, 0, &m.mngr);
  if (err < 0) return NlError(err, "nl_cache_mngr_alloc");
  SetRcvbuf(nl_cache_mngr_get_fd(m.mngr), m.opt.rcvbuf_bytes);
  err = nl_cache_mngr_add(m.mngr, "route/link", &Impl::LinkThunk, &m, &m.links);
  if (err < 0) return NlError(err, "link cache");
  err = nl_cache_mngr_add(m.mngr, "route/addr", &Impl::AddrThunk, &m, &m.addrs);
  if (err < 0) return NlError(err, "address cache");
  // Optional: announces changes of all/ignore_routes_with_linkdown.
  if (nl_cache_mngr_add(m.mngr, "route/netconf", &Impl::NetconfThunk, &m, &m.netconf) < 0) {
    m.netconf = nullptr;
  }
  m.LoadCaches();
  m.state->SetIgnoreRoutesWithLinkdownAll(ReadIgnoreLinkdownAll());

  m.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  m.epfd = epoll_create1(EPOLL_CLOEXEC);
  if (m.timerfd < 0 || m.epfd < 0) return absl::ErrnoToStatus(errno, "timerfd/epoll");
  for (int fd : {nl_socket_get_fd(rs), nl_cache_mngr_get_fd(m.mngr), m.timerfd}) {
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(m.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      return absl::ErrnoToStatus(errno, "epoll_ctl");
    }
  }

  absl::Status s = m.DumpRoutes();
  if (!s.ok()) return s;
  s = m.DumpProxyEntries();
  if (!s.ok()) return s;
  if (m.lost) {
    s = m.FullResync();
    --m.ctr.resyncs;  // part of the start, not a recovery
  }
  m.changed = 0;
  return s;
}

int RtnlSync::fd() const { return impl_->epfd; }

void RtnlSync::OnReadable() {
  Impl& m = *impl_;
  if (m.mngr == nullptr) return;
  if (!m.DrainManager()) m.lost = true;
  if (!m.DrainRoutes()) m.lost = true;
  uint64_t expirations = 0;
  if (read(m.timerfd, &expirations, sizeof(expirations)) == sizeof(expirations)) {
    m.redump_due = true;
  }
  if (m.lost) {
    m.redump_due = false;
    m.FullResync().IgnoreError();  // a failure leaves lost set: retried next time
  } else if (m.redump_due) {
    m.redump_due = false;
    ++m.ctr.route_redumps;
    if (!m.DumpRoutes().ok()) m.lost = true;
    (void)m.DumpProxyEntries();
  }
  m.state->fib().Commit();
  m.Notify();
}

absl::Status RtnlSync::Resync() {
  Impl& m = *impl_;
  if (m.mngr == nullptr) return absl::FailedPreconditionError("RtnlSync not started");
  absl::Status s = m.FullResync();
  m.state->fib().Commit();
  m.Notify();
  return s;
}

void RtnlSync::RefreshUnannounced() {
  Impl& m = *impl_;
  if (m.mngr == nullptr) return;
  m.RefreshMediumIds();
  (void)m.DumpProxyEntries();
  m.state->fib().Commit();
  m.Notify();
}

void RtnlSync::SetChangeCallback(ChangeCallback cb) { impl_->cb = std::move(cb); }

const RtnlSyncCounters& RtnlSync::counters() const { return impl_->ctr; }

int RtnlSync::route_rcvbuf_bytes() const { return impl_->route_rcvbuf; }

}  // namespace pvland::netlink
