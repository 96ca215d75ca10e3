#include "daemon/kernel_state/l3_state.h"

#include <algorithm>
#include <linux/if.h>

#include "include/pvland/strings.h"

namespace pvland::kernel_state {
namespace {

// IPV4_DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN is index 29, element 28 of the array.
constexpr int kDevconfIgnoreLinkdown = 29 - 1;

bool SameAddress(const ipv4::Address& a, const ipv4::Address& b) {
  return a.ifindex == b.ifindex && a.local == b.local && a.prefixlen == b.prefixlen &&
         a.address == b.address;
}

const std::vector<ipv4::Address>& EmptyAddresses() {
  static const std::vector<ipv4::Address> kEmpty;
  return kEmpty;
}

}  // namespace

L3State::L3State() = default;
L3State::~L3State() = default;

void L3State::RefreshFibLinkState(const ipv4::Link& link) {
  FibLinkState s;
  s.admin_up = (link.flags & IFF_UP) != 0;
  s.carrier = (link.flags & IFF_LOWER_UP) != 0;
  bool dev_ignore = link.has_inet_conf && link.inet_conf[kDevconfIgnoreLinkdown] != 0;
  s.ignore_linkdown = ignore_linkdown_all_ || dev_ignore;
  fib_.SetLinkState(link.ifindex, s);
}

void L3State::UpsertLink(const ipv4::Link& link) {
  auto it = links_.find(link.ifindex);
  if (it != links_.end() && it->second.name != link.name) {
    auto n = index_by_name_.find(it->second.name);
    if (n != index_by_name_.end() && n->second == link.ifindex) index_by_name_.erase(n);
  }
  links_[link.ifindex] = link;
  index_by_name_[link.name] = link.ifindex;
  RefreshFibLinkState(link);
  ++generation_;
}

bool L3State::RemoveLink(int ifindex) {
  auto it = links_.find(ifindex);
  if (it == links_.end()) return false;
  auto n = index_by_name_.find(it->second.name);
  if (n != index_by_name_.end() && n->second == ifindex) index_by_name_.erase(n);
  links_.erase(it);
  auto a = addrs_.find(ifindex);
  if (a != addrs_.end()) {
    for (const auto& addr : a->second) {
      if (--local_refs_[addr.local] == 0) local_refs_.erase(addr.local);
    }
    addrs_.erase(a);
  }
  // The kernel deletes every route through a vanished device (fib_sync_down_dev
  // with force); for multipath routes it drops the whole route, not just the leg.
  fib_.RemoveIf([ifindex](const ipv4::Route& r) { return Fib::RouteUsesDev(r, ifindex); });
  fib_.ForgetLinkState(ifindex);
  RemoveProxyEntriesOf(ifindex);
  ++generation_;
  return true;
}

void L3State::UpsertAddress(const ipv4::Address& addr) {
  auto& v = addrs_[addr.ifindex];
  auto it = std::find_if(v.begin(), v.end(),
                         [&](const ipv4::Address& a) { return SameAddress(a, addr); });
  if (it != v.end()) {
    *it = addr;
  } else {
    v.push_back(addr);
    ++local_refs_[addr.local];
  }
  ++generation_;
}

bool L3State::RemoveAddress(const ipv4::Address& addr) {
  auto m = addrs_.find(addr.ifindex);
  if (m == addrs_.end()) return false;
  auto& v = m->second;
  auto it = std::find_if(v.begin(), v.end(),
                         [&](const ipv4::Address& a) { return SameAddress(a, addr); });
  if (it == v.end()) return false;
  if (--local_refs_[it->local] == 0) local_refs_.erase(it->local);
  v.erase(it);
  if (v.empty()) addrs_.erase(m);
  ++generation_;
  return true;
}

void L3State::ClearAddresses() {
  addrs_.clear();
  local_refs_.clear();
  ++generation_;
}

void L3State::SetIgnoreRoutesWithLinkdownAll(bool on) {
  if (on == ignore_linkdown_all_) return;
  ignore_linkdown_all_ = on;
  for (const auto& [ifindex, link] : links_) RefreshFibLinkState(link);
  ++generation_;
}

bool L3State::ReplaceProxyEntries(const std::vector<ipv4::ProxyEntry>& entries) {
  absl::flat_hash_set<ipv4::ProxyEntry> fresh(entries.begin(), entries.end());
  if (fresh == proxy_entries_) return false;
  proxy_entries_ = std::move(fresh);
  ++generation_;
  return true;
}

size_t L3State::RemoveProxyEntriesOf(int ifindex) {
  if (ifindex == 0) return 0;  // entries without a device survive every link event
  const size_t n = absl::erase_if(proxy_entries_, [ifindex](const ipv4::ProxyEntry& e) { return e.ifindex == ifindex; });
  if (n) ++generation_;
  return n;
}

bool L3State::HasProxyEntry(ipv4::Ipv4 a, int dev) const {
  return proxy_entries_.contains(ipv4::ProxyEntry{a, dev}) || proxy_entries_.contains(ipv4::ProxyEntry{a, 0});
}

void L3State::ForEachProxyEntry(absl::FunctionRef<void(const ipv4::ProxyEntry&)> fn) const {
  for (const auto& e : proxy_entries_) fn(e);
}

Fib& L3State::mutable_fib() {
  ++generation_;
  return fib_;
}

const ipv4::Link* L3State::LinkByIndex(int ifindex) const {
  auto it = links_.find(ifindex);
  return it == links_.end() ? nullptr : &it->second;
}

const ipv4::Link* L3State::LinkByName(std::string_view name) const {
  auto it = index_by_name_.find(Av(name));
  return it == index_by_name_.end() ? nullptr : LinkByIndex(it->second);
}

void L3State::ForEachLink(absl::FunctionRef<void(const ipv4::Link&)> fn) const {
  for (const auto& [ifindex, link] : links_) fn(link);
}

const std::vector<ipv4::Address>& L3State::AddressesOn(int ifindex) const {
  auto it = addrs_.find(ifindex);
  return it == addrs_.end() ? EmptyAddresses() : it->second;
}

bool L3State::HasAnyAddress(int ifindex) const { return addrs_.contains(ifindex); }

void L3State::ForEachAddress(absl::FunctionRef<void(const ipv4::Address&)> fn) const {
  for (const auto& [ifindex, v] : addrs_) {
    for (const auto& a : v) fn(a);
  }
}

bool L3State::IsConfiguredAddress(ipv4::Ipv4 a) const { return local_refs_.contains(a); }

int L3State::DeviceOfAddress(ipv4::Ipv4 a) const {
  if (!local_refs_.contains(a)) return 0;
  int best = 0;
  for (const auto& [ifindex, v] : addrs_) {
    for (const auto& addr : v) {
      if (addr.local == a && (best == 0 || ifindex < best)) best = ifindex;
    }
  }
  return best;
}

ipv4::RouteType L3State::AddrType(ipv4::Ipv4 a, int dev) const {
  if (a == 0 || a == 0xffffffff) return ipv4::RouteType::kBroadcast;
  if ((a >> 28) == 0xe) return ipv4::RouteType::kMulticast;
  // __inet_dev_addr_type looks the address up in the local table, which in merged
  // mode is the merged local+main trie; errors and misses mean UNICAST.
  // The device compared is the route's first leg, whichever leg a packet would take.
  auto r = fib_.LookupTable(ipv4::kTableLocal, a);
  if (!r || r->IsError()) return ipv4::RouteType::kUnicast;
  if (dev != 0 && (r->route->nexthops.empty() || r->route->nexthops[0].ifindex != dev)) {
    return ipv4::RouteType::kUnicast;
  }
  return r->type;
}

}  // namespace pvland::kernel_state
