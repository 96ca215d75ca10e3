// Source validation and reverse-path filtering as the kernel's fib_validate_source()
// and __fib_validate_source() decide it (net/ipv4/fib_frontend.c;
// docs/kernel-semantics.md §2.3). Used by the ARP route-input check and by IP input.
//
// Fast path (rp_filter 0, no realms, and not "same device with send_redirects"):
// accept_local accepts; sticky custom-local-route / custom-rule flags force the full
// check; otherwise a source equal to any configured address of the namespace is
// rejected and everything else accepted. Full check: reverse FIB lookup of the
// source; no route or an error route is the "last resort" (reject only with
// rp_filter != 0); LOCAL needs accept_local; other non-unicast types are invalid;
// a matched route with any leg on the ingress device accepts; an address-less
// ingress device falls to the last resort; rp_filter == 1 rejects; anything else
// (loose mode, or rp_filter 0 reached via the flags) accepts.
//
// Realms: routes with RTA_FLOW only matter here by disabling the fast path
// (fib_num_tclassid_users); the itag they would compute feeds the routing realm
// accounting, which pvland does not reproduce. IPsec secpath packets (rp_filter
// forced to 0) do not occur in pvland.
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/ipv4/devconf.h"
#include "daemon/kernel_state/l3_state.h"

namespace pvland::ipv4 {

// Facts the kernel keeps per netns that netlink never reports.
struct NetnsFlags {
  // fib_has_custom_local_routes: a local-type route was ever added from userspace.
  bool custom_local_routes = false;
  // fib4_has_custom_rules: an IPv4 policy rule was ever added or deleted.
  bool custom_rules = false;
  // fib_num_tclassid_users != 0: some route or rule carries realms.
  bool tclassid_users = false;
};

// Sets custom_local_routes (sticky) when the FIB holds a local-type route not made
// by the kernel itself (protocol != RTPROT_KERNEL), and recomputes tclassid_users
// from the routes' realms. custom_rules cannot be seen in the FIB: the owner of
// rule notifications sets it. Call after each FIB sync.
void UpdateNetnsFlags(const kernel_state::L3State& state, NetnsFlags* flags);

struct SourceCheck {
  bool ok = false;
  // Meaningful when ok: the kernel's return value 1, "source directly connected
  // on the ingress device" (ICMP redirect eligibility, §2.11).
  bool directly_connected = false;
  // Stable snake_case token naming the rule that decided.
  std::string_view reason;
};

struct SourceCheckInput {
  ipv4::Ipv4 src = 0;
  ipv4::Ipv4 dst = 0;   // 0 on the broadcast and multicast paths
  uint8_t dscp = 0;   // DS field of the packet (0 for ARP)
  int oif = 0;        // out device when forwarding or proxying; 0 for local delivery
  int dev = 0;        // ingress ifindex
};

SourceCheck ValidateSource(const kernel_state::L3State& state, const NetnsFlags& flags,
                           const ConfView& in_conf, const SourceCheckInput& in);

}  // namespace pvland::ipv4
