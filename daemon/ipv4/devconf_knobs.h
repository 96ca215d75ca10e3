// The kernel's IPv4 per-device configuration keys (IPV4_DEVCONF_*), their compiled
// defaults for `all` and `default`, and how each combines `all` with the device's
// own value when a decision reads it (include/linux/inetdevice.h IN_DEV_* macros;
// docs/kernel-semantics.md §1.1). One table, so the sysctl parser, the store and the
// decisions cannot disagree about a key.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "daemon/kernel_state/l3_types.h"

namespace pvland::ipv4 {

// Values are the kernel's IPV4_DEVCONF_* indices; element index-1 of a DevconfArray.
enum class Knob : uint8_t {
  kForwarding = 1,
  kMcForwarding = 2,
  kProxyArp = 3,
  kAcceptRedirects = 4,
  kSecureRedirects = 5,
  kSendRedirects = 6,
  kSharedMedia = 7,
  kRpFilter = 8,
  kAcceptSourceRoute = 9,
  kBootpRelay = 10,
  kLogMartians = 11,
  kTag = 12,
  kArpFilter = 13,
  kMediumId = 14,
  kDisableXfrm = 15,
  kDisablePolicy = 16,
  kForceIgmpVersion = 17,
  kArpAnnounce = 18,
  kArpIgnore = 19,
  kPromoteSecondaries = 20,
  kArpAccept = 21,
  kArpNotify = 22,
  kAcceptLocal = 23,
  kSrcValidMark = 24,
  kProxyArpPvlan = 25,
  kRouteLocalnet = 26,
  kIgmpv2UnsolicitedReportInterval = 27,
  kIgmpv3UnsolicitedReportInterval = 28,
  kIgnoreRoutesWithLinkdown = 29,
  kDropUnicastInL2Multicast = 30,
  kDropGratuitousArp = 31,
  kBcForwarding = 32,
  kArpEvictNocarrier = 33,
};

constexpr int KnobSlot(Knob k) { return static_cast<int>(k) - 1; }

// How a decision combines conf/all/<knob> with conf/<dev>/<knob>.
enum class Combine : uint8_t {
  kDevOnly,          // IN_DEV_CONF_GET: `all` is ignored (forwarding, medium_id, tag)
  kOr,               // IN_DEV_ORCONF: all || dev, a boolean
  kAnd,              // IN_DEV_ANDCONF: all && dev, a boolean
  kMax,              // IN_DEV_MAXCONF: max(all, dev), an integer
  kAcceptRedirects,  // IN_DEV_RX_REDIRECTS: AND while dev forwards, else OR
  kNotEvaluated,     // read by code pvland does not model (IGMP version forcing)
};

struct KnobInfo {
  Knob knob;
  std::string_view name;  // sysctl leaf name
  int32_t all_default;    // compiled default of conf/all (ipv4_devconf)
  int32_t dflt_default;   // compiled default of conf/default (ipv4_devconf_dflt)
  Combine combine;
  bool writable;          // mc_forwarding is 0444: only ipmr changes it
};

// Every key, in IPV4_DEVCONF order.
std::span<const KnobInfo> AllKnobs();
const KnobInfo& InfoOf(Knob k);
std::optional<Knob> KnobByName(std::string_view name);

// Compiled defaults as the kernel gives a fresh netns (devconf_inherit_init_net=2
// semantics; pvland does not copy the host's init_net values).
DevconfArray CompiledAllDefaults();
DevconfArray CompiledDefaultDefaults();

}  // namespace pvland::ipv4
