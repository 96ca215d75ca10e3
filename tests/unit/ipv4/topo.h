// Synthetic namespaces for the l3 decision tests, built from ipv4::Link/Address/Route
// values the way the kernel would populate them (fib_add_ifaddr: a local /32 in
// table local, the connected prefix in main, the directed broadcast /32 in local).
//
// T1 of docs/kernel-semantics.md §4: the router R with
//   eth1 (ifindex 2, pvland internal port, 02:00:00:00:01:01) 10.0.1.1/24
//   eth2 (ifindex 3, 02:00:00:00:02:01)                        10.0.2.1/24
// forwarding on everywhere, every other knob at its default. H1 = 10.0.1.10 with
// MAC 02:00:00:00:01:10 asks on eth1.
#pragma once

#include <linux/if.h>

#include <string>

#include "daemon/ipv4/arp_decide.h"
#include "daemon/ipv4/devconf.h"
#include "daemon/ipv4/ipv4.h"
#include "daemon/ipv4/sysctl.h"
#include "daemon/ipv4/validate_source.h"
#include "gtest/gtest.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::ipv4::testing {

constexpr Ipv4 Ip(int a, int b, int c, int d) {
  return MakeIpv4(static_cast<uint8_t>(a), static_cast<uint8_t>(b), static_cast<uint8_t>(c),
                  static_cast<uint8_t>(d));
}

inline constexpr int kLo = 1;
inline constexpr int kEth1 = 2;
inline constexpr int kEth2 = 3;
inline constexpr MacAddr kEth1Mac = {0x02, 0, 0, 0, 0x01, 0x01};
inline constexpr MacAddr kEth2Mac = {0x02, 0, 0, 0, 0x02, 0x01};
inline constexpr MacAddr kH1Mac = {0x02, 0, 0, 0, 0x01, 0x10};
inline constexpr Ipv4 kH1 = Ip(10, 0, 1, 10);
inline constexpr Ipv4 kR1 = Ip(10, 0, 1, 1);
inline constexpr Ipv4 kR2 = Ip(10, 0, 2, 1);
inline constexpr Ipv4 kH2 = Ip(10, 0, 2, 10);

class Topo {
 public:
  kernel_state::L3State state;
  DevconfStore store;
  NetnsFlags flags;

  void AddLink(int ifindex, const std::string& name, MacAddr mac, bool pvland_port,
               uint32_t link_flags = IFF_UP | IFF_RUNNING | IFF_LOWER_UP) {
    Link l;
    l.ifindex = ifindex;
    l.name = name;
    l.mac = mac;
    l.flags = link_flags;
    l.mtu = 1500;
    l.has_inet_conf = true;
    l.inet_conf = CompiledDefaultDefaults();
    state.UpsertLink(l);
    if (pvland_port) {
      EXPECT_TRUE(store.AddPort(name).ok());
    }
  }

  // The kernel's view of a device pvland does not own: its IFLA_INET_CONF.
  void SetKernelConf(int ifindex, Knob k, int32_t v) {
    Link l = *state.LinkByIndex(ifindex);
    l.inet_conf[KnobSlot(k)] = v;
    state.UpsertLink(l);
  }

  void SetLinkFlags(int ifindex, uint32_t link_flags) {
    Link l = *state.LinkByIndex(ifindex);
    l.flags = link_flags;
    state.UpsertLink(l);
  }

  // `ip addr add a/len dev ifindex [scope s]` with the routes the kernel adds.
  void AddAddress(int ifindex, Ipv4 a, uint8_t len, uint8_t scope = kScopeUniverse,
                  Ipv4 peer = 0) {
    Address addr;
    addr.ifindex = ifindex;
    addr.local = a;
    addr.address = peer != 0 ? peer : a;
    addr.prefixlen = len;
    addr.scope = scope;
    addr.broadcast = len < 31 ? (a | ~PrefixMask(len)) : 0;
    state.UpsertAddress(addr);
    if (const Link* l = state.LinkByIndex(ifindex)) store.OnAddressAdded(l->name);
    AddRoute(MakeRoute(kTableLocal, a, 32, RouteType::kLocal, kScopeHost, ifindex, 0, 2));
    const Ipv4 net = addr.address & PrefixMask(len);
    const Link* link = state.LinkByIndex(ifindex);
    if (link != nullptr && (link->flags & IFF_LOOPBACK)) {
      // fib_add_ifaddr on loopback: the whole prefix is local, in table local.
      AddRoute(MakeRoute(kTableLocal, net, len, RouteType::kLocal, kScopeHost, ifindex, 0, 2));
    } else if (len < 32 && net != 0) {
      AddRoute(MakeRoute(kTableMain, net, len, RouteType::kUnicast, kScopeLink, ifindex, 0, 2));
    }
    if (len < 31) {
      AddRoute(MakeRoute(kTableLocal, net | ~PrefixMask(len), 32, RouteType::kBroadcast,
                         kScopeLink, ifindex, 0, 2));
    }
  }

  static Route MakeRoute(uint32_t table, Ipv4 dst, uint8_t len, RouteType type, uint8_t scope,
                         int ifindex, Ipv4 gw, uint8_t protocol = 3, uint32_t metric = 0) {
    Route r;
    r.table = table;
    r.dst = dst;
    r.dst_len = len;
    r.type = type;
    r.scope = scope;
    r.protocol = protocol;
    r.priority = metric;
    if (ifindex != 0) r.nexthops.push_back(NextHop{ifindex, gw, 0, 1});
    return r;
  }

  void AddRoute(const Route& r) {
    state.mutable_fib().Upsert(r);
    state.BumpGeneration();
    UpdateNetnsFlags(state, &flags);
  }
  // `ip route add dst/len via gw dev ifindex [metric m]` in main.
  void AddVia(Ipv4 dst, uint8_t len, int ifindex, Ipv4 gw, uint32_t metric = 0) {
    AddRoute(MakeRoute(kTableMain, dst, len, RouteType::kUnicast,
                       gw != 0 ? kScopeUniverse : kScopeLink, ifindex, gw, 3, metric));
  }
  // `ip route add TYPE dst/len` (blackhole, unreachable, prohibit, throw).
  void AddTyped(Ipv4 dst, uint8_t len, RouteType type, int ifindex = 0) {
    AddRoute(MakeRoute(kTableMain, dst, len, type, kScopeUniverse, ifindex, 0));
  }

  void Sysctl(const std::string& assignment) {
    absl::Status s = SysctlWriteAssignment(store, assignment);
    ASSERT_TRUE(s.ok()) << assignment << ": " << s;
  }

  ConfView Conf(int ifindex) const {
    auto v = store.View(state.LinkByIndex(ifindex)->name);
    EXPECT_TRUE(v.has_value());
    return *v;
  }
};

// T1 with H2's side routed through eth2 and forwarding on (R of §4).
inline void BuildT1(Topo& t, bool eth2_is_port = true) {
  t.AddLink(kLo, "lo", {}, false, IFF_UP | IFF_RUNNING | IFF_LOWER_UP | IFF_LOOPBACK);
  t.AddAddress(kLo, Ip(127, 0, 0, 1), 8, kScopeHost);
  t.AddLink(kEth1, "eth1", kEth1Mac, true);
  t.AddLink(kEth2, "eth2", kEth2Mac, eth2_is_port);
  t.Sysctl("net.ipv4.conf.all.forwarding=1");
  if (!eth2_is_port) t.SetKernelConf(kEth2, Knob::kForwarding, 1);
  t.AddAddress(kEth1, kR1, 24);
  t.AddAddress(kEth2, kR2, 24);
}

// An ARP request from H1 on eth1: broadcast unless pkt_type says otherwise.
inline ArpInput Ask(Ipv4 tip, Ipv4 sip = kH1, PacketType pt = PacketType::kBroadcast) {
  ArpInput in;
  in.ifindex = kEth1;
  in.packet.op = kArpOpRequest;
  in.packet.sha = kH1Mac;
  in.packet.sip = sip;
  in.packet.tip = tip;
  in.packet.pkt_type = pt;
  return in;
}

}  // namespace pvland::ipv4::testing
