# Port security end to end (docs/port-security.md), with the guests' own tools:
#   t1, t2, t3: TAP ports moved into h1, h2, h3 (the endpoint is the TAP in the guest's
#   namespace); p4: a veth to h4 (the endpoint is the peer); q5: a TAP in VLAN 20 (h5).
# Each case sets a policy, acts as a guest would (a raw frame with a forged source, a
# macvlan child, `ip link set ... address`, tcpdump in promiscuous mode, several MACs),
# and checks what arrives, the counters, `why`, and the daemon's log.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw h1 h2 h3 h4 h5 c2
start_pvland sw
for i in 1 2 3; do
  ctl port add t$i type tap >/dev/null
  ip -n "$(ns sw)" link set t$i netns "$(ns h$i)"
  nsx h$i ip link set t$i up
  nsx h$i ip addr add 10.0.0.$i/24 dev t$i
done
ctl port add q5 type tap vlan 20 >/dev/null
ip -n "$(ns sw)" link set q5 netns "$(ns h5)"
nsx h5 ip link set q5 up; nsx h5 ip addr add 10.0.20.5/24 dev q5
veth sw p4 h4 eth0
host_addr h4 eth0 10.0.0.4/24 02:00:00:00:00:04
ctl port add p4 >/dev/null

mac_of() { nsx "$1" cat "/sys/class/net/$2/address"; }
M1=$(mac_of h1 t1) M2=$(mac_of h2 t2) M3=$(mac_of h3 t3)

echo "== the endpoint: each port knows its guest's NIC"
expect_eq "t1 initial_mac is the TAP's MAC" "$(port_field t1 initial_mac)" "$M1"
expect_ok "t1 endpoint names h1's namespace id" grep -q "^t1 in netns id [0-9]" <<<"$(port_field t1 endpoint)"
expect_eq "p4 guest_mac is the veth peer's" "$(port_field p4 guest_mac)" "02:00:00:00:00:04"
for i in 2 3 4; do expect_ok "h1 reaches h$i (defaults: a Linux bridge)" can_ping h1 10.0.0.$i; done

FORGED="Ether(src='02:00:00:00:aa:aa',dst='$M2')/IP(src='10.0.0.1',dst='10.0.0.2')/UDP(sport=7,dport=7777)/Raw(b'forged')"
echo "== forged transmits (V1, V2)"
sniff_start f1 h2 t2 udp port 7777
scapy_send h1 t1 "$FORGED"
sniff_stop f1
expect_eq "accept: h2 gets the forged frame" "$(sniff_count f1)" 1
expect_ok "t1 forged_transmits reject" ctl port set t1 forged_transmits reject
ctl fdb flush >/dev/null  # the accepted frame taught the FDB its source
sniff_start f2 h2 t2 udp port 7777
scapy_send h1 t1 "$FORGED"
sniff_stop f2
expect_eq "reject: h2 gets nothing" "$(sniff_count f2)" 0
expect_eq "forged_transmit counted on t1" "$(port_drop t1 forged_transmit)" 1
forged_learned() { ctl fdb show | grep -q 02:00:00:00:aa:aa; }
expect_fail "fdb did not learn the forged MAC" forged_learned
expect_ok "h1 still reaches h2 from its own MAC" can_ping h1 10.0.0.2
expect_ok "TCP from h1 to h2 with forged_transmits reject" tcp_stream_ok h2 10.0.0.2 h1
WHY=$(ctl why t1 -n 1)
echo "$WHY"
expect_ok "why names the rule and the MACs" grep -q "forged_transmits reject on t1: source 02:00:00:00:aa:aa is not the effective MAC $M1" <<<"$WHY"
expect_ok "why says what would let it through" grep -q "port set t1 forged_transmits accept" <<<"$WHY"
ctl port set t1 forged_transmits accept

echo "== a macvlan inside a guest (V8, V9, V10)"
# As Docker's macvlan driver does it: the child lives in a container's namespace (c2).
nsx h2 ip link add mv0 link t2 type macvlan mode bridge
nsx h2 ip link set mv0 netns "$(ns c2)"
nsx c2 ip link set mv0 address 02:00:00:00:99:02
nsx c2 ip addr add 10.0.0.22/24 dev mv0
nsx c2 ip link set mv0 up
expect_ok "accept: h1 reaches the macvlan 10.0.0.22" can_ping h1 10.0.0.22
nsx h1 ip neigh flush dev t1
expect_ok "t2 forged_transmits reject" ctl port set t2 forged_transmits reject
expect_ok "reject: h1 cannot reach the macvlan" cannot_ping h1 10.0.0.22
expect_ok "reject: the macvlan's frames counted as forged_transmit on t2" test "$(port_drop t2 forged_transmit)" -ge 1
nsx h1 ip neigh flush dev t1
expect_ok "t2 mac_learning on (forged_transmits still reject)" ctl port set t2 mac_learning on
expect_ok "MAC learning: h1 reaches the macvlan" can_ping h1 10.0.0.22
expect_eq "MAC learning: one MAC learned on t2 besides its own" "$(port_field t2 macs_learned)" 1
ctl port set t2 mac_learning off forged_transmits accept

echo "== MAC address changes (V3, V4, V5)"
NEW=02:00:00:00:11:11
expect_ok "t1 mac_changes reject" ctl port set t1 mac_changes reject
nsx h1 ip link set t1 address $NEW
blocked() { [ "$(port_field t1 rx_blocked)" = True ]; }
expect_ok "the guest's change is seen through h1's namespace" wait_until 3 blocked
expect_eq "guest_mac follows the guest" "$(port_field t1 guest_mac)" "$NEW"
expect_eq "effective MAC stays the initial one" "$(port_field t1 effective_mac)" "$M1"
nsx h2 ip neigh flush dev t2
expect_ok "reject: h2 cannot reach h1 (nothing is delivered to t1)" cannot_ping h2 10.0.0.1
expect_ok "mac_change_blocked counted on t1" test "$(port_drop t1 mac_change_blocked)" -ge 1
expect_ok "the log says the change was not honoured" grep -q "t1: guest MAC changed to $NEW, not honoured (mac_changes reject)" "$T_DIR/sw.log"
sniff_start v5 h2 t2 icmp
nsx h1 ping -n -c 2 -W 1 10.0.0.2 >/dev/null 2>&1
sniff_stop v5
expect_ok "V5: h1 can still send (h2 sees its echo requests)" test "$(sniff_count v5 'icmp[icmptype] = icmp-echo')" -ge 1
WHY=$(ctl why t1 -n 1)
expect_ok "why: mac_changes names both MACs" grep -q "changed its MAC to $NEW, not the initial MAC $M1" <<<"$WHY"
nsx h1 ip link set t1 address "$M1"
unblocked() { [ "$(port_field t1 rx_blocked)" = False ]; }
expect_ok "the initial MAC back lifts the block" wait_until 3 unblocked
nsx h2 ip neigh flush dev t2
expect_ok "h2 reaches h1 again" can_ping h2 10.0.0.1
ctl port set t1 mac_changes accept forged_transmits reject
nsx h1 ip link set t1 address $NEW
moved() { [ "$(port_field t1 effective_mac)" = "$NEW" ]; }
expect_ok "V4 accept: the effective MAC follows the guest" wait_until 3 moved
nsx h2 ip neigh flush dev t2
expect_ok "V4: h2 reaches h1 at its new MAC" can_ping h2 10.0.0.1
nsx h1 ip link set t1 address "$M1"
back() { [ "$(port_field t1 effective_mac)" = "$M1" ]; }
wait_until 3 back
ctl port set t1 forged_transmits accept

echo "== promiscuous mode (V6, V7)"
# tcpdump in h3 puts t3 in promiscuous mode (promiscuity 1), as a sniffer guest would.
promisc_seen() { [ "$(port_field t3 guest_promisc)" = True ]; }
for i in 1 2; do nsx h$i ip neigh flush all; done
can_ping h1 10.0.0.2 >/dev/null
sniff_start pr h3 t3 icmp
expect_ok "tcpdump in h3 is seen as promiscuous mode" wait_until 3 promisc_seen
nsx h1 ping -n -c 3 -i 0.2 10.0.0.2 >/dev/null
sniff_stop pr
expect_eq "reject: h3 sees none of h1 <-> h2's echoes" "$(sniff_count pr)" 0
expect_ok "the log says promiscuous mode was refused" grep -q "t3: guest asked for promiscuous mode, refused by policy" "$T_DIR/sw.log"
expect_ok "t3 promiscuous accept" ctl port set t3 promiscuous accept
sniff_start pa h3 t3 icmp
wait_until 3 promisc_seen
nsx h1 ping -n -c 3 -i 0.2 10.0.0.2 >/dev/null
nsx h5 ping -n -c 2 -i 0.2 10.0.20.9 >/dev/null 2>&1
expect_eq "promisc_copies shown while the guest is promiscuous" "$(port_field t3 promisc_copies)" True
sniff_stop pa
sniff_show pa | head -8
expect_eq "accept: h3 sees 3 requests and 3 replies" "$(sniff_count pa)" 6
expect_eq "accept: nothing of VLAN 20" "$(sniff_count pa net 10.0.20.0/24)" 0
ctl port set t3 promiscuous reject

echo "== MAC learning limit (V11, V12) and aging (V13) on p4 (a veth)"
expect_ok "p4 mac_learning on mac_limit 1 mac_limit_policy drop" ctl port set p4 mac_learning on mac_limit 1 mac_limit_policy drop
EXTRA="[Ether(src='02:00:00:00:44:0%d' % i, dst='$M1')/IP(src='10.0.0.4',dst='10.0.0.1')/UDP(dport=7778) for i in (1, 2, 3)]"
sniff_start lim h1 t1 udp port 7778
scapy_send h4 eth0 "$EXTRA"
sniff_stop lim
expect_eq "the first extra MAC passes, the next two do not" "$(sniff_count lim)" 1
expect_eq "mac_limit counted twice on p4" "$(port_drop p4 mac_limit)" 2
expect_eq "macs_learned 1 (its own MAC not counted)" "$(port_field p4 macs_learned)" 1
expect_ok "p4 mac_limit_policy allow" ctl port set p4 mac_limit_policy allow
sniff_start all h1 t1 udp port 7778
scapy_send h4 eth0 "$EXTRA"
sniff_stop all
expect_eq "allow: all three pass" "$(sniff_count all)" 3
expect_ok "allow: counted as not learned" test "$(port_field p4 mac_not_learned_allowed)" -ge 2
expect_ok "p4 mac_aging 2" ctl port set p4 mac_aging 2
scapy_send h4 eth0 "Ether(src='02:00:00:00:44:01', dst='$M1')/IP(src='10.0.0.4',dst='10.0.0.1')/UDP(dport=7778)"
learned() { ctl fdb show | grep -q 02:00:00:00:44:01; }
expect_ok "02:00:00:00:44:01 learned on p4" learned
aged() { ! learned; }
expect_ok "and aged out after mac_aging 2 s" wait_until 5 aged
expect_ok "h4 still reaches h1" can_ping h4 10.0.0.1

echo "== the guest behind a veth changes its MAC"
nsx h4 ip link set eth0 address 02:00:00:00:04:44
peer_moved() { [ "$(port_field p4 guest_mac)" = 02:00:00:00:04:44 ]; }
expect_ok "p4 guest_mac follows the veth peer" wait_until 3 peer_moved

echo "== bad settings change nothing"
expect_fail "mac_limit 5000 refused" ctl port set t1 mac_limit 5000
expect_fail "promiscuous maybe refused" ctl port set t1 promiscuous maybe
expect_eq "t1 unchanged" "$(port_field t1 promiscuous)" reject
t_done
