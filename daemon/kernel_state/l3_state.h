// The namespace's L3 state as pvland sees it: links, IPv4 addresses, the FIB and the
// ARP table's static proxy entries, plus the queries the ARP and rp_filter decisions ask of them.
//
// Pure data: nothing here talks to the kernel. RtnlSync (or a test) feeds it; the
// daemon's stages read it. generation() changes on every mutation, so anything
// derived from this state (caches, decisions queued for later) can tell it is stale.
//
// Not thread-safe; lives on the daemon's loop thread like the Fib it owns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "daemon/kernel_state/fib.h"
#include "daemon/kernel_state/l3_types.h"

namespace pvland::kernel_state {

class L3State {
 public:
  L3State();
  ~L3State();
  L3State(const L3State&) = delete;
  L3State& operator=(const L3State&) = delete;

  // ---- mutation (RtnlSync, tests) ----

  // Inserts or replaces the link with link.ifindex (a rename or MAC change arrives
  // as a replace). Also refreshes the FIB's view of the device's up/carrier state.
  void UpsertLink(const ipv4::Link& link);
  // Removes the link, its addresses, and FIB aliases whose every leg used it.
  bool RemoveLink(int ifindex);

  // Address identity is (ifindex, local, prefixlen, address) as in the kernel's
  // find_matching_ifa(); an upsert with the same identity replaces flags/scope.
  void UpsertAddress(const ipv4::Address& addr);
  bool RemoveAddress(const ipv4::Address& addr);
  void ClearAddresses();

  // net.ipv4.conf.all.ignore_routes_with_linkdown, which combines with the device
  // value by OR (IN_DEV_ORCONF) when deciding whether LINKDOWN legs are skipped.
  void SetIgnoreRoutesWithLinkdownAll(bool on);
  bool ignore_routes_with_linkdown_all() const { return ignore_linkdown_all_; }

  // Static proxy entries (pneigh), which the kernel never announces: RtnlSync replaces
  // them with each fresh dump. Returns whether anything changed.
  bool ReplaceProxyEntries(const std::vector<ipv4::ProxyEntry>& entries);
  // Forgets the entries bound to `ifindex`, as the kernel does when that device goes
  // admin down or away (pneigh_ifdown); entries without a device stay. Returns how
  // many went.
  size_t RemoveProxyEntriesOf(int ifindex);

  // The FIB; mutate it only through here so the generation follows.
  Fib& mutable_fib();
  const Fib& fib() const { return fib_; }

  // Bumped by every mutation above (and by callers mutating mutable_fib()).
  uint64_t generation() const { return generation_; }
  void BumpGeneration() { ++generation_; }

  // ---- links ----
  const ipv4::Link* LinkByIndex(int ifindex) const;
  const ipv4::Link* LinkByName(std::string_view name) const;
  void ForEachLink(absl::FunctionRef<void(const ipv4::Link&)> fn) const;
  size_t link_count() const { return links_.size(); }

  // ---- static proxy entries ----

  // pneigh_lookup(): is there an entry for `a` bound to device `dev`, or to no device?
  bool HasProxyEntry(ipv4::Ipv4 a, int dev) const;
  void ForEachProxyEntry(absl::FunctionRef<void(const ipv4::ProxyEntry&)> fn) const;
  size_t proxy_entry_count() const { return proxy_entries_.size(); }

  // ---- addresses ----

  // IPv4 addresses on ifindex in the order the kernel reported them (empty if none).
  const std::vector<ipv4::Address>& AddressesOn(int ifindex) const;
  // Does the device have any IPv4 address at all? (§2.3 step 3.4: an address-less
  // ingress device makes rp_filter reject like "no route".)
  bool HasAnyAddress(int ifindex) const;
  // Every address in the namespace.
  void ForEachAddress(absl::FunctionRef<void(const ipv4::Address&)> fn) const;

  // Is `a` configured as IFA_LOCAL on any interface, up or down? This is the
  // kernel's inet_lookup_ifaddr(), used by rp_filter's fast path (§2.3 step 2.3).
  bool IsConfiguredAddress(ipv4::Ipv4 a) const;
  // Index of a device carrying `a` as IFA_LOCAL (lowest ifindex if several), or 0.
  int DeviceOfAddress(ipv4::Ipv4 a) const;

  // inet_addr_type(): the type the local table gives `a` (in merged mode the local
  // table is the merged local+main trie): 0.0.0.0 and 255.255.255.255 are
  // BROADCAST, 224/4 MULTICAST, a local-type route LOCAL (addresses on down
  // interfaces keep theirs), anything else, including no route or an error route,
  // UNICAST. With dev != 0 it is inet_dev_addr_type(): a match on another device
  // counts as UNICAST.
  ipv4::RouteType AddrType(ipv4::Ipv4 a, int dev = 0) const;
  // AddrType(a) == LOCAL: an address of this host, on any interface, up or down.
  bool IsLocalAddress(ipv4::Ipv4 a) const { return AddrType(a) == ipv4::RouteType::kLocal; }

 private:
  void RefreshFibLinkState(const ipv4::Link& link);

  absl::flat_hash_map<int, ipv4::Link> links_;
  absl::flat_hash_map<std::string, int> index_by_name_;
  absl::flat_hash_map<int, std::vector<ipv4::Address>> addrs_;
  // IFA_LOCAL -> number of (device, address) entries carrying it.
  absl::flat_hash_map<ipv4::Ipv4, int> local_refs_;
  absl::flat_hash_set<ipv4::ProxyEntry> proxy_entries_;
  Fib fib_;
  bool ignore_linkdown_all_ = false;
  uint64_t generation_ = 0;
};

}  // namespace pvland::kernel_state
