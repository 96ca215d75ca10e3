// Every frame pvland drops is dropped for one of these reasons, and every ARP request
// decided for an internal port ends in one of the ARP verdicts below. The tokens are
// stable: per-port counters, `pvlanctl stats show`, JSON output and tests all use them.
#pragma once

#include <cstdint>
#include <optional>
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
  X(kProxyQueueOverflow, "proxy_queue_overflow") /* ARP proxy delay queue full (proxy_qlen) */ \
  X(kRpFilter, "rp_filter")                    /* reverse-path filter of the L3 device */ \
  X(kMartianSource, "martian_source")          /* IPv4 source the kernel never accepts */ \
  X(kMartianDestination, "martian_destination") /* IPv4 destination never routed */    \
  X(kSourceGuard, "source_guard")              /* port's source guard refused the source */ \
  X(kForgedTransmit, "forged_transmit")        /* source MAC not the port's effective MAC */ \
  X(kMacChangeBlocked, "mac_change_blocked")   /* guest changed its MAC under mac_changes reject */ \
  X(kMacLimit, "mac_limit")                    /* MAC learning full, limit policy drop */ \
  X(kMacConflict, "mac_conflict")              /* source MAC belongs to another port */ \
  X(kPsfMalformed, "psf_malformed")            /* psf: TCP header not whole */ \
  X(kPsfInvalidFlags, "psf_invalid_flags")     /* psf: flag combination conntrack refuses */ \
  X(kPsfNoState, "psf_no_state")               /* psf: no connection, and this may not open one */ \
  X(kPsfInvalidState, "psf_invalid_state")     /* psf: invalid in the connection's state */ \
  X(kPsfOutOfWindow, "psf_out_of_window")      /* psf: sequence/ack outside the window */ \
  X(kPsfTableFull, "psf_table_full")           /* psf: no room for a new connection */ \
  X(kVxlanMalformed, "vxlan_malformed")        /* VXLAN datagram: short, I flag clear, G flag set */ \
  X(kVxlanWrongVni, "vxlan_wrong_vni")         /* VXLAN datagram of another VNI than the port's */

enum class DropReason : uint8_t {
#define PVL_DROP_ENUM(id, name) id,
  PVL_DROP_REASONS(PVL_DROP_ENUM)
#undef PVL_DROP_ENUM
  kCount
};

inline constexpr int kDropReasonCount = static_cast<int>(DropReason::kCount);

std::string_view DropReasonName(DropReason r);

// How the kernel's arp_process ended for an ARP request pvland decided on the internal
// port that is its VLAN's L3 device, counted on that port.
// Most names are the kernel's reasons for not answering; *_reply and *_delayed are the
// answers. Kept in name order, which is the order `stats show` lists them in.
#define PVL_ARP_VERDICTS(X) \
  X(kArpBadAddressLength, "arp_bad_address_length")                              /* ARP hln/pln not 6/4 */                       \
  X(kArpBadHardwareOrProtocol, "arp_bad_hardware_or_protocol")                   /* not Ethernet/IPv4 ARP */                     \
  X(kArpBadOpcode, "arp_bad_opcode")                                             /* neither request nor reply */                 \
  X(kArpDadArpIgnore, "arp_dad_arp_ignore")                                      /* DAD probe refused by arp_ignore */           \
  X(kArpDadNotLocal, "arp_dad_not_local")                                        /* DAD probe for an address not ours */         \
  X(kArpDadNotRequest, "arp_dad_not_request")                                    /* DAD (sip 0) that is not a request */         \
  X(kArpFilter, "arp_filter")                                                    /* arp_filter: route to sip leaves elsewhere */ \
  X(kArpGratuitousDropped, "arp_gratuitous_dropped")                             /* drop_gratuitous_arp */                       \
  X(kArpIgnore, "arp_ignore")                                                    /* arp_ignore refuses a local reply */          \
  X(kArpLoopback, "arp_loopback")                                                /* looped back (PACKET_LOOPBACK) */             \
  X(kArpNoDevice, "arp_no_device")                                               /* L3 device not (yet) in the mirror */         \
  X(kArpNoarpDevice, "arp_noarp_device")                                         /* L3 device has IFF_NOARP */                   \
  X(kArpOtherHost, "arp_other_host")                                             /* unicast to another MAC */                    \
  X(kArpReplyReceived, "arp_reply_received")                                     /* a reply: neighbour update only */            \
  X(kArpTargetLoopback, "arp_target_loopback")                                   /* tip in 127/8 without route_localnet */       \
  X(kArpTargetMulticast, "arp_target_multicast")                                 /* tip is multicast */                          \
  X(kArpTruncated, "arp_truncated")                                              /* shorter than an Ethernet/IPv4 ARP */         \
  X(kBroadcastDestination, "broadcast_destination")                              /* tip broadcast: no route input */             \
  X(kDadReply, "dad_reply")                                                      /* answered a DAD probe */                      \
  X(kForwardingOff, "forwarding_off")                                            /* proxy needs forwarding on the device */      \
  X(kInvalidSource, "invalid_source")                                            /* sip invalid for the route input */           \
  X(kLocalReply, "local_reply")                                                  /* answered for a local address */              \
  X(kLocalSource, "local_source")                                                /* sip is ours, accept_local off */             \
  X(kMartianDestinationLoopback, "martian_destination_loopback")                 /* martian: tip loopback */                     \
  X(kMartianDestinationRouteType, "martian_destination_route_type")              /* martian: tip route not unicast */            \
  X(kMartianDestinationZero, "martian_destination_zero")                         /* martian: tip in 0/8 */                       \
  X(kMartianSourceLoopback, "martian_source_loopback")                           /* martian: sip loopback */                     \
  X(kMartianSourceMulticastOrBroadcast, "martian_source_multicast_or_broadcast") /* martian: sip multicast/broadcast */          \
  X(kMartianSourceZero, "martian_source_zero")                                   /* martian: sip in 0/8 */                       \
  X(kNoRoute, "no_route")                                                        /* no route to tip */                           \
  X(kNotProxied, "not_proxied")                                                  /* routed, no proxy knob or entry answers */    \
  X(kNotUnicastRoute, "not_unicast_route")                                       /* route to tip is not unicast */               \
  X(kPneighDelayed, "pneigh_delayed")                                            /* proxy entry reply waits in the queue */      \
  X(kPneighReply, "pneigh_reply")                                                /* static proxy entry reply sent */             \
  X(kProxyDelayed, "proxy_delayed")                                              /* proxy reply waits in the proxy queue */      \
  X(kProxyQueueDeviceDown, "proxy_queue_device_down")                            /* queued; device down at expiry */             \
  X(kProxyQueuePurged, "proxy_queue_purged")                                     /* queued; purged by a link going down */       \
  X(kProxyReply, "proxy_reply")                                                  /* proxy_arp reply sent */                      \
  X(kPvlanDelayed, "pvlan_delayed")                                              /* private-VLAN reply waits in the queue */     \
  X(kPvlanReply, "pvlan_reply")                                                  /* proxy_arp_pvlan reply sent */                \
  X(kRouteBackToIngress, "route_back_to_ingress")                                /* route leaves by the ingress device */        \
  X(kRpFilterNoAddress, "rp_filter_no_address")                                  /* rp_filter: device has no address */          \
  X(kRpFilterNoRoute, "rp_filter_no_route")                                      /* rp_filter: no route back to sip */           \
  X(kRpFilterStrict, "rp_filter_strict")                                         /* rp_filter 1: sip not via this device */     

enum class ArpVerdict : uint8_t {
#define PVL_ARP_VERDICT_ENUM(id, name) id,
  PVL_ARP_VERDICTS(PVL_ARP_VERDICT_ENUM)
#undef PVL_ARP_VERDICT_ENUM
  kCount
};

inline constexpr int kArpVerdictCount = static_cast<int>(ArpVerdict::kCount);

std::string_view ArpVerdictName(ArpVerdict v);
// The verdict named `name` (an ArpDecision's reason); nullopt for a name not listed.
std::optional<ArpVerdict> ArpVerdictByName(std::string_view name);

}  // namespace pvland
