// Userspace IPv4 FIB: answers the lookup the kernel's fib_lookup() makes for a
// netns that never had a policy rule added or deleted (docs/kernel-semantics.md §2.12).
//
// Semantics (what Lookup reproduces):
//  * Tables 255 (local) and 254 (main) are searched as ONE trie, as the kernel does
//    in "merged mode": longest prefix over the union, local-table entries first at
//    equal prefix length. Only if that finds nothing (or only `throw`) is table 253
//    (default) searched. Other table ids are stored (the mirror is complete) but are
//    unreachable without rules, exactly as in the kernel. This differs from "local,
//    then main" only when a user-added local-table route is shorter than a covering
//    main-table route; the running kernel picks the longer one, so do we.
//  * Within a prefix, aliases are tried in kernel order: table id descending, tos
//    descending, priority ascending, then insertion order. An alias with tos != 0
//    only matches when (dsfield & 0x1c) == tos.
//  * blackhole/unreachable/prohibit are final (returned as results with that type);
//    throw ends the search of the merged trie and moves on to table 253.
//  * Unicast-like aliases whose nexthops are all unusable are skipped and the search
//    backtracks to shorter prefixes. A nexthop is unusable when it is DEAD, or
//    LINKDOWN while ignore_routes_with_linkdown applies to its device. Link state the
//    kernel never announces per route (carrier loss) is supplied with SetLinkState.
//  * Multipath: see ChooseLeg in fib.cc. The kernel hashes the flow with a per-boot
//    random seed, so no userspace choice matches it bit for bit; we pick a leg by a
//    fixed hash of the destination, weighted like the kernel's hash-threshold, so
//    the answer is stable across runs and spreads destinations by weight.
//
// Structure: per lookup group (merged local+main, default, other tables) a
// DIR-24-8 table (prefix_trie.h) maps an address to one word per prefix: its first
// alias's route id plus a shared "answer" id, and beside it where that route's
// first leg is. Answers are interned like the kernel's fib_info (type, table,
// device, gateway, whether the leg is usable), so a lookup whose prefix's first
// alias decides alone (tos 0, one nexthop, usable; or blackhole & co.; or throw)
// reads one 8-byte table entry and a 4 KiB answer table, and never the route
// itself: one cache miss on a large table. Everything else (tos, multipath, dead
// or linkdown legs, more than 254 distinct answers) takes the full walk over the
// prefix's aliases and shorter prefixes. Link-state changes only flip the answers'
// usable bits. Updates mark /16 slots dirty and the affected slots are recompiled
// before the next lookup, so a burst of notifications costs one recompilation per
// touched slot. Routes live in one 64-byte line each, in 2 MiB blocks taken as the
// table grows (up to 2^24 routes); nothing is reserved ahead of use. Memory and
// rates: docs/fib.md.
//
// Not thread-safe: one thread mutates and looks up (the daemon's loop). Lookup is
// logically const but may recompile dirty slots. Pointers in a FibResult stay valid
// until the next mutating call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "daemon/kernel_state/l3_types.h"

namespace pvland::kernel_state {

struct FibResult {
  ipv4::RouteType type = ipv4::RouteType::kUnspec;
  const ipv4::Route* route = nullptr;      // the matched alias
  const ipv4::NextHop* nexthop = nullptr;  // chosen leg; null for blackhole & co.
  uint32_t table = 0;                    // table of the matched alias
  int oif = 0;                           // nexthop->ifindex, 0 without nexthop
  ipv4::Ipv4 gateway = 0;                  // nexthop->gateway, 0 when connected

  // blackhole, unreachable, prohibit (and nat/xresolve): the kernel's lookup fails
  // with an error instead of "no route".
  bool IsError() const;
};

// Per-device facts that change nexthop usability without any route message.
struct FibLinkState {
  bool admin_up = true;         // IFF_UP: admin down makes non-host nexthops DEAD
  bool carrier = true;          // IFF_LOWER_UP: no carrier makes them LINKDOWN
  bool ignore_linkdown = false; // effective ignore_routes_with_linkdown (all || dev)
};

class Fib {
 public:
  Fib();
  ~Fib();
  Fib(const Fib&) = delete;
  Fib& operator=(const Fib&) = delete;
  Fib(Fib&&) noexcept;
  Fib& operator=(Fib&&) noexcept;

  // Inserts `route`, or replaces the alias with the same kernel identity (table,
  // dst/dst_len, tos, priority) in place, as NLM_F_REPLACE does. Aliases of one
  // prefix are kept in the kernel's order (table, tos, priority). The kernel also
  // lets `ip route append/prepend` stack several aliases with one identity; those
  // collapse here into the last one notified (libnl and most tools do the same).
  // Bits of `dst` below dst_len are ignored. Returns true for a new identity.
  bool Upsert(const ipv4::Route& route);

  // Removes the alias with the identity of `route`. Returns false if absent.
  bool Remove(const ipv4::Route& route);

  // Removes every alias for which `pred` is true; returns how many.
  size_t RemoveIf(absl::FunctionRef<bool(const ipv4::Route&)> pred);
  void Clear();

  // The stored alias with this identity, or null.
  const ipv4::Route* Find(uint32_t table, ipv4::Ipv4 dst, uint8_t dst_len, uint8_t tos,
                        uint32_t priority) const;
  // Every stored alias of every table, in no particular order.
  void ForEach(absl::FunctionRef<void(const ipv4::Route&)> fn) const;
  size_t size() const;

  // Device state used to decide nexthop usability (see header comment). Devices
  // never set count as up, with carrier, and without ignore_routes_with_linkdown;
  // then the DEAD/LINKDOWN flags stored in each NextHop decide.
  void SetLinkState(int ifindex, const FibLinkState& state);
  void ForgetLinkState(int ifindex);

  // fib_lookup() for an input or locally generated lookup of `dst` with DS field
  // `dscp_tos`. `iif` only matters with policy rules, which this FIB does not model;
  // it is accepted so callers state what the kernel would be given. nullopt = no
  // route (the kernel's ENETUNREACH, including a `throw` with nothing in table 253).
  std::optional<FibResult> Lookup(ipv4::Ipv4 dst, uint8_t dscp_tos = 0, int iif = 0) const;

  // Starts loading what Lookup(dst) reads first. A caller that looks up a batch of
  // packets one by one can prefetch all of them first, so that their cache misses
  // overlap instead of each lookup waiting for its own.
  void Prefetch(ipv4::Ipv4 dst) const;

  // Lookup(dst[i], dscp_tos[i]) into out[i] for every i, for a batch of packets:
  // the batch's memory reads are issued together, so their cache misses overlap
  // instead of each lookup waiting for its own (on a table far larger than the
  // caches, about twice the rate of one Lookup after another: docs/fib.md).
  // `dscp_tos` is empty (all 0) or as long as `dst`; `out` as long as `dst`.
  void LookupBatch(absl::Span<const ipv4::Ipv4> dst, absl::Span<const uint8_t> dscp_tos,
                   absl::Span<std::optional<FibResult>> out) const;

  // fib_table_lookup() on one table object: throw and no match both give nullopt.
  // In merged mode tables 255 and 254 are one trie, so either id searches both
  // (what inet_addr_type() sees); other ids search only their own routes.
  std::optional<FibResult> LookupTable(uint32_t table, ipv4::Ipv4 dst,
                                       uint8_t dscp_tos = 0) const;

  // fib_info_nh_uses_dev(): does any leg of `route` (dead legs included) leave via
  // `ifindex`? For rp_filter's full check (§2.3 step 3.3) on the route a reverse
  // Lookup(src, dscp, iif = oif or loopback) matched.
  static bool RouteUsesDev(const ipv4::Route& route, int ifindex);

  // Bytes this object has allocated (trie, prefix and route storage), an estimate
  // from container capacities, for memory comparisons with the kernel.
  size_t MemoryBytes() const;

  // Recompiles dirty trie slots now instead of at the next lookup; lets a caller
  // take the cost at a moment of its choosing (e.g. right after a netlink batch).
  void Commit() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pvland::kernel_state
