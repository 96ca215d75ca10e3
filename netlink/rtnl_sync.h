// Mirrors the namespace's links, IPv4 addresses and IPv4 routes (all tables) into
// an L3State over rtnetlink, with libnl-route-3.
//
// Design:
//  * Links and addresses live in a libnl cache manager (subscribe first, then dump;
//    events queued during the dump are applied after it, which converges because
//    every event carries the whole object).
//  * Routes are parsed by libnl's route parser on a socket of our own and applied to
//    the Fib directly, without a libnl route cache: a cache would hold a second,
//    several times larger copy of a million-route table, and libnl's route identity
//    is not the kernel's. The Fib keys routes by the kernel's identity.
//  * Overflow (ENOBUFS, reported by libnl as -NLE_NOMEM) or any other receive error
//    means "state lost": count it and resync everything from fresh dumps, outside
//    any libnl callback, before OnReadable returns.
//  * What the kernel does not announce (docs/kernel-semantics.md §5.3): when a device
//    goes admin down, loses its last address or disappears, routes whose legs all
//    used it are purged at once, and its carrier/admin state is handed to the Fib
//    for LINKDOWN/DEAD handling; after any up/down/carrier change a full route
//    re-dump is scheduled, debounced, to pick up what the kernel flushed or revived.
//  * A device's forwarding follows RTM_NEWNETCONF (libnl's netconf cache); its
//    medium_id, which nothing announces, follows RefreshUnannounced().
//  * The ARP table's static proxy entries (`ip neigh add proxy`) are announced by
//    nothing either: they are dumped at start, on every resync and route re-dump, and
//    by RefreshUnannounced(); a device going admin down or away drops its own at once,
//    as the kernel's arp_ifdown does.
//  * fd() is an epoll fd grouping the sockets and the debounce timer, so the caller
//    watches a single descriptor; call OnReadable() whenever it is readable.
//
// Not thread-safe: construct, Start and call OnReadable on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::netlink {

struct RtnlSyncCounters {
  uint64_t events = 0;          // notifications applied (link, address, route)
  uint64_t resyncs = 0;         // full resyncs after state loss
  uint64_t overruns = 0;        // ENOBUFS seen on any socket
  uint64_t recv_errors = 0;     // other receive/parse errors (also trigger a resync)
  uint64_t route_redumps = 0;   // debounced route re-dumps after link changes
  uint64_t purged_routes = 0;   // aliases purged for silent kernel flushes
  uint64_t proxy_dump_errors = 0;  // failed dumps of the static proxy entries (retried)
};

// What changed, for the change callback. kResync: anything may have changed.
enum class RtnlChange : uint8_t { kLink, kAddress, kRoute, kResync, kProxyEntry };

struct RtnlSyncOptions {
  // Receive buffer asked for each socket (SO_RCVBUFFORCE, falling back to
  // SO_RCVBUF, which net.core.rmem_max caps). Tests shrink it to provoke overflow.
  int rcvbuf_bytes = 64 << 20;
  // Quiet time after the last link up/down/carrier change before routes are
  // re-dumped; several flaps in a row cost one dump.
  absl::Duration redump_debounce = absl::Milliseconds(200);
};

class RtnlSync {
 public:
  using ChangeCallback = std::function<void(RtnlChange)>;

  // `state` must outlive this object; RtnlSync is its only writer once started.
  explicit RtnlSync(kernel_state::L3State* state, RtnlSyncOptions options = {});
  ~RtnlSync();
  RtnlSync(const RtnlSync&) = delete;
  RtnlSync& operator=(const RtnlSync&) = delete;

  // Subscribes, dumps links, addresses and routes into the state, and returns once
  // the state mirrors the kernel. Call once.
  absl::Status Start();

  // Readable when there are notifications or a re-dump is due (level-triggered).
  int fd() const;

  // Applies everything pending without blocking; resyncs if anything was lost.
  void OnReadable();

  // Runs a full resync now (also what overflow triggers).
  absl::Status Resync();

  // Re-reads what the kernel changes without any notification: the devconf values
  // (medium_id: a sysctl write sends neither RTM_NEWLINK nor RTM_NEWNETCONF) into
  // the mirrored links, notifying kLink if one changed, and the static proxy entries
  // (one RTM_GETNEIGH dump), notifying kProxyEntry if they changed. One /proc read
  // per IPv4 device and one small dump: call it periodically. (forwarding needs no
  // such call: it follows RTM_NEWNETCONF.)
  void RefreshUnannounced();

  // Called after each batch of changes has been applied (once per kind per
  // OnReadable), never from inside a libnl callback.
  void SetChangeCallback(ChangeCallback cb);

  const RtnlSyncCounters& counters() const;
  // The receive buffer size the kernel granted the route socket.
  int route_rcvbuf_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pvland::netlink
