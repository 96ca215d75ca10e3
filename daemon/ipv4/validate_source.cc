#include "daemon/ipv4/validate_source.h"

namespace pvland::ipv4 {
namespace {

constexpr uint8_t kRtprotKernel = 2;
constexpr int kLoopbackIfindex = 1;  // LOOPBACK_IFINDEX

SourceCheck Accept(std::string_view why, bool direct = false) { return {true, direct, why}; }
SourceCheck Reject(std::string_view why) { return {false, false, why}; }

// __fib_validate_source.
SourceCheck FullCheck(const kernel_state::L3State& state, const ConfView& conf,
                      const SourceCheckInput& in, int32_t rpf) {
  // Reverse lookup: daddr = src, iif = the forwarding out-device (or loopback for
  // local delivery). Without policy rules iif does not change the answer.
  const auto res = state.fib().Lookup(in.src, in.dscp, in.oif != 0 ? in.oif : kLoopbackIfindex);
  if (!res || res->IsError()) {
    // last_resort: only a filtering device refuses an unroutable source.
    return rpf != 0 ? Reject("rp_filter_no_route") : Accept("no_route_rp_filter_off");
  }
  if (res->type != RouteType::kUnicast) {
    if (res->type == RouteType::kLocal) {
      if (!conf.AcceptLocal()) return Reject("local_source");
    } else {
      return Reject("invalid_source");
    }
  }
  const bool direct = res->gateway == 0;  // nexthop scope >= host
  // fib_info_nh_uses_dev: every leg counts, dead ones included; a LOCAL match
  // received on loopback also counts (never the case for pvland's ports).
  if (res->route != nullptr && kernel_state::Fib::RouteUsesDev(*res->route, in.dev)) {
    return Accept("reverse_route_via_ingress", direct);
  }
  if (res->type == RouteType::kLocal && in.dev == kLoopbackIfindex) {
    return Accept("reverse_route_via_ingress", direct);
  }
  // Asked only now: a source routed back via the ingress device is accepted whatever
  // its addresses (the kernel's `no_addr` only matters below).
  if (!state.HasAnyAddress(in.dev)) {
    return rpf != 0 ? Reject("rp_filter_no_address") : Accept("no_address_rp_filter_off");
  }
  if (rpf == 1) return Reject("rp_filter_strict");
  // Loose mode (or rp_filter 0 sent here by the sticky flags): the second lookup
  // with oif = dev only computes the return value, it never rejects.
  return Accept(rpf != 0 ? "rp_filter_loose" : "full_check_rp_filter_off");
}

}  // namespace

void UpdateNetnsFlags(const kernel_state::L3State& state, NetnsFlags* flags) {
  bool realms = false;
  state.fib().ForEach([&](const Route& r) {
    if (r.type == RouteType::kLocal && r.protocol != kRtprotKernel) {
      flags->custom_local_routes = true;
    }
    realms = realms || r.has_realms;
  });
  flags->tclassid_users = realms;
}

SourceCheck ValidateSource(const kernel_state::L3State& state, const NetnsFlags& flags,
                           const ConfView& in_conf, const SourceCheckInput& in) {
  const int32_t r = in_conf.RpFilter();
  const bool same_dev_redirects = in.dev == in.oif && in_conf.SendRedirects();
  if (r == 0 && !flags.tclassid_users && !same_dev_redirects) {
    if (in_conf.AcceptLocal()) return Accept("accept_local");
    if (!flags.custom_local_routes && !flags.custom_rules) {
      // inet_lookup_ifaddr_rcu: any configured address, any device, up or down.
      if (state.IsConfiguredAddress(in.src)) return Reject("local_source");
      return Accept("fast_path");
    }
  }
  return FullCheck(state, in_conf, in, r);
}

}  // namespace pvland::ipv4
