// pvland's copy of the kernel's IPv4 devconf for its internal ports, plus `all` and
// `default`, with the kernel's write side effects and default inheritance
// (net/ipv4/devinet.c devinet_conf_proc, devinet_sysctl_forward,
// devinet_copy_dflt_conf, inetdev_init, ipv4_devconf_setall; docs/kernel-semantics.md
// §1.1, §2.13):
//  * a new port copies default's values AND its "explicitly set" bits;
//  * writing default/X copies the value to every port whose X bit is clear;
//  * writing a port's X sets its bit; the first IPv4 address on a port sets all bits;
//  * forwarding is special: writes never set bits, default/forwarding never
//    propagates, and a change of all/forwarding forces every port (setting their
//    bits), default/forwarding, and all/accept_redirects = !on.
// The kernel's conf of the internal TAP itself is not touched here: pvland decides
// with these values, and whoever owns the TAP keeps the kernel's own proxy_arp and
// rp_filter off (docs/kernel-semantics.md §1.1).
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "daemon/ipv4/devconf_knobs.h"
#include "daemon/ipv4/neigh_parms.h"
#include "daemon/kernel_state/l3_types.h"

namespace pvland::ipv4 {

struct DevConf {
  DevconfArray values{};
  std::bitset<kDevconfMax> explicitly_set;  // devinet's per-key cnf.state bits
  // The bits set by a sysctl write (or copied from default's), not by an address: what
  // a saved configuration must write again, since the address comes back on its own.
  std::bitset<kDevconfMax> written;

  int32_t Get(Knob k) const { return values[KnobSlot(k)]; }
  bool IsSet(Knob k) const { return explicitly_set[KnobSlot(k)]; }
  bool IsWritten(Knob k) const { return written[KnobSlot(k)]; }
};

// What a decision on one device reads: its own values combined with `all` per key
// (include/linux/inetdevice.h). Cheap to copy; holds the two arrays by value so a
// view stays valid while the store changes underneath (the proxy queue re-reads).
class ConfView {
 public:
  ConfView(const DevconfArray& all, const DevconfArray& dev) : all_(all), dev_(dev) {}

  int32_t Dev(Knob k) const { return dev_[KnobSlot(k)]; }
  int32_t All(Knob k) const { return all_[KnobSlot(k)]; }
  // The value the kernel's IN_DEV_* macro for this key yields: 0/1 for OR/AND keys,
  // an integer for MAX and device-only keys.
  int32_t Effective(Knob k) const;

  bool Forwarding() const { return Dev(Knob::kForwarding) != 0; }  // IN_DEV_FORWARD
  bool ProxyArp() const { return Effective(Knob::kProxyArp) != 0; }
  bool ProxyArpPvlan() const { return Effective(Knob::kProxyArpPvlan) != 0; }
  int32_t MediumId() const { return Dev(Knob::kMediumId); }
  int32_t RpFilter() const { return Effective(Knob::kRpFilter); }
  bool LogMartians() const { return Effective(Knob::kLogMartians) != 0; }
  bool AcceptLocal() const { return Effective(Knob::kAcceptLocal) != 0; }
  bool SendRedirects() const { return Effective(Knob::kSendRedirects) != 0; }
  bool SrcValidMark() const { return Effective(Knob::kSrcValidMark) != 0; }
  bool RouteLocalnet() const { return Effective(Knob::kRouteLocalnet) != 0; }
  int32_t ArpIgnore() const { return Effective(Knob::kArpIgnore); }
  bool ArpFilter() const { return Effective(Knob::kArpFilter) != 0; }
  bool DropGratuitousArp() const { return Effective(Knob::kDropGratuitousArp) != 0; }
  bool BcForwarding() const { return Effective(Knob::kBcForwarding) != 0; }
  bool ArpEvictNocarrier() const { return Effective(Knob::kArpEvictNocarrier) != 0; }

  // This view with rp_filter `r` on the device and 0 in `all`: a check in a chosen mode.
  ConfView WithRpFilter(int32_t r) const {
    ConfView v = *this;
    v.all_[KnobSlot(Knob::kRpFilter)] = 0;
    v.dev_[KnobSlot(Knob::kRpFilter)] = r;
    return v;
  }

 private:
  DevconfArray all_;
  DevconfArray dev_;
};

class DevconfStore {
 public:
  static constexpr std::string_view kAll = "all";
  static constexpr std::string_view kDefault = "default";

  // `all` and `default` start at the kernel's compiled defaults.
  DevconfStore();

  // inetdev_init: the port's conf becomes a copy of default (values and bits), its
  // neighbour parms the kernel's arp_tbl defaults. "all"/"default" are refused.
  absl::Status AddPort(std::string_view name);
  absl::Status RemovePort(std::string_view name);
  // An `ip link set NAME name NEW` on an internal port: the conf follows the device.
  absl::Status RenamePort(std::string_view from, std::string_view to);
  bool HasPort(std::string_view name) const;
  std::vector<std::string> PortNames() const;  // sorted

  // "all", "default" or a port; null when unknown.
  const DevConf* Find(std::string_view dev) const;
  const DevConf& All() const { return all_; }
  const DevConf& Default() const { return default_; }

  // A sysctl write of conf/<dev>/<knob>, with the kernel's side effects (header).
  absl::Status Write(std::string_view dev, Knob knob, int32_t value);

  // The port got an IPv4 address (inet_rtm_newaddr -> ipv4_devconf_setall): every
  // key stops following default. Idempotent; call for every address seen.
  void OnAddressAdded(std::string_view port);

  // Combined view for decisions on `port`; nullopt when the port is unknown.
  std::optional<ConfView> View(std::string_view port) const;
  // Combined view for a device pvland does not own, from the kernel's reported
  // IFLA_INET_CONF and pvland's `all`.
  ConfView ViewOfKernelDevice(const DevconfArray& kernel_conf) const {
    return ConfView(all_.values, kernel_conf);
  }

  const NeighParms* Neigh(std::string_view port) const;
  absl::Status SetProxyDelayJiffies(std::string_view port, int32_t jiffies);
  absl::Status SetProxyQlen(std::string_view port, int32_t qlen);

  // net.core.message_cost (seconds) and net.core.message_burst: the budget of the
  // kernel's net_ratelimit(), which also bounds pvland's martian lines. The kernel's
  // is host-wide and visible only in the initial namespace, so pvland keeps its own.
  struct LogBudget {
    int32_t message_cost_s = 5;
    int32_t message_burst = 10;
  };
  const LogBudget& log_budget() const { return log_budget_; }
  void set_log_budget(const LogBudget& b) { log_budget_ = b; }

  // Changes with every change to a value any View() reads (a write, a port added,
  // removed or renamed), so a view resolved once can be kept until it moves.
  uint64_t generation() const { return generation_; }

 private:
  struct Port {
    DevConf conf;
    NeighParms neigh;
  };
  Port* FindPort(std::string_view name);
  const Port* FindPort(std::string_view name) const;
  void WriteForwarding(DevConf* target, bool is_all, int32_t value);

  DevConf all_;
  DevConf default_;
  LogBudget log_budget_;
  absl::btree_map<std::string, Port, std::less<>> ports_;
  uint64_t generation_ = 0;
};

}  // namespace pvland::ipv4
