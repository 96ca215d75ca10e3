#include "daemon/observe/explain.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "include/pvland/ipv4_addr.h"
#include "include/pvland/strings.h"
#include "include/pvland/types.h"

namespace pvland::observe {
namespace {

// text::Cat, which takes std::string_view (this Abseil's StrCat does not).
template <typename... T>
std::string StrCat(const T&... parts) {
  return text::Cat(parts...);
}

std::string PortName(const std::optional<PortFacts>& p) { return p ? p->name : std::string("(deleted port)"); }

// The tag in the recorded frame: its VID, or nullopt for an untagged frame.
std::optional<uint16_t> FrameTag(absl::Span<const uint8_t> f) {
  if (f.size() < 16) return std::nullopt;
  const uint16_t tpid = static_cast<uint16_t>(f[12] << 8 | f[13]);
  if (tpid != 0x8100 && tpid != 0x88a8) return std::nullopt;
  return static_cast<uint16_t>((f[14] << 8 | f[15]) & 0x0fff);
}

std::string SrcMac(absl::Span<const uint8_t> f) { return f.size() >= 12 ? FormatMac(f.data() + 6) : "?"; }
std::string DstMac(absl::Span<const uint8_t> f) { return f.size() >= 6 ? FormatMac(f.data()) : "?"; }

std::string PvlanText(const PortFacts& p) {
  const uint16_t vid = p.cfg.vlan;
  switch (p.pvlan) {
    case PvlanType::kPrimary: return StrCat("promiscuous on primary VLAN ", vid);
    case PvlanType::kIsolated: return StrCat("on isolated VLAN ", vid, " (primary ", p.primary, ")");
    case PvlanType::kCommunity: return StrCat("on community VLAN ", vid, " (primary ", p.primary, ")");
    case PvlanType::kNone: break;
  }
  return StrCat("on VLAN ", vid, ", outside any private VLAN");
}

// The allowed list with `vid` added, in the grammar's form.
std::string AllowedPlus(const PortConfig& cfg, uint16_t vid) {
  VlanSet s = cfg.allowed;
  s.set(vid);
  return FormatVlanSet(s);
}

// ---- one explainer per reason ------------------------------------------------------

Explanation Runt(const ExplainInput& in) {
  return {StrCat("the frame has ", in.wire_len, " bytes, fewer than an Ethernet header (14)"),
          "none: such a frame is never forwarded",
          "nothing in pvland: the sender must send whole Ethernet frames"};
}

Explanation TruncatedVlanTag(const ExplainInput& in) {
  return {StrCat("the ethertype says 802.1Q but the frame (", in.wire_len, " bytes) ends inside the 4-byte tag"),
          "none: such a frame is never forwarded", "nothing in pvland: the sender must send whole tags"};
}

Explanation Oversize(const ExplainInput& in) {
  return {StrCat("the frame (", in.wire_len, " bytes) is larger than a ring slot of ", PortName(in.port),
                 " and the kernel's copy of it did not fit the socket's receive buffer"),
          StrCat(PortName(in.port), ": receive ring of 2 KiB slots, 8 MiB socket buffer (docs/offloads.md)"),
          "less traffic in large frames on this port at once (the kernel queue was full), or a smaller MTU on the sender"};
}

Explanation InvalidSrcMac(const ExplainInput& in) {
  const std::string src = SrcMac(in.frame);
  return {StrCat("source MAC ", src, " is multicast, broadcast or all zero, which no bridge accepts as a sender"),
          "none: the Linux bridge refuses the same (is_valid_ether_addr)",
          "nothing in pvland: the sender must use a unicast source MAC"};
}

Explanation LinkLocalDst(const ExplainInput& in) {
  return {StrCat("destination ", DstMac(in.frame),
                 " is an IEEE 802.1D link-local group address (01:80:c2:00:00:0X: STP, pause, LLDP, 802.1X), which a bridge never forwards"),
          "none: pvland has no group_fwd_mask",
          "nothing in pvland: link-local protocols stop at the first bridge"};
}

Explanation VlanTagOnAccess(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  const std::optional<uint16_t> tag = FrameTag(in.frame);
  const std::string vid = tag ? StrCat(*tag) : std::string("?");
  Explanation e{StrCat("a frame tagged with VLAN ", vid, " arrived on access port ", name,
                       ", which takes untagged (or priority-tagged) frames only"),
                in.port ? VlanSettings(*in.port) : "", ""};
  e.fix = tag ? StrCat("port set ", name, " mode trunk allowed ", *tag,
                       in.port ? StrCat(" native ", in.port->cfg.vlan) : std::string())
              : StrCat("port set ", name, " mode trunk allowed VID");
  return e;
}

Explanation VlanNotAllowed(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  const std::optional<uint16_t> tag = FrameTag(in.frame);
  Explanation e;
  if (in.port) {
    e.rule = StrCat("tagged VLAN ", tag ? StrCat(*tag) : std::string("?"), " is not in allowed ",
                    FormatVlanSet(in.port->cfg.allowed),
                    in.port->cfg.native != 0 ? StrCat(" nor the native VLAN ", in.port->cfg.native) : "");
    e.decided_by = VlanSettings(*in.port);
    e.fix = tag ? StrCat("port set ", name, " allowed ", AllowedPlus(in.port->cfg, *tag))
                : StrCat("port set ", name, " allowed LIST,VID");
  } else {
    e.rule = "the frame's VLAN was not allowed on its (since deleted) trunk port";
    e.fix = "its VLAN in the port's allowed list";
  }
  return e;
}

Explanation UntaggedOnTrunk(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  return {StrCat("an untagged frame arrived on trunk ", name, ", which has no native VLAN"),
          in.port ? VlanSettings(*in.port) : "", StrCat("port set ", name, " native VID (the VLAN untagged frames belong to)")};
}

Explanation VlanNotMember(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  Explanation e{StrCat("the destination ", name, " does not carry VLAN ", in.vid), in.port ? VlanSettings(*in.port) : "",
                ""};
  if (in.port && in.port->cfg.mode == PortMode::kTrunk)
    e.fix = StrCat("port set ", name, " allowed ", AllowedPlus(in.port->cfg, in.vid));
  else
    e.fix = StrCat("port set ", name, " vlan ", in.vid, " (or make it a trunk that allows ", in.vid, ")");
  return e;
}

Explanation SamePort(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  return {StrCat("the FDB has ", DstMac(in.frame), " behind ", name,
                 ", the port the frame arrived on, and a bridge does not send a frame back where it came from"),
          StrCat(name, ": hairpin off"), StrCat("port set ", name, " hairpin on")};
}

Explanation IsolatedPort(const ExplainInput& in) {
  const std::string src = PortName(in.in_port), dst = PortName(in.port);
  return {StrCat(src, " and ", dst, " are both isolated, and isolated ports never talk to each other"),
          StrCat(src, ": isolated on; ", dst, ": isolated on"), StrCat("port set ", dst, " isolated off")};
}

Explanation PvlanIsolation(const ExplainInput& in) {
  const std::string src = PortName(in.in_port), dst = PortName(in.port);
  Explanation e;
  if (!in.in_port || !in.port) {
    e.rule = "the private-VLAN matrix forbids this pair (a port has since been deleted)";
    e.fix = "a promiscuous destination (on the primary VLAN)";
    return e;
  }
  const PortFacts& s = *in.in_port;
  const PortFacts& d = *in.port;
  const std::string why = s.pvlan == PvlanType::kIsolated
                              ? "an isolated port may only send to promiscuous ports"
                              : "a community port may only send to promiscuous ports and its own community";
  e.rule = StrCat(src, " is ", PvlanText(s), " and ", dst, " is ", PvlanText(d), ": ", why);
  e.decided_by = StrCat(VlanSettings(s), "; ", VlanSettings(d));
  const uint16_t primary = s.primary != 0 ? s.primary : d.primary;
  e.fix = StrCat("port set ", dst, " vlan ", primary,
                 " (promiscuous), or route between them through the primary VLAN's internal port with proxy_arp_pvlan");
  return e;
}

Explanation PortDown(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  const std::string state = in.port ? std::string(PortStateName(in.port->state)) : std::string("deleted");
  return {StrCat("the destination ", name, " could not send: it is ", state, " now",
                 in.detail.empty() ? "" : StrCat(" (the kernel said ", in.detail, ")")),
          StrCat(name, ": state ", state),
          in.port && in.port->kind != PortKind::kNetdev
              ? StrCat("the port's interface up (ip link set ", name, " up)")
              : StrCat("its interface present and up (ip link set ", name, " up) and its peer up")};
}

Explanation MtuExceeded(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  return {StrCat("the kernel refused a ", in.wire_len, "-byte frame as longer than ", name, "'s MTU (EMSGSIZE)"),
          StrCat(name, ": its link's MTU (ip link show ", name, ")"),
          StrCat("ip link set ", name, " mtu ", in.wire_len > 14 ? in.wire_len - 14 : in.wire_len,
                 " (or larger), or a smaller MTU on the sender")};
}

Explanation TxError(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  return {StrCat("the kernel refused to send the frame on ", name,
                 in.detail.empty() ? "" : StrCat(" (", in.detail, ")")),
          StrCat(name, ": its transmit queue"),
          "nothing to set in pvland: the error is the kernel's (see pvland's log for repeated ones)"};
}

Explanation RxRingFull(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  return {StrCat("the kernel lost frames because ", name, "'s receive ring was full"),
          StrCat(name, ": receive ring size"), "less load on pvland, or fewer ports busy at once"};
}

Explanation ProxyQueueOverflow(const ExplainInput& in) {
  const std::string dev = in.ip.l3_dev.empty() ? std::string("the internal port") : in.ip.l3_dev;
  const std::string qlen = in.proxy_qlen >= 0 ? StrCat(in.proxy_qlen) : std::string("?");
  return {StrCat("an ARP request to be answered after proxy_delay found ", dev, "'s proxy queue full (proxy_qlen ", qlen,
                 ")"),
          StrCat("net.ipv4.neigh.", dev, ".proxy_qlen ", qlen),
          StrCat("sysctl -w net.ipv4.neigh.", dev, ".proxy_qlen=", in.proxy_qlen >= 0 ? in.proxy_qlen * 2 : 128,
                 " (or proxy_delay=0)")};
}

// "rp_filter 1 = max(all 0, gw0 1)"
std::string RpFilterValues(const IpFacts& ip) {
  return StrCat("rp_filter ", ip.rp_effective, " = max(all ", ip.rp_all, ", ", ip.l3_dev, " ", ip.rp_dev, ")");
}

// Where the route back to the source goes, in words.
std::string RouteBack(const IpFacts& ip) {
  const std::string src = FormatIpv4(ip.src);
  if (ip.route_back_type.empty()) return StrCat("there is no route back to ", src);
  if (ip.route_back_type != "unicast" && ip.route_back_type != "local")
    return StrCat("the route back to ", src, " is ", ip.route_back_type);
  if (ip.route_back_dev.empty()) return StrCat("the route back to ", src, " is ", ip.route_back_type);
  if (ip.route_back_dev == ip.l3_dev) return StrCat("the route back to ", src, " leaves by ", ip.l3_dev);
  return StrCat("the route back to ", src, " leaves by ", ip.route_back_dev, ", not ", ip.l3_dev);
}

std::string Now(const IpFacts& ip, std::string_view reason) {
  if (ip.reason.empty()) return " (it would pass now: the settings or routes changed since)";
  if (ip.reason != reason) return StrCat(" (decided now as ", ip.reason, ")");
  return "";
}

Explanation RpFilter(const ExplainInput& in) {
  const IpFacts& ip = in.ip;
  if (!ip.parsed) return {"rp_filter on the internal port refused the source (the recorded bytes hold no IPv4 header)", "", "rp_filter 2 (loose) or 0"};
  Explanation e;
  e.rule = StrCat("rp_filter on ", ip.l3_dev, " (", RpFilterValues(ip), "): ");
  if (ip.reason == "rp_filter_no_address")
    e.rule += StrCat(ip.l3_dev, " has no IPv4 address");
  else
    e.rule += RouteBack(ip);
  e.rule += Now(ip, ip.reason);
  e.decided_by = StrCat("net.ipv4.conf.all.rp_filter ", ip.rp_all, ", net.ipv4.conf.", ip.l3_dev, ".rp_filter ",
                        ip.rp_dev, "; the routes to ", FormatIpv4(ip.src));
  const std::string zero_all = ip.rp_all > 0 ? StrCat(" and net.ipv4.conf.all.rp_filter=0") : "";
  if (ip.passes_loose && ip.rp_effective == 1)
    e.fix = StrCat("rp_filter 2 (loose): sysctl -w net.ipv4.conf.", ip.l3_dev, ".rp_filter=2",
                   ip.rp_all == 1 ? " and net.ipv4.conf.all.rp_filter=2 (or 0)" : "");
  else if (ip.passes_off)
    e.fix = StrCat("rp_filter 0: sysctl -w net.ipv4.conf.", ip.l3_dev, ".rp_filter=0", zero_all,
                   ", or a route back to ", FormatIpv4(ip.src), " through ", ip.l3_dev);
  else
    e.fix = StrCat("a route back to ", FormatIpv4(ip.src), " through ", ip.l3_dev);
  return e;
}

Explanation MartianSource(const ExplainInput& in) {
  const IpFacts& ip = in.ip;
  if (!ip.parsed) return {"the source is one the kernel never accepts on the internal port", "", "a valid source address on the sender"};
  const std::string src = FormatIpv4(ip.src);
  const std::string dev = ip.l3_dev;
  Explanation e{StrCat("source ", src, " is a martian on ", dev), "", ""};
  const std::string& r = ip.reason;
  if (r == "local_source") {
    e.rule = StrCat("source ", src, " is one of this namespace's own addresses, and ", dev, " has accept_local ",
                    ip.accept_local);
    e.decided_by = StrCat("net.ipv4.conf.", dev, ".accept_local ", ip.accept_local);
    e.fix = StrCat("sysctl -w net.ipv4.conf.", dev, ".accept_local=1");
  } else if (r == "martian_source_loopback") {
    e.rule = StrCat("source ", src, " is in 127/8 and ", dev, " has route_localnet ", ip.route_localnet);
    e.decided_by = StrCat("net.ipv4.conf.", dev, ".route_localnet ", ip.route_localnet);
    e.fix = StrCat("sysctl -w net.ipv4.conf.", dev, ".route_localnet=1");
  } else if (r == "martian_source_zero") {
    e.rule = StrCat("source 0.0.0.0 is accepted only to 255.255.255.255 or 224.0.0.0/24 (DHCP, IGMP)");
    e.fix = "nothing in pvland: the kernel never takes it (the sender must use an address)";
  } else if (r == "martian_source_multicast_or_broadcast") {
    e.rule = StrCat("source ", src, " is multicast or broadcast, which the kernel never accepts as a sender");
    e.fix = "nothing in pvland: the sender must use a unicast source";
  } else if (r == "invalid_source") {
    e.rule = StrCat("the route back to ", src, " is not unicast (", ip.route_back_type, ")");
    e.decided_by = StrCat("the routes to ", src);
    e.fix = StrCat("a unicast route back to ", src);
  } else {
    e.rule += StrCat(" (", r.empty() ? "it would pass now" : r, ")");
    e.fix = "a source the kernel accepts on this device";
  }
  e.rule += Now(ip, r);
  return e;
}

Explanation MartianDestination(const ExplainInput& in) {
  const IpFacts& ip = in.ip;
  if (!ip.parsed) return {"the destination is one the kernel never routes", "", "a routable destination"};
  const std::string dst = FormatIpv4(ip.dst);
  const std::string dev = ip.l3_dev;
  Explanation e{StrCat("destination ", dst, " is a martian on ", dev), "", ""};
  const std::string& r = ip.reason;
  if (r == "martian_destination_loopback") {
    e.rule = StrCat("destination ", dst, " is in 127/8 and ", dev, " has route_localnet ", ip.route_localnet);
    e.decided_by = StrCat("net.ipv4.conf.", dev, ".route_localnet ", ip.route_localnet);
    e.fix = StrCat("sysctl -w net.ipv4.conf.", dev, ".route_localnet=1");
  } else if (r == "martian_destination_zero") {
    e.rule = StrCat("destination ", dst, " is in 0.0.0.0/8, which the kernel never routes");
    e.fix = "nothing in pvland: the sender must use a real destination";
  } else if (r == "martian_destination_route_type") {
    e.rule = StrCat("the route to ", dst, " is not unicast, local or broadcast");
    e.decided_by = StrCat("the routes to ", dst, " (pvlanctl route get ", dst, ")");
    e.fix = StrCat("a unicast route to ", dst);
  } else {
    e.rule += StrCat(" (", r.empty() ? "it would pass now" : r, ")");
    e.fix = "a destination the kernel routes";
  }
  e.rule += Now(ip, r);
  return e;
}

Explanation SourceGuard(const ExplainInput& in) {
  const IpFacts& ip = in.ip;
  const std::string name = PortName(in.in_port ? in.in_port : in.port);
  const std::string mode = ip.guard_mode == 2 ? "loose" : "strict";
  Explanation e;
  if (ip.l3_dev.empty()) {
    e.rule = StrCat(name, " has source_guard ", mode, " and VLAN ", in.vid,
                    " has no internal port to judge sources by, so every IPv4 frame is refused");
    e.decided_by = StrCat(name, ": source_guard ", mode, "; no internal port in VLAN ", in.vid);
    e.fix = StrCat("port set ", name, " source_guard off, or an internal port in VLAN ", in.vid);
    return e;
  }
  if (!ip.parsed) {
    e.rule = StrCat(name, " has source_guard ", mode, " and the frame's IPv4 header is not valid");
    e.decided_by = StrCat(name, ": source_guard ", mode);
    e.fix = StrCat("port set ", name, " source_guard off");
    return e;
  }
  e.rule = StrCat(name, " has source_guard ", mode, " (judged as by ", ip.l3_dev, "): ");
  if (ip.reason.starts_with("martian") || ip.reason == "local_source")
    e.rule += StrCat("source ", FormatIpv4(ip.src), " is a martian (", ip.reason, ")");
  else
    e.rule += RouteBack(ip);
  e.rule += Now(ip, ip.reason);
  e.decided_by = StrCat(name, ": source_guard ", mode, "; the routes to ", FormatIpv4(ip.src));
  if (ip.guard_mode == 1 && ip.passes_loose)
    e.fix = StrCat("port set ", name, " source_guard loose");
  else
    e.fix = StrCat("port set ", name, " source_guard off, or a route back to ", FormatIpv4(ip.src), " through ",
                   ip.l3_dev);
  return e;
}

// ---- port security (docs/port-security.md) ------------------------------------------

std::string Policies(const PortFacts& p) {
  const PortSecurityConfig& s = p.cfg.security;
  return StrCat(p.name, ": mac_changes ", SecurityPolicyName(s.mac_changes), ", forged_transmits ",
                SecurityPolicyName(s.forged_transmits), ", mac_learning ", s.mac_learning ? "on" : "off");
}

// The drop's port, or a stand-in named "(deleted port)" with default settings.
PortFacts PortOrDeleted(const ExplainInput& in) {
  if (in.port) return *in.port;
  PortFacts f;
  f.name = PortName(in.port);
  return f;
}

Explanation ForgedTransmit(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  const PortFacts port = PortOrDeleted(in);
  const PortSecurityState& st = port.security;
  return {StrCat("forged_transmits reject on ", name, ": source ", SrcMac(in.frame), " is not the effective MAC ",
                 FormatMac(st.effective)),
          StrCat(Policies(port), "; initial MAC ", FormatMac(st.initial), ", effective MAC ", FormatMac(st.effective)),
          StrCat("port set ", name, " forged_transmits accept (a guest sending for other MACs: macvlan, a bridge, "
                 "nested VMs), or port set ", name, " mac_learning on")};
}

Explanation MacChangeBlocked(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  const PortFacts port = PortOrDeleted(in);
  const PortSecurityState& st = port.security;
  const std::string guest = st.endpoint.empty() ? std::string("its guest") : st.endpoint;
  return {StrCat("mac_changes reject on ", name, ": ", guest, " changed its MAC to ", FormatMac(st.requested),
                 ", not the initial MAC ", FormatMac(st.initial), ", so nothing is delivered to the port"),
          StrCat(Policies(port), "; initial MAC ", FormatMac(st.initial), ", guest MAC ", FormatMac(st.requested)),
          StrCat("port set ", name, " mac_changes accept, or the guest's MAC back to ", FormatMac(st.initial))};
}

Explanation MacLimit(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  const PortFacts port = PortOrDeleted(in);
  const PortSecurityConfig& s = port.cfg.security;
  return {StrCat("MAC learning on ", name, " is full (", port.macs_learned, " of mac_limit ", s.mac_limit,
                 ") and mac_limit_policy is drop: new source ", SrcMac(in.frame), " is refused"),
          StrCat(name, ": mac_learning on, mac_limit ", s.mac_limit, ", mac_limit_policy drop, mac_aging ",
                 s.mac_aging_s, " s"),
          StrCat("port set ", name, " mac_limit ", std::min<uint32_t>(PortSecurityConfig::kMaxMacLimit, s.mac_limit + 1u),
                 " or more, or mac_limit_policy allow (forwarded without learning), or wait for unused MACs to age out")};
}

Explanation MacConflict(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  const std::string owner = in.src_owner.empty() ? std::string("another port") : in.src_owner;
  return {StrCat("MAC learning on ", name, ": source ", SrcMac(in.frame), " belongs to ", owner,
                 " (its effective MAC, or a static FDB entry), which a learning port may not take over"),
          Policies(PortOrDeleted(in)),
          StrCat("the guest on ", name, " must not use ", owner, "'s MAC; or remove the static entry "
                 "(fdb del) if the address moved")};
}

// ---- protocol state filtering (docs/psf.md) ----------------------------------------

std::string PsfSettings(const PortFacts& p) {
  return StrCat(p.name, ": psf ", PsfModeName(p.cfg.psf.mode), ", role ", PortRoleName(p.cfg.psf.role),
                ", psf_liberal ", p.cfg.psf.liberal ? "on" : "off", ", psf_max_entries ", p.cfg.psf.max_entries);
}

// What a protocol state filtering drop means, by reason.
std::string PsfRule(DropReason r) {
  switch (r) {
    case DropReason::kPsfMalformed: return "the TCP header is not whole";
    case DropReason::kPsfInvalidFlags: return "its TCP flags are a combination conntrack never accepts (NULL, FIN alone, SYN+FIN, SYN+RST...)";
    case DropReason::kPsfNoState:
      return "it belongs to no connection this port saw open: only a SYN opens one (a SYN-ACK here means the SYN took "
             "another path)";
    case DropReason::kPsfInvalidState: return "it is not valid in its connection's TCP state";
    case DropReason::kPsfOutOfWindow: return "its sequence or acknowledgement number is outside the connection's window";
    case DropReason::kPsfTableFull: return "the port tracks as many connections as it may, all established";
    default: return "";
  }
}

Explanation Psf(const ExplainInput& in) {
  const PortFacts port = PortOrDeleted(in);
  const bool received = in.in_port && in.port && in.in_port->name == in.port->name;
  Explanation e;
  e.rule = StrCat("protocol state filtering on ", port.name, ": ", PsfRule(in.reason),
                  in.detail.empty() ? std::string() : StrCat(" [", in.detail, "]"), "; the segment ",
                  received ? "was sent by the port's host" : "was on its way to the port's host");
  e.decided_by = PsfSettings(port);
  if (in.reason == DropReason::kPsfTableFull)
    e.fix = StrCat("port set ", port.name, " psf_max_entries ", std::min<uint64_t>(port.cfg.psf.max_entries * 2ull, 1u << 20),
                   ", or fewer open connections");
  else if (in.reason == DropReason::kPsfNoState)
    e.fix = StrCat("port set ", port.name, " psf disabled (both directions of a connection must cross the port; with "
                   "asymmetric routing they do not), or psf_liberal on for connections opened before filtering began");
  else
    e.fix = StrCat("port set ", port.name, " psf disabled, if the endpoints' TCP is to be trusted as it is");
  return e;
}

Explanation VxlanMalformed(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  return {StrCat("a datagram to VXLAN port ", name,
                 " is not a VXLAN frame it accepts: shorter than the 8-byte VXLAN header and an Ethernet header, "
                 "the I flag (VNI valid) clear, or the G flag (group policy) set, which a Linux vxlan device "
                 "without gbp drops too"),
          StrCat(name, ": RFC 7348's header (docs/vxlan.md)"),
          "nothing in pvland: the sender must send RFC 7348 VXLAN (no GBP, no GPE) to this port's dstport"};
}

Explanation VxlanWrongVni(const ExplainInput& in) {
  const std::string name = PortName(in.port);
  return {StrCat("a VXLAN datagram to ", name, " carries another VNI than the port's"),
          StrCat(name, ": its vni (pvlanctl port show ", name, ")"),
          "the same VNI on both ends (the sender's vxlan id, or Open vSwitch's options:key); one VXLAN port "
          "per local address and dstport carries one VNI"};
}

// The one table: every reason of PVL_DROP_REASONS has a row.
constexpr std::pair<DropReason, ExplainFn> kExplainers[] = {
    {DropReason::kRunt, Runt},
    {DropReason::kTruncatedVlanTag, TruncatedVlanTag},
    {DropReason::kOversize, Oversize},
    {DropReason::kInvalidSrcMac, InvalidSrcMac},
    {DropReason::kLinkLocalDst, LinkLocalDst},
    {DropReason::kVlanTagOnAccess, VlanTagOnAccess},
    {DropReason::kVlanNotAllowed, VlanNotAllowed},
    {DropReason::kUntaggedOnTrunk, UntaggedOnTrunk},
    {DropReason::kVlanNotMember, VlanNotMember},
    {DropReason::kSamePort, SamePort},
    {DropReason::kIsolatedPort, IsolatedPort},
    {DropReason::kPvlanIsolation, PvlanIsolation},
    {DropReason::kPortDown, PortDown},
    {DropReason::kMtuExceeded, MtuExceeded},
    {DropReason::kTxError, TxError},
    {DropReason::kRxRingFull, RxRingFull},
    {DropReason::kProxyQueueOverflow, ProxyQueueOverflow},
    {DropReason::kRpFilter, RpFilter},
    {DropReason::kMartianSource, MartianSource},
    {DropReason::kMartianDestination, MartianDestination},
    {DropReason::kSourceGuard, SourceGuard},
    {DropReason::kForgedTransmit, ForgedTransmit},
    {DropReason::kMacChangeBlocked, MacChangeBlocked},
    {DropReason::kMacLimit, MacLimit},
    {DropReason::kMacConflict, MacConflict},
    {DropReason::kPsfMalformed, Psf},
    {DropReason::kPsfInvalidFlags, Psf},
    {DropReason::kPsfNoState, Psf},
    {DropReason::kPsfInvalidState, Psf},
    {DropReason::kPsfOutOfWindow, Psf},
    {DropReason::kPsfTableFull, Psf},
    {DropReason::kVxlanMalformed, VxlanMalformed},
    {DropReason::kVxlanWrongVni, VxlanWrongVni},
};

}  // namespace

std::string VlanSettings(const PortFacts& p) {
  if (p.cfg.mode == PortMode::kAccess) return StrCat(p.name, ": mode access, vlan ", p.cfg.vlan);
  return StrCat(p.name, ": mode trunk, allowed ", FormatVlanSet(p.cfg.allowed), ", native ",
                p.cfg.native != 0 ? StrCat(p.cfg.native) : std::string("none"));
}

ExplainFn ExplainerFor(DropReason r) {
  for (const auto& [reason, fn] : kExplainers)
    if (reason == r) return fn;
  return nullptr;
}

Explanation Explain(const ExplainInput& in) {
  if (ExplainFn fn = ExplainerFor(in.reason)) return fn(in);
  return {StrCat(DropReasonName(in.reason), " (no explanation for this reason yet)"), "", ""};
}

}  // namespace pvland::observe
