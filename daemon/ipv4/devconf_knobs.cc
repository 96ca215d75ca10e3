#include "daemon/ipv4/devconf_knobs.h"

#include <array>

namespace pvland::ipv4 {
namespace {

// Defaults: net/ipv4/devinet.c ipv4_devconf / ipv4_devconf_dflt, confirmed by reading
// /proc/sys/net/ipv4/conf/{all,default} in a fresh namespace on the target kernel.
// The only all/default difference is accept_source_route (0 / 1).
constexpr std::array<KnobInfo, kDevconfMax> kKnobs = {{
    {Knob::kForwarding, "forwarding", 0, 0, Combine::kDevOnly, true},
    {Knob::kMcForwarding, "mc_forwarding", 0, 0, Combine::kAnd, false},
    {Knob::kProxyArp, "proxy_arp", 0, 0, Combine::kOr, true},
    {Knob::kAcceptRedirects, "accept_redirects", 1, 1, Combine::kAcceptRedirects, true},
    {Knob::kSecureRedirects, "secure_redirects", 1, 1, Combine::kOr, true},
    {Knob::kSendRedirects, "send_redirects", 1, 1, Combine::kOr, true},
    {Knob::kSharedMedia, "shared_media", 1, 1, Combine::kOr, true},
    {Knob::kRpFilter, "rp_filter", 0, 0, Combine::kMax, true},
    {Knob::kAcceptSourceRoute, "accept_source_route", 0, 1, Combine::kAnd, true},
    {Knob::kBootpRelay, "bootp_relay", 0, 0, Combine::kAnd, true},
    {Knob::kLogMartians, "log_martians", 0, 0, Combine::kOr, true},
    {Knob::kTag, "tag", 0, 0, Combine::kDevOnly, true},
    {Knob::kArpFilter, "arp_filter", 0, 0, Combine::kOr, true},
    {Knob::kMediumId, "medium_id", 0, 0, Combine::kDevOnly, true},
    {Knob::kDisableXfrm, "disable_xfrm", 0, 0, Combine::kOr, true},
    {Knob::kDisablePolicy, "disable_policy", 0, 0, Combine::kOr, true},
    {Knob::kForceIgmpVersion, "force_igmp_version", 0, 0, Combine::kNotEvaluated, true},
    {Knob::kArpAnnounce, "arp_announce", 0, 0, Combine::kMax, true},
    {Knob::kArpIgnore, "arp_ignore", 0, 0, Combine::kMax, true},
    {Knob::kPromoteSecondaries, "promote_secondaries", 0, 0, Combine::kOr, true},
    {Knob::kArpAccept, "arp_accept", 0, 0, Combine::kMax, true},
    {Knob::kArpNotify, "arp_notify", 0, 0, Combine::kMax, true},
    {Knob::kAcceptLocal, "accept_local", 0, 0, Combine::kOr, true},
    {Knob::kSrcValidMark, "src_valid_mark", 0, 0, Combine::kOr, true},
    {Knob::kProxyArpPvlan, "proxy_arp_pvlan", 0, 0, Combine::kOr, true},
    {Knob::kRouteLocalnet, "route_localnet", 0, 0, Combine::kOr, true},
    {Knob::kIgmpv2UnsolicitedReportInterval, "igmpv2_unsolicited_report_interval",
     10000, 10000, Combine::kDevOnly, true},
    {Knob::kIgmpv3UnsolicitedReportInterval, "igmpv3_unsolicited_report_interval",
     1000, 1000, Combine::kDevOnly, true},
    {Knob::kIgnoreRoutesWithLinkdown, "ignore_routes_with_linkdown", 0, 0, Combine::kOr,
     true},
    {Knob::kDropUnicastInL2Multicast, "drop_unicast_in_l2_multicast", 0, 0, Combine::kOr,
     true},
    {Knob::kDropGratuitousArp, "drop_gratuitous_arp", 0, 0, Combine::kOr, true},
    {Knob::kBcForwarding, "bc_forwarding", 0, 0, Combine::kAnd, true},
    {Knob::kArpEvictNocarrier, "arp_evict_nocarrier", 1, 1, Combine::kAnd, true},
}};

constexpr bool TableIsInIndexOrder() {
  for (int i = 0; i < kDevconfMax; ++i) {
    if (KnobSlot(kKnobs[i].knob) != i) return false;
  }
  return true;
}
static_assert(TableIsInIndexOrder(), "kKnobs must follow IPV4_DEVCONF order");

}  // namespace

std::span<const KnobInfo> AllKnobs() { return kKnobs; }

const KnobInfo& InfoOf(Knob k) { return kKnobs[KnobSlot(k)]; }

std::optional<Knob> KnobByName(std::string_view name) {
  for (const KnobInfo& info : kKnobs) {
    if (info.name == name) return info.knob;
  }
  return std::nullopt;
}

DevconfArray CompiledAllDefaults() {
  DevconfArray a{};
  for (const KnobInfo& info : kKnobs) a[KnobSlot(info.knob)] = info.all_default;
  return a;
}

DevconfArray CompiledDefaultDefaults() {
  DevconfArray a{};
  for (const KnobInfo& info : kKnobs) a[KnobSlot(info.knob)] = info.dflt_default;
  return a;
}

}  // namespace pvland::ipv4
