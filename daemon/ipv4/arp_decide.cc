#include "daemon/ipv4/arp_decide.h"

#include "daemon/ipv4/arp_local.h"
#include "daemon/ipv4/proxy_eligibility.h"

namespace pvland::ipv4 {
namespace {

constexpr uint32_t kIffNoarp = 0x80;  // IFF_NOARP

ArpDecision Ignore(std::string_view why) {
  ArpDecision d;
  d.reason = why;
  return d;
}

ArpReplyFields ReplyFields(const Link& dev, const ArpPacket& p, Ipv4 tpa) {
  ArpReplyFields r;
  r.eth_dst = p.sha;
  r.eth_src = dev.mac;
  r.sha = dev.mac;
  r.spa = p.tip;
  r.tha = p.sha;
  r.tpa = tpa;
  return r;
}

}  // namespace

ArpDecision ArpDecide(const kernel_state::L3State& state, const DevconfStore& store,
                      const NetnsFlags& flags, const ArpInput& in) {
  const ArpPacket& p = in.packet;
  const Link* dev = state.LinkByIndex(in.ifindex);
  if (dev == nullptr) return Ignore("arp_no_device");

  // arp_rcv. The proxy queue re-enters at arp_process, so these are not repeated.
  if (!in.locally_enqueued) {
    if (dev->flags & kIffNoarp) return Ignore("arp_noarp_device");
    if (p.pkt_type == PacketType::kOtherHost) return Ignore("arp_other_host");
    if (p.pkt_type == PacketType::kLoopback) return Ignore("arp_loopback");
    if (p.length < kArpEthIpLen) return Ignore("arp_truncated");
    if (p.hln != 6 || p.pln != 4) return Ignore("arp_bad_address_length");
  }

  // arp_process. No IPv4 on the device (no in_dev): nothing at all.
  const ConfLookup confs(state, store);
  const std::optional<ConfView> conf = confs.ForIfindex(in.ifindex);
  if (!conf) return Ignore("arp_no_ipv4");
  if ((p.hrd != kArpHrdEther && p.hrd != kArpHrdIeee802) || p.pro != kEthPIp) {
    return Ignore("arp_bad_hardware_or_protocol");
  }
  if (p.op != kArpOpRequest && p.op != kArpOpReply) return Ignore("arp_bad_opcode");
  if (IsMulticast(p.tip)) return Ignore("arp_target_multicast");
  if (IsLoopback(p.tip) && !conf->RouteLocalnet()) return Ignore("arp_target_loopback");
  if (p.sip == p.tip && conf->DropGratuitousArp()) return Ignore("arp_gratuitous_dropped");

  // Duplicate address detection probe (RFC 2131/5227): answered only for our own
  // addresses, on any device, subject to arp_ignore; no route check, no
  // arp_filter, no proxying, no neighbour update, whatever the outcome.
  if (p.sip == 0) {
    if (p.op != kArpOpRequest) return Ignore("arp_dad_not_request");
    if (!state.IsLocalAddress(p.tip)) return Ignore("arp_dad_not_local");
    if (ArpIgnoreSuppresses(confs, *conf, in.ifindex, 0, p.tip)) {
      return Ignore("arp_dad_arp_ignore");
    }
    ArpDecision d;
    d.action = ArpAction::kReply;
    d.kind = ArpReplyKind::kDad;
    d.reason = "dad_reply";
    d.reply = ReplyFields(*dev, p, 0);
    return d;
  }

  ArpDecision d;
  d.log_martian = conf->LogMartians();
  if (p.op == kArpOpRequest) {
    const ArpRouteResult rt =
        RouteInputForArp(state, flags, *conf, {p.tip, p.sip, 0, in.ifindex});
    d.martian = rt.martian;
    if (rt.ok && rt.type == RouteType::kLocal) {
      if (ArpIgnoreSuppresses(confs, *conf, in.ifindex, p.sip, p.tip)) {
        d.reason = "arp_ignore";
        return d;
      }
      if (conf->ArpFilter() && ArpFilterSuppresses(state, in.ifindex, p.sip, p.tip)) {
        d.reason = "arp_filter";
        return d;
      }
      d.action = ArpAction::kReply;
      d.kind = ArpReplyKind::kLocal;
      d.reason = "local_reply";
      d.requester_neighbour_refreshed = true;
      d.reply = ReplyFields(*dev, p, p.sip);
      return d;
    }
    if (rt.ok && conf->Forwarding() && rt.type == RouteType::kUnicast) {
      ArpReplyKind kind = ArpReplyKind::kNone;
      // The kernel's order: proxy_arp, proxy_arp_pvlan, then a static proxy entry.
      if (ArpFwdProxy(*conf, in.ifindex, rt.oif, confs.ForIfindex(rt.oif))) {
        kind = ArpReplyKind::kProxy;
      } else if (ArpFwdPvlan(*conf, in.ifindex, rt.oif, p.sip, p.tip)) {
        kind = ArpReplyKind::kPvlan;
      } else if (ArpFwdProxyEntry(state, in.ifindex, rt.oif, p.tip)) {
        kind = ArpReplyKind::kPneigh;
      }
      if (kind != ArpReplyKind::kNone) {
        d.kind = kind;
        d.requester_neighbour_refreshed = true;
        d.reply = ReplyFields(*dev, p, p.sip);
        const NeighParms* np = store.Neigh(dev->name);
        const int32_t delay = np != nullptr ? np->proxy_delay_jiffies : NeighParms{}.proxy_delay_jiffies;
        // Unicast requests, re-runs from the queue, and proxy_delay 0 are answered
        // at once; other requests wait in the proxy queue.
        if (in.locally_enqueued || p.pkt_type == PacketType::kHost || delay == 0) {
          d.action = ArpAction::kReply;
          d.reason = kind == ArpReplyKind::kProxy ? "proxy_reply" : kind == ArpReplyKind::kPvlan ? "pvlan_reply" : "pneigh_reply";
        } else {
          d.action = ArpAction::kEnqueue;
          d.reason = kind == ArpReplyKind::kProxy   ? "proxy_delayed"
                     : kind == ArpReplyKind::kPvlan ? "pvlan_delayed"
                                                    : "pneigh_delayed";
        }
        return d;
      }
    }
    // Falls through to the neighbour-table update, naming why nothing answered.
    if (!rt.ok) {
      d.reason = rt.reason;
    } else if (rt.type == RouteType::kUnreachable) {
      d.reason = rt.reason == "forwarding_off" ? "forwarding_off" : "no_route";
    } else if (!conf->Forwarding()) {
      d.reason = "forwarding_off";
    } else if (rt.type != RouteType::kUnicast) {
      d.reason = "not_unicast_route";
    } else {
      d.reason = "not_proxied";
    }
  } else {
    d.reason = "arp_reply_received";
  }
  d.neighbour_update = true;
  return d;
}

}  // namespace pvland::ipv4
