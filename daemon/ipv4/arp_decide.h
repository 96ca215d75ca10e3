// The kernel's verdict on one received ARP packet, for the internal port that is
// the L3 device of the VLAN it arrived on (net/ipv4/arp.c arp_rcv + arp_process;
// docs/kernel-semantics.md §2.1, with §2.2-2.7 underneath). Pure: it reads the synced
// L3 state and the devconf store and returns what to do; the caller sends, queues,
// counts and logs.
//
// Outcomes: ignore (with a stable snake_case reason for drop accounting and
// tracing), reply now, or queue for the proxy delay (§2.5). A martian found on the
// way is reported whether or not log_martians is on; `log_martian` says whether
// the kernel would print it (before its global rate limit).
//
// Not modelled: the arptables hooks, IFF_NOARP internal ports (pvland's TAPs never
// are), and a neighbour table that refuses an entry (gc_thresh3), which would suppress
// a local reply.
#pragma once

#include <optional>
#include <string_view>

#include "daemon/ipv4/arp_packet.h"
#include "daemon/ipv4/conf_lookup.h"
#include "daemon/ipv4/route_input.h"
#include "daemon/ipv4/validate_source.h"

namespace pvland::ipv4 {

enum class ArpAction : uint8_t { kIgnore, kReply, kEnqueue };

// kPneigh: a static proxy entry (`ip neigh add proxy`, pneigh_lookup) answered.
enum class ArpReplyKind : uint8_t { kNone, kLocal, kDad, kProxy, kPvlan, kPneigh };

// The fields of a reply as arp_send_dst(ARPOP_REPLY, ...) fills them.
struct ArpReplyFields {
  MacAddr eth_dst{};  // the request's ARP sha, not its Ethernet source
  MacAddr eth_src{};  // the receiving device's MAC
  MacAddr sha{};      // the receiving device's MAC
  Ipv4 spa = 0;   // the asked-for address (tip)
  MacAddr tha{};      // the request's sha
  Ipv4 tpa = 0;   // the request's sip (0.0.0.0 for a DAD probe)
};

struct ArpDecision {
  ArpAction action = ArpAction::kIgnore;
  ArpReplyKind kind = ArpReplyKind::kNone;
  std::string_view reason;  // stable snake_case, e.g. "proxy_reply", "arp_ignore"
  ArpReplyFields reply;     // valid for kReply and kEnqueue
  // The kernel created or refreshed the requester's neighbour entry (sip -> sha,
  // STALE) on the way to this verdict (local reply or proxy eligibility).
  bool requester_neighbour_refreshed = false;
  // Reached the neighbour-table update of §2.8 (replies, unanswered requests).
  bool neighbour_update = false;
  MartianKind martian = MartianKind::kNone;
  bool log_martian = false;  // log_martians (OR) on the ingress device
};

struct ArpInput {
  ArpPacket packet;
  int ifindex = 0;  // the internal port acting as the VLAN's L3 device
  // A re-run from the proxy queue (LOCALLY_ENQUEUED): eligible requests are
  // answered at once instead of being queued again.
  bool locally_enqueued = false;
};

ArpDecision ArpDecide(const kernel_state::L3State& state, const DevconfStore& store,
                      const NetnsFlags& flags, const ArpInput& in);

}  // namespace pvland::ipv4
