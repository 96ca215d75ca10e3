#include "daemon/ipv4/ip_input.h"

#include "daemon/ipv4/ipv4.h"
#include "daemon/packet/inet_csum.h"
#include "daemon/packet/parser.h"

namespace pvland::ipv4 {
namespace {

constexpr uint8_t kIpprotoIgmp = 2;

// A source refused by fib_validate_source: rp_filter's own refusals, or a source no mode
// accepts (our own address, a broadcast or otherwise invalid route type).
IpDropKind SourceDropKind(std::string_view reason) {
  return reason.starts_with("rp_filter") ? IpDropKind::kRpFilter : IpDropKind::kMartianSource;
}

IpInputDecision Drop(IpDropKind kind, MartianKind log, std::string_view reason) { return {kind, log, reason}; }

// The source checks of ip_mc_validate_source (also the source guard's): nullopt-like
// kNone when they pass without needing the FIB.
IpInputDecision MartianSourceClasses(const ConfView& conf, const IpPacketInfo& in, MartianKind log) {
  if (IsMulticast(in.src) || IsLimitedBroadcast(in.src))
    return Drop(IpDropKind::kMartianSource, log, "martian_source_multicast_or_broadcast");
  if (IsLoopback(in.src) && !conf.RouteLocalnet())
    return Drop(IpDropKind::kMartianSource, log, "martian_source_loopback");
  return {};
}

// ip_route_input_mc's ip_mc_validate_source: silent on failure (§2.10).
IpInputDecision MulticastInput(const kernel_state::L3State& state, const NetnsFlags& flags, const ConfView& conf,
                               const IpPacketInfo& in) {
  if (IpInputDecision d = MartianSourceClasses(conf, in, MartianKind::kNone); d.drop != IpDropKind::kNone) return d;
  if (IsZeronet(in.src)) {
    if (!IsLocalMulticast(in.dst) && in.protocol != kIpprotoIgmp)
      return Drop(IpDropKind::kMartianSource, MartianKind::kNone, "martian_source_zero");
    return {IpDropKind::kNone, MartianKind::kNone, "multicast_zero_source"};
  }
  const SourceCheck sc = ValidateSource(state, flags, conf, {in.src, 0, in.tos, 0, in.ifindex});
  if (!sc.ok) return Drop(SourceDropKind(sc.reason), MartianKind::kNone, sc.reason);
  return {IpDropKind::kNone, MartianKind::kNone, "multicast"};
}

}  // namespace

bool ReadIpv4Header(absl::Span<const uint8_t> ip, IpPacketInfo* info) {
  if (ip.size() < 20) return false;
  const uint8_t* h = ip.data();
  const size_t ihl = (h[0] & 0x0f) * 4u;
  if ((h[0] >> 4) != 4 || ihl < 20 || ihl > ip.size()) return false;
  const size_t total = LoadBe16(h + 2);
  if (total < ihl || total > ip.size()) return false;
  // ip_fast_csum: the one's-complement sum over the header, checksum included, is 0xffff.
  if (CsumFold(CsumAdd(0, h, ihl)) != 0xffff) return false;
  info->tos = h[1];
  info->protocol = h[9];
  info->src = LoadBe32(h + 12);
  info->dst = LoadBe32(h + 16);
  return true;
}

IpInputDecision DecideIpInput(const kernel_state::L3State& state, const NetnsFlags& flags,
                              const ConfView& in_conf, const IpPacketInfo& in) {
  if (IsMulticast(in.dst)) return MulticastInput(state, flags, in_conf, in);
  const IpRouteResult r = RouteInputForIp(state, flags, in_conf, {in.dst, in.src, in.tos, in.ifindex});
  switch (r.action) {
    case IpRouteAction::kMartianSource:
      return Drop(SourceDropKind(r.reason), MartianKind::kSource, r.reason);
    case IpRouteAction::kMartianDestination:
      return Drop(IpDropKind::kMartianDestination, MartianKind::kDestination, r.reason);
    default:
      return {IpDropKind::kNone, MartianKind::kNone, r.reason};
  }
}

IpInputDecision SourceGuardDecide(const kernel_state::L3State& state, const NetnsFlags& flags,
                                  const ConfView& l3_conf, const IpPacketInfo& in, int mode) {
  const ConfView conf = l3_conf.WithRpFilter(mode);
  if (IpInputDecision d = MartianSourceClasses(conf, in, MartianKind::kNone); d.drop != IpDropKind::kNone) return d;
  if (IsZeronet(in.src)) {
    // DHCP and IGMP from a host that has no address yet (the kernel's broadcast and
    // multicast paths accept them).
    const bool allowed = IsLimitedBroadcast(in.dst) || (IsMulticast(in.dst) && (IsLocalMulticast(in.dst) || in.protocol == kIpprotoIgmp));
    if (!allowed) return Drop(IpDropKind::kMartianSource, MartianKind::kNone, "martian_source_zero");
    return {IpDropKind::kNone, MartianKind::kNone, "zero_source_allowed"};
  }
  const SourceCheck sc = ValidateSource(state, flags, conf, {in.src, 0, in.tos, 0, in.ifindex});
  if (!sc.ok) return Drop(SourceDropKind(sc.reason), MartianKind::kNone, sc.reason);
  return {IpDropKind::kNone, MartianKind::kNone, sc.reason};
}

}  // namespace pvland::ipv4
