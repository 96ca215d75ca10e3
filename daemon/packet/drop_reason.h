// Every frame pvland drops is dropped for one of these reasons. The token is stable:
// counters, `pvlanctl stats show`, JSON output and tests all use it.
#pragma once

#include <cstdint>
#include <string_view>

namespace pvland {

#define PVL_DROP_REASONS(X)                                                        \
  X(kRunt, "runt")                             /* shorter than an Ethernet header */ \
  X(kTruncatedVlanTag, "truncated_vlan_tag")   /* 802.1Q TPID without a whole tag */  \
  X(kOversize, "oversize")                     /* larger than the port's buffers */   \
  X(kInvalidSrcMac, "invalid_src_mac")         /* multicast or all-zero source */      \
  X(kLinkLocalDst, "link_local_dst")           /* 01:80:c2:00:00:0x, never bridged */  \
  X(kVlanTagOnAccess, "vlan_tag_on_access")    /* tagged frame on an access port */    \
  X(kVlanNotAllowed, "vlan_not_allowed")       /* trunk tag outside the allowed list */ \
  X(kUntaggedOnTrunk, "untagged_on_trunk")     /* trunk without a native VLAN */       \
  X(kVlanNotMember, "vlan_not_member")        /* egress port not in the frame's VLAN */ \
  X(kSamePort, "same_port")                    /* destination is the ingress port */   \
  X(kIsolatedPort, "isolated_port")            /* isolated -> isolated */              \
  X(kPvlanIsolation, "pvlan_isolation")        /* private-VLAN matrix forbids */       \
  X(kPortDown, "port_down")                    /* egress port down or absent */        \
  X(kMtuExceeded, "mtu_exceeded")              /* longer than the egress link's MTU */ \
  X(kTxError, "tx_error")                      /* the kernel refused the frame */      \
  X(kRxRingFull, "rx_ring_full")               /* lost by the kernel: receive ring full */ \
  X(kProxyQueueOverflow, "proxy_queue_overflow") /* ARP proxy delay queue full (proxy_qlen) */

enum class DropReason : uint8_t {
#define PVL_DROP_ENUM(id, name) id,
  PVL_DROP_REASONS(PVL_DROP_ENUM)
#undef PVL_DROP_ENUM
  kCount
};

inline constexpr int kDropReasonCount = static_cast<int>(DropReason::kCount);

std::string_view DropReasonName(DropReason r);

}  // namespace pvland
