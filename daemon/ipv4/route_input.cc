#include "daemon/ipv4/route_input.h"

#include "daemon/ipv4/ipv4.h"

namespace pvland::ipv4 {
namespace {

ArpRouteResult ArpFail(std::string_view why, MartianKind m = MartianKind::kNone) {
  return {false, RouteType::kUnspec, 0, m, why};
}
ArpRouteResult ArpOk(RouteType t, int oif, std::string_view why) {
  return {true, t, oif, MartianKind::kNone, why};
}

// __mkroute_input's part that matters for a verdict: validate the source against
// the out-device, then (ARP only) refuse to route back out the ingress device
// unless proxy_arp_pvlan.
struct MkRoute {
  bool ok;
  bool martian_source;
  bool direct;
  std::string_view reason;
};
MkRoute MakeRoute(const kernel_state::L3State& state, const NetnsFlags& flags,
                  const ConfView& in_conf, const RouteInputArgs& a, int oif, bool is_arp) {
  const SourceCheck sc =
      ValidateSource(state, flags, in_conf, {a.src, a.dst, a.dscp, oif, a.dev});
  if (!sc.ok) return {false, true, false, sc.reason};
  if (is_arp && oif == a.dev && !in_conf.ProxyArpPvlan()) {
    return {false, false, sc.directly_connected, "route_back_to_ingress"};
  }
  return {true, false, sc.directly_connected, sc.reason};
}

}  // namespace

ArpRouteResult RouteInputForArp(const kernel_state::L3State& state, const NetnsFlags& flags,
                                const ConfView& in_conf, const RouteInputArgs& a) {
  // Order is ip_route_input_slow's.
  if (IsMulticast(a.src) || IsLimitedBroadcast(a.src)) {
    return ArpFail("martian_source_multicast_or_broadcast", MartianKind::kSource);
  }
  // The broadcast path only accepts real IP packets; an ARP never gets past it,
  // and it is not logged.
  if (IsLimitedBroadcast(a.dst) || (a.src == 0 && a.dst == 0)) {
    return ArpFail("broadcast_destination");
  }
  if (IsZeronet(a.src)) return ArpFail("martian_source_zero", MartianKind::kSource);
  if (IsZeronet(a.dst)) return ArpFail("martian_destination_zero", MartianKind::kDestination);
  if (IsLoopback(a.dst)) {
    if (!in_conf.RouteLocalnet()) {
      return ArpFail("martian_destination_loopback", MartianKind::kDestination);
    }
  } else if (IsLoopback(a.src) && !in_conf.RouteLocalnet()) {
    return ArpFail("martian_source_loopback", MartianKind::kSource);
  }

  const auto res = state.fib().Lookup(a.dst, a.dscp, a.dev);
  if (!res || res->IsError()) return ArpOk(RouteType::kUnreachable, 0, "no_route");

  if (res->type == RouteType::kBroadcast) {
    if (!in_conf.BcForwarding()) return ArpFail("broadcast_destination");
    const MkRoute mk = MakeRoute(state, flags, in_conf, a, res->oif, /*is_arp=*/true);
    if (!mk.ok) {
      return ArpFail(mk.reason, mk.martian_source ? MartianKind::kSource : MartianKind::kNone);
    }
    return ArpOk(RouteType::kBroadcast, res->oif, "broadcast_forwarding");
  }
  if (res->type == RouteType::kLocal) {
    const SourceCheck sc = ValidateSource(state, flags, in_conf, {a.src, a.dst, a.dscp, 0, a.dev});
    if (!sc.ok) return ArpFail(sc.reason, MartianKind::kSource);
    return ArpOk(RouteType::kLocal, 0, "local");
  }
  if (!in_conf.Forwarding()) return ArpOk(RouteType::kUnreachable, 0, "forwarding_off");
  if (res->type != RouteType::kUnicast) {
    return ArpFail("martian_destination_route_type", MartianKind::kDestination);
  }
  const MkRoute mk = MakeRoute(state, flags, in_conf, a, res->oif, /*is_arp=*/true);
  if (!mk.ok) {
    return ArpFail(mk.reason, mk.martian_source ? MartianKind::kSource : MartianKind::kNone);
  }
  return ArpOk(RouteType::kUnicast, res->oif, "unicast");
}

IpRouteResult RouteInputForIp(const kernel_state::L3State& state, const NetnsFlags& flags,
                              const ConfView& in_conf, const RouteInputArgs& a) {
  IpRouteResult r;
  auto martian = [&](MartianKind m, std::string_view why) {
    r.action = m == MartianKind::kSource ? IpRouteAction::kMartianSource
                                         : IpRouteAction::kMartianDestination;
    r.martian = m;
    r.reason = why;
    return r;
  };
  // ip_route_input_rcu hands multicast destinations to the multicast path.
  if (IsMulticast(a.dst)) {
    r.action = IpRouteAction::kMulticastPath;
    r.reason = "multicast_path";
    return r;
  }
  if (IsMulticast(a.src) || IsLimitedBroadcast(a.src)) {
    return martian(MartianKind::kSource, "martian_source_multicast_or_broadcast");
  }
  auto broadcast_input = [&]() {
    // brd_input: validate against dst 0 unless the source is 0.0.0.0 (DHCP).
    if (!IsZeronet(a.src)) {
      const SourceCheck sc =
          ValidateSource(state, flags, in_conf, {a.src, 0, a.dscp, 0, a.dev});
      if (!sc.ok) return martian(MartianKind::kSource, sc.reason);
    }
    r.action = IpRouteAction::kBroadcastDeliver;
    r.type = RouteType::kBroadcast;
    r.reason = "broadcast";
    return r;
  };
  if (IsLimitedBroadcast(a.dst) || (a.src == 0 && a.dst == 0)) return broadcast_input();
  if (IsZeronet(a.src)) return martian(MartianKind::kSource, "martian_source_zero");
  if (IsZeronet(a.dst)) return martian(MartianKind::kDestination, "martian_destination_zero");
  if (IsLoopback(a.dst)) {
    if (!in_conf.RouteLocalnet()) {
      return martian(MartianKind::kDestination, "martian_destination_loopback");
    }
  } else if (IsLoopback(a.src) && !in_conf.RouteLocalnet()) {
    return martian(MartianKind::kSource, "martian_source_loopback");
  }

  const auto res = state.fib().Lookup(a.dst, a.dscp, a.dev);
  if (!res || res->IsError()) {
    r.action = in_conf.Forwarding() ? IpRouteAction::kNoRoute : IpRouteAction::kForwardingOff;
    r.type = res ? res->type : RouteType::kUnreachable;
    r.reason = "no_route";
    return r;
  }
  r.type = res->type;
  if (res->type == RouteType::kBroadcast) {
    if (!in_conf.BcForwarding()) return broadcast_input();
  } else if (res->type == RouteType::kLocal) {
    const SourceCheck sc =
        ValidateSource(state, flags, in_conf, {a.src, a.dst, a.dscp, 0, a.dev});
    if (!sc.ok) return martian(MartianKind::kSource, sc.reason);
    r.action = IpRouteAction::kLocalDeliver;
    r.reason = "local";
    return r;
  } else {
    if (!in_conf.Forwarding()) {
      r.action = IpRouteAction::kForwardingOff;
      r.reason = "forwarding_off";
      return r;
    }
    if (res->type != RouteType::kUnicast) {
      return martian(MartianKind::kDestination, "martian_destination_route_type");
    }
  }
  const MkRoute mk = MakeRoute(state, flags, in_conf, a, res->oif, /*is_arp=*/false);
  if (!mk.ok) return martian(MartianKind::kSource, mk.reason);
  r.action = IpRouteAction::kForward;
  r.oif = res->oif;
  r.source_directly_connected = mk.direct;
  r.reason = res->type == RouteType::kBroadcast ? "broadcast_forwarding" : "forward";
  return r;
}

}  // namespace pvland::ipv4
