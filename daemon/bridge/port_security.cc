#include "daemon/bridge/port_security.h"

#include "absl/strings/str_cat.h"

namespace pvland {

std::vector<std::string> ResolvePortSecurity(std::string_view port, const PortSecurityConfig& cfg,
                                             const std::optional<EndpointReading>& reading,
                                             PortSecurityState& st) {
  std::vector<std::string> events;
  const PortSecurityState before = st;
  if (reading) {
    // The first MAC read is the one the port was given, unless the user named one.
    if (!st.known) st.initial = reading->mac;
    st.known = true;
    st.requested = reading->mac;
    st.guest_promisc = reading->promisc;
    st.endpoint = reading->where;
  }
  if (cfg.initial_mac) {
    if (!st.known) st.requested = *cfg.initial_mac;  // no endpoint: the guest is taken at its word
    st.initial = *cfg.initial_mac;
    st.known = true;
  }
  if (!st.known) return events;
  const bool changed = st.requested != st.initial;
  if (!changed || cfg.mac_changes == SecurityPolicy::kAccept) {
    st.effective = st.requested;
    st.rx_blocked = false;
  } else {
    st.effective = st.initial;
    st.rx_blocked = true;
  }
  st.promisc_copies = st.guest_promisc && cfg.promiscuous == SecurityPolicy::kAccept;

  const std::string mac = FormatMac(st.requested.data());
  const std::string name(port);  // absl::StrCat here predates std::string_view
  if (st.rx_blocked && (!before.rx_blocked || before.requested != st.requested))
    events.push_back(absl::StrCat(name, ": guest MAC changed to ", mac, ", not honoured (mac_changes reject): ",
                                  "nothing is delivered to the port until it is ", FormatMac(st.initial.data()),
                                  " again"));
  else if (before.rx_blocked && !st.rx_blocked)
    events.push_back(absl::StrCat(name, ": effective MAC ", mac, ", delivery resumes"));
  else if (before.known && before.effective != st.effective)
    events.push_back(absl::StrCat(name, ": effective MAC now ", mac, " (mac_changes accept)"));
  const bool refused = st.guest_promisc && !st.promisc_copies;
  if (refused && !(before.guest_promisc && !before.promisc_copies))
    events.push_back(absl::StrCat(name, ": guest asked for promiscuous mode, refused by policy (promiscuous reject)"));
  else if (st.promisc_copies != before.promisc_copies)
    events.push_back(absl::StrCat(name, st.promisc_copies ? ": promiscuous: receives a copy of all traffic of its VLANs"
                                                          : ": promiscuous mode off"));
  return events;
}

Admission AdmitSource(const PortSecurityConfig& cfg, const PortSecurityState& st, const SourceFacts& f) {
  if (!cfg.mac_learning) {
    if (cfg.forged_transmits == SecurityPolicy::kReject && st.known && !f.is_effective) return Admission::kForged;
    return Admission::kAdmit;
  }
  // With MAC learning the switch inspects and learns every source instead of comparing it
  // with the effective MAC (policies: "inspect, learn, allow").
  if (f.is_effective || f.learned_here) return Admission::kAdmit;
  if (f.owned_elsewhere) return Admission::kMacConflict;
  if (!f.at_limit) return Admission::kAdmit;
  return cfg.mac_limit_policy == MacLimitPolicy::kAllow ? Admission::kAdmitUnlearned : Admission::kMacLimit;
}

}  // namespace pvland
