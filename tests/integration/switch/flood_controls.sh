# Per-port flood controls for group destinations, as the Linux bridge's mcast_flood and
# bcast_flood: a port set off stops receiving multicast (or broadcast) floods, the other
# ports still receive them, and the other flood class is unaffected.
# Topology: h1, h2, h3 on access VLAN 1 around one pvland.
# Asserts, per flag: an IPv4 multicast frame, an IPv6 all-nodes echo request (what
# neighbour discovery and MLD ride on) and a broadcast frame reach exactly the hosts
# whose ports still flood that class; frames from the port itself are not affected.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw h1 h2 h3
for i in 1 2 3; do
  veth sw p$i h$i eth0
  host_addr h$i eth0 10.0.0.$i/24 02:00:00:00:00:0$i
done
start_pvland sw
for i in 1 2 3; do ctl port add p$i >/dev/null || fail "port add p$i"; done

MCAST="Ether(src='02:00:00:00:00:01',dst='01:00:5e:00:00:fb',type=0x88b5)/Raw(b'm'*60)"
BCAST="Ether(src='02:00:00:00:00:01',dst='ff:ff:ff:ff:ff:ff',type=0x88b5)/Raw(b'b'*60)"
# send_from TAG HOST EXPR: EXPR once from HOST; captures TAG-h1..h3 of 0x88b5 frames.
send_from() {
  sniff_many "$1" eth0 "h1 h2 h3" -Q in ether proto 0x88b5
  scapy_send "$2" eth0 "$3"
  sniff_stop "$1-h1" "$1-h2" "$1-h3"
}
# got TAG: how many copies h1, h2, h3 received, as "n1 n2 n3".
got() { echo "$(sniff_count "$1-h1") $(sniff_count "$1-h2") $(sniff_count "$1-h3")"; }
# ping6_all TAG: an echo request to ff02::1 from h1; which hosts received it, as "n1 n2 n3".
ping6_all() {
  sniff_many "$1" eth0 "h2 h3" -Q in "ip6 dst ff02::1 and icmp6 and ip6[40] = 128"
  nsx h1 ping -6 -n -c 1 -W 1 -I eth0 ff02::1 >/dev/null 2>&1
  sniff_stop "$1-h2" "$1-h3"
  echo "- $(sniff_count_all "$1-h2") $(sniff_count_all "$1-h3")"
}

# IPv6 link-local addresses must be usable (DAD done) before ping -6 has a source.
v6_ready() { ! nsx h1 ip -6 addr show dev eth0 | grep -q tentative; }
wait_until 5 v6_ready || fail "h1's IPv6 link-local address stayed tentative"

expect_eq "defaults: multicast reaches h2 and h3" "$(send_from m0 h1 "$MCAST"; got m0)" "0 1 1"
expect_eq "defaults: broadcast reaches h2 and h3" "$(send_from b0 h1 "$BCAST"; got b0)" "0 1 1"
expect_eq "defaults: IPv6 all-nodes echo reaches h2 and h3" "$(ping6_all v0)" "- 1 1"

expect_ok "port set p3 mcast_flood off" ctl port set p3 mcast_flood off
expect_eq "mcast_flood off: port show says so" "$(port_field p3 mcast_flood)" False
expect_eq "mcast_flood off on p3: multicast reaches h2 only" "$(send_from m1 h1 "$MCAST"; got m1)" "0 1 0"
expect_eq "mcast_flood off on p3: IPv6 all-nodes echo reaches h2 only" "$(ping6_all v1)" "- 1 0"
expect_eq "mcast_flood off on p3: broadcast still reaches h2 and h3" "$(send_from b1 h1 "$BCAST"; got b1)" "0 1 1"
H3_MCAST="Ether(src='02:00:00:00:00:03',dst='01:00:5e:00:00:fb',type=0x88b5)/Raw(b'm'*60)"
expect_eq "mcast_flood off on p3: h3's own multicast still reaches h1 and h2" "$(send_from m2 h3 "$H3_MCAST"; got m2)" "1 1 0"
expect_ok "port set p3 mcast_flood on" ctl port set p3 mcast_flood on

expect_ok "port set p2 bcast_flood off" ctl port set p2 bcast_flood off
expect_eq "bcast_flood off: port show says so" "$(port_field p2 bcast_flood)" False
expect_eq "bcast_flood off on p2: broadcast reaches h3 only" "$(send_from b2 h1 "$BCAST"; got b2)" "0 0 1"
expect_eq "bcast_flood off on p2: multicast still reaches h2 and h3" "$(send_from m3 h1 "$MCAST"; got m3)" "0 1 1"
expect_ok "bcast_flood off on p2: h2 still resolves h1 (its ARP broadcast leaves p2)" can_ping h2 10.0.0.1
expect_ok "port set p2 bcast_flood on" ctl port set p2 bcast_flood on
expect_eq "both back on: broadcast reaches h2 and h3" "$(send_from b3 h1 "$BCAST"; got b3)" "0 1 1"
t_done
