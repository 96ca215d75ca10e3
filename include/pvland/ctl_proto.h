/* pvland control protocol: netlink-format messages over a Unix SOCK_SEQPACKET socket.
 *
 * Every message is a struct nlmsghdr (type PVL_MSG_CTL), a struct pvl_ctlhdr, then
 * attributes (struct nlattr TLVs, built and parsed with libmnl).
 *   request: NLM_F_REQUEST (+ NLM_F_DUMP for show/get of many objects)
 *   reply:   zero or more records (PVL_MSG_CTL, NLM_F_MULTI), then one NLMSG_ERROR whose
 *            error is 0 (success) or -errno; a failure carries PVL_A_ERROR_MSG after the
 *            struct nlmsgerr, like the kernel's extended ack.
 * One request is answered completely before the next is read.
 *
 * PVL_CMD_MONITOR turns its connection into a subscription: after the ack (NLMSG_ERROR
 * 0) the daemon sends, until the client hangs up, PVL_MSG_CTL records of that command,
 * one per event (several may share a datagram), and reads nothing more from it. The
 * daemon never waits for a subscriber: when the socket is full an event is lost, and
 * every event carries PVL_A_LOST, the number lost so far on that subscription.
 *
 * Attribute numbers and
 * their wire types are defined once, here, in PVL_ATTRS; the client's printer and the
 * daemon's handlers both work from this table.
 */
#ifndef PVLAND_CTL_PROTO_H
#define PVLAND_CTL_PROTO_H

#include <linux/netlink.h>
#include <stdint.h>

#define PVL_CTL_DEFAULT_SOCK "/run/pvland.sock"
#define PVL_CTL_VERSION 1
#define PVL_CTL_MSG_MAX 65536 /* largest message either side sends */

enum { PVL_MSG_CTL = NLMSG_MIN_TYPE };

struct pvl_ctlhdr {
  uint8_t cmd;     /* enum pvl_cmd */
  uint8_t version; /* PVL_CTL_VERSION */
  uint16_t reserved;
};

/* Commands. A record in a reply carries the command of the request it answers. */
#define PVL_CMDS(X)      \
  X(PORT_ADD)            \
  X(PORT_DEL)            \
  X(PORT_SET)            \
  X(PORT_GET)            \
  X(VLAN_ADD)            \
  X(VLAN_DEL)            \
  X(VLAN_GET)            \
  X(FDB_ADD)             \
  X(FDB_DEL)             \
  X(FDB_FLUSH)           \
  X(FDB_GET)             \
  X(STATS_GET)           \
  X(STATS_CLEAR)         \
  X(BRIDGE_SET)          \
  X(BRIDGE_GET)          \
  X(SYSCTL_SET)          \
  X(SYSCTL_GET)          \
  X(ROUTE_GET)           \
  X(NEIGH_PROXY_GET)     \
  X(MONITOR)             \
  X(MONITOR_GET)         \
  X(WHY_GET)             \
  X(CONNTRACK_GET)       \
  X(CONNTRACK_FLUSH)     \
  X(CONFIG_GET)          /* save: the running configuration as commands */ \
  X(MIRROR_ADD)          \
  X(MIRROR_DEL)          \
  X(MIRROR_GET)          \
  X(MIRROR_RULE_ADD)     \
  X(MIRROR_RULE_DEL)

enum pvl_cmd {
  PVL_CMD_UNSPEC = 0,
#define PVL_CMD_ENUM(name) PVL_CMD_##name,
  PVL_CMDS(PVL_CMD_ENUM)
#undef PVL_CMD_ENUM
  PVL_CMD_COUNT
};

/* Wire types of attributes. */
enum pvl_attr_kind {
  PVL_K_NONE = 0,
  PVL_K_BOOL,   /* u8 0/1, printed on/off */
  PVL_K_U16,
  PVL_K_U32,
  PVL_K_S32,
  PVL_K_U64,
  PVL_K_STRING, /* NUL-terminated */
  PVL_K_MAC,    /* 6 bytes */
  PVL_K_IPV4,   /* 4 bytes, network byte order */
  PVL_K_NEST,   /* nested attributes (a sub-record, or a list of PVL_A_ITEM) */
  PVL_K_BINARY, /* bytes (a frame, a BPF program) */
};

/* X(NAME, KIND, "json/text key"). Numbers are positions: append only, never reorder. */
#define PVL_ATTRS(X)                                                                 \
  X(ERROR_MSG, PVL_K_STRING, "error")           /* in NLMSG_ERROR replies */           \
  X(ITEM, PVL_K_NEST, "item")                   /* one element of a list */           \
  X(NAME, PVL_K_STRING, "name")                 /* port or knob name */               \
  X(PORT_TYPE, PVL_K_STRING, "type")            /* netdev|tap|internal|vxlan */       \
  X(IFINDEX, PVL_K_U32, "ifindex")                                                    \
  X(STATE, PVL_K_STRING, "state")               /* up | down | absent */              \
  X(MAC, PVL_K_MAC, "mac")                                                            \
  X(MODE, PVL_K_STRING, "mode")                 /* access | trunk */                  \
  X(VLAN, PVL_K_U16, "vlan")                    /* access VLAN / FDB VLAN / VLAN id */ \
  X(ALLOWED, PVL_K_STRING, "allowed")           /* trunk allowed list "10,20-30" */   \
  X(NATIVE, PVL_K_U16, "native")                /* trunk native VLAN, 0 = none */     \
  X(ISOLATED, PVL_K_BOOL, "isolated")                                                 \
  X(LEARNING, PVL_K_BOOL, "learning")                                                 \
  X(FLOOD, PVL_K_BOOL, "flood")                 /* unknown-unicast flood to port */   \
  X(MCAST_FLOOD, PVL_K_BOOL, "mcast_flood")                                           \
  X(BCAST_FLOOD, PVL_K_BOOL, "bcast_flood")                                           \
  X(HAIRPIN, PVL_K_BOOL, "hairpin")                                                   \
  X(PVLAN_ROLE, PVL_K_STRING, "pvlan")          /* none|promiscuous|isolated|community */ \
  X(PVLAN_TYPE, PVL_K_STRING, "pvlan_type")     /* VLAN: primary|isolated|community */ \
  X(PRIMARY, PVL_K_U16, "primary")              /* VLAN: its primary VLAN */          \
  X(PORTS, PVL_K_NEST, "ports")                 /* list of ITEM{NAME, ...} */         \
  X(FDB_KIND, PVL_K_STRING, "kind")                                                   \
  X(AGE_MS, PVL_K_U64, "age_ms")                                                      \
  X(AGEING_TIME, PVL_K_U32, "ageing_time")      /* seconds */                         \
  X(RX_PACKETS, PVL_K_U64, "rx_packets")                                              \
  X(RX_BYTES, PVL_K_U64, "rx_bytes")                                                  \
  X(TX_PACKETS, PVL_K_U64, "tx_packets")                                              \
  X(TX_BYTES, PVL_K_U64, "tx_bytes")                                                  \
  X(DROPS, PVL_K_NEST, "drops")                 /* list of ITEM{REASON, COUNT} */     \
  X(REASON, PVL_K_STRING, "reason")                                                   \
  X(COUNT, PVL_K_U64, "count")                                                        \
  X(PORT, PVL_K_STRING, "port")                 /* a port named inside another object */ \
  X(KEY, PVL_K_STRING, "key")                   /* sysctl key */                      \
  X(VALUE, PVL_K_STRING, "value")               /* sysctl value */                    \
  X(ADDR, PVL_K_IPV4, "addr")                   /* route get: the address looked up */ \
  X(GATEWAY, PVL_K_IPV4, "gateway")                                                   \
  X(ROUTE_TYPE, PVL_K_STRING, "route_type")                                           \
  X(TABLE, PVL_K_U32, "table")                                                        \
  X(DEV, PVL_K_STRING, "dev")                                                         \
  X(PREFSRC, PVL_K_IPV4, "prefsrc")                                                   \
  X(PREFIX, PVL_K_STRING, "prefix")             /* "10.0.0.0/8" */                    \
  X(METRIC, PVL_K_U32, "metric")                                                      \
  X(FLUSH_WHAT, PVL_K_STRING, "flush")          /* fdb flush: all|dynamic */          \
  X(SETTINGS, PVL_K_NEST, "settings")           /* list of ITEM{KEY, VALUE} */ \
  X(ARP, PVL_K_NEST, "arp")                     /* stats: ARP verdicts ITEM{REASON, COUNT} */ \
  X(SOURCE_GUARD, PVL_K_STRING, "source_guard") /* off | strict | loose */ \
  X(STREAM, PVL_K_STRING, "stream")             /* monitor: drops | port */           \
  X(FILTER, PVL_K_BINARY, "filter")             /* monitor: struct bpf_insn[] */      \
  X(SNAPLEN, PVL_K_U32, "snaplen")              /* monitor: bytes of each frame sent */ \
  X(TIME_NS, PVL_K_U64, "time_ns")              /* event: CLOCK_REALTIME */           \
  X(DIRECTION, PVL_K_STRING, "dir")             /* event: rx | tx | drop */           \
  X(IN_PORT, PVL_K_STRING, "in_port")           /* event: the port it arrived on */   \
  X(DETAIL, PVL_K_STRING, "detail")             /* event: the stage's finer reason */ \
  X(WIRE_LEN, PVL_K_U32, "wire_len")            /* event: the frame's length */       \
  X(FRAME, PVL_K_BINARY, "frame")               /* event: its first bytes */          \
  X(LOST, PVL_K_U64, "lost")                    /* events not delivered, so far */    \
  X(SENT, PVL_K_U64, "sent")                    /* events delivered */                \
  X(RULE, PVL_K_STRING, "rule")                 /* why: the rule that refused, in words */ \
  X(DECIDED_BY, PVL_K_STRING, "decided_by")     /* why: the settings that decided */  \
  X(FIX, PVL_K_STRING, "would_pass_with")       /* why: what would have let it through */ \
  X(LIMIT, PVL_K_U32, "limit")                  /* why: how many records */     \
  X(FILTER_SET, PVL_K_BOOL, "filtered")         /* monitor show: has a filter */ \
  X(MAC_CHANGES, PVL_K_STRING, "mac_changes")   /* port security: accept | reject */ \
  X(FORGED_TRANSMITS, PVL_K_STRING, "forged_transmits") /* accept | reject */ \
  X(PROMISCUOUS, PVL_K_STRING, "promiscuous")   /* accept | reject */ \
  X(MAC_LEARNING, PVL_K_BOOL, "mac_learning")                                        \
  X(MAC_LIMIT, PVL_K_U32, "mac_limit")          /* 0-4096 */                          \
  X(MAC_LIMIT_POLICY, PVL_K_STRING, "mac_limit_policy") /* allow | drop */          \
  X(MAC_AGING, PVL_K_U32, "mac_aging")          /* seconds */                         \
  X(INITIAL_MAC, PVL_K_STRING, "initial_mac")   /* set: MAC or auto; shown as a MAC */ \
  X(EFFECTIVE_MAC, PVL_K_STRING, "effective_mac")                                    \
  X(GUEST_MAC, PVL_K_STRING, "guest_mac")       /* the endpoint's MAC now */          \
  X(ENDPOINT, PVL_K_STRING, "endpoint")         /* where the endpoint was read */     \
  X(RX_BLOCKED, PVL_K_BOOL, "rx_blocked")       /* mac_changes reject in force */     \
  X(GUEST_PROMISC, PVL_K_BOOL, "guest_promisc")                                      \
  X(PROMISC_COPIES, PVL_K_BOOL, "promisc_copies") /* receives its VLANs' traffic */ \
  X(MACS_LEARNED, PVL_K_U32, "macs_learned")    /* toward mac_limit */                \
  X(MAC_NOT_LEARNED, PVL_K_U64, "mac_not_learned_allowed") \
  X(PSF, PVL_K_STRING, "psf")                   /* auto | enabled | disabled */       \
  X(ROLE, PVL_K_STRING, "role")                 /* bare-metal | instance | gateway */ \
  X(PSF_LIBERAL, PVL_K_BOOL, "psf_liberal")     /* pick up connections mid-stream */  \
  X(PSF_MAX_ENTRIES, PVL_K_U32, "psf_max_entries")                                   \
  X(PSF_ACTIVE, PVL_K_BOOL, "psf_active")       /* what auto resolved to */           \
  X(PSF_ENTRIES, PVL_K_U32, "psf_entries")      /* connections tracked now */         \
  X(SRC, PVL_K_STRING, "src")                   /* conntrack: ADDR:PORT that opened it; mirror rule: prefix */ \
  X(DST, PVL_K_STRING, "dst")                   /* conntrack: the other end; mirror rule: prefix */ \
  X(ORIGIN_DIR, PVL_K_STRING, "origin")         /* conntrack: from-port | to-port */  \
  X(EXPIRES_MS, PVL_K_U64, "expires_ms")        /* conntrack: time left */            \
  X(WINDOW, PVL_K_STRING, "window")             /* conntrack: both directions' windows */ \
  X(PSF_MAX_TOTAL, PVL_K_U32, "psf_max_total")  /* bridge: connections of all ports */ \
  X(PSF_TOTAL, PVL_K_U32, "psf_total")          /* bridge: connections tracked now */ \
  X(PSF_EVICTED, PVL_K_U64, "psf_evicted")      /* port: made room at a limit */      \
  X(PSF_REFUSED, PVL_K_U64, "psf_refused")      /* port: new connections refused at a limit */ \
  X(FDB_ENTRIES, PVL_K_U32, "fdb_entries")      /* bridge */                          \
  X(FDB_REFUSED, PVL_K_U64, "fdb_learn_refused") /* bridge: not learned, FDB full */ \
  X(PSF_INSERTED, PVL_K_U64, "psf_inserted")    /* port: connections ever tracked */ \
  X(FIB_ROUTES, PVL_K_U64, "fib_routes")        /* bridge: routes in the kernel-state mirror */ \
  X(NETLINK_EVENTS, PVL_K_U64, "netlink_events") /* bridge: rtnetlink notifications applied */ \
  X(NETLINK_OVERRUNS, PVL_K_U64, "netlink_overruns") /* bridge: ENOBUFS: notifications lost */ \
  X(NETLINK_RESYNCS, PVL_K_U64, "netlink_resyncs") /* bridge: full re-dumps after a loss */ \
  X(LINE, PVL_K_STRING, "line")                 /* save: one command of the configuration */ \
  X(SOURCE, PVL_K_STRING, "source")             /* mirror: the source port */         \
  X(MIRROR_DIR, PVL_K_STRING, "direction")      /* mirror: ingress | egress | both */ \
  X(TARGET, PVL_K_IPV4, "target")               /* mirror: the VXLAN receiver */      \
  X(DSTPORT, PVL_K_U16, "dstport")              /* mirror target / vxlan port: UDP port */ \
  X(VNI, PVL_K_U32, "vni")                      /* mirror, vxlan port: 0-16777215 */  \
  X(PACKET_LENGTH, PVL_K_U32, "length")         /* mirror: inner bytes kept */        \
  X(NUMBER, PVL_K_U16, "number")                /* mirror session / rule number */    \
  X(RULES, PVL_K_NEST, "rules")                 /* mirror: list of ITEM{NUMBER, ...} */ \
  X(ACTION, PVL_K_STRING, "action")             /* mirror rule: accept | reject */    \
  X(PROTOCOL, PVL_K_STRING, "protocol")         /* mirror rule: tcp|udp|icmp|icmpv6|N */ \
  X(SPORT, PVL_K_STRING, "sport")               /* mirror rule: port range "A-B" */   \
  X(DPORT, PVL_K_STRING, "dport")                                                     \
  X(HITS, PVL_K_U64, "hits")                    /* mirror rule: frames it decided */  \
  X(TRUNCATED, PVL_K_U64, "truncated")          /* mirror: copies cut to length */    \
  X(SEG_ERRORS, PVL_K_U64, "segmentation_errors") /* mirror: offload not completed */ \
  X(TARGET_ERROR, PVL_K_STRING, "target_error") /* mirror: why copies are lost now */ \
  X(REMOTES, PVL_K_NEST, "remotes")             /* vxlan port: ITEM{ADDR [, counters]} */ \
  X(LOCAL, PVL_K_IPV4, "local")                 /* vxlan port: source / bound address */ \
  X(REMOTES_LEARNED, PVL_K_U32, "remotes_learned") /* vxlan port: MACs with a known remote */ \
  X(REMOTE_LEARN_REFUSED, PVL_K_U64, "remote_learn_refused") /* vxlan port: table full */ \
  X(REMOTE, PVL_K_IPV4, "remote")               /* fdb: the remote a MAC is behind */ \
  X(TX_ERRORS, PVL_K_U64, "tx_errors")          /* vxlan remote: datagrams refused */

enum pvl_attr {
  PVL_A_UNSPEC = 0,
#define PVL_ATTR_ENUM(name, kind, key) PVL_A_##name,
  PVL_ATTRS(PVL_ATTR_ENUM)
#undef PVL_ATTR_ENUM
  __PVL_A_MAX
};
#define PVL_A_MAX (__PVL_A_MAX - 1)

#endif /* PVLAND_CTL_PROTO_H */
