#include "daemon/ipv4/proxy_eligibility.h"

namespace pvland::ipv4 {

bool ArpFwdProxy(const ConfView& in_conf, int in_dev, int out_dev,
                 const std::optional<ConfView>& out_conf) {
  if (out_dev == in_dev) return false;  // same segment is pvlan's business
  if (!in_conf.ProxyArp()) return false;
  const int32_t imi = in_conf.MediumId();  // device-only: all.medium_id is ignored
  if (imi == 0) return true;
  if (imi == -1) return false;
  const int32_t omi = out_conf ? out_conf->MediumId() : -1;
  return omi != imi && omi != -1;
}

bool ArpFwdPvlan(const ConfView& in_conf, int in_dev, int out_dev, Ipv4 sip, Ipv4 tip) {
  if (out_dev != in_dev) return false;
  if (sip == tip) return false;  // self probes (gratuitous ARP) are never answered
  return in_conf.ProxyArpPvlan();
}

bool ArpFwdProxyEntry(const kernel_state::L3State& state, int in_dev, int out_dev, Ipv4 tip) {
  if (out_dev == in_dev) return false;  // never proxied back out the ingress device
  return state.HasProxyEntry(tip, in_dev);
}

}  // namespace pvland::ipv4
