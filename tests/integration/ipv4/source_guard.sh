#!/usr/bin/env bash
# Source validation with real applications: routed TCP and UDP between two VLANs through
# the kernel behind two internal ports with rp_filter strict on both (the IP guard must
# pass every legitimate packet, offloads on); and a host port's source guard
# (`port set NAME source_guard strict|loose`), which the kernel has no equivalent of:
# spoofed IPv4 sources switched at L2 are dropped and counted on the sending port,
# legitimate traffic (HTTP, UDP, ping, DHCP discovery) is not.
source "$PVLAND_TESTLIB"
IP_PROBE="$(dirname "$0")/ip_probe.py"

mkns sw h1 h2 h3 peer
veth sw p1 h1 eth0
veth sw p2 h2 eth0
veth sw p3 h3 eth0
veth sw eth2 peer eth0
host_addr h1 eth0 10.0.1.10/24 02:00:00:00:01:10
host_addr h2 eth0 10.0.1.11/24 02:00:00:00:01:11
host_addr h3 eth0 10.0.20.10/24 02:00:00:00:20:10
host_addr peer eth0 10.0.2.10/24
nsx h1 ip route add default via 10.0.1.1
nsx h2 ip route add default via 10.0.1.1
nsx h3 ip route add default via 10.0.20.1
nsx peer ip route add default via 10.0.2.1
nsx sw ip addr add 10.0.2.1/24 dev eth2
# h1 also owns 10.0.3.0/24 (on its loopback), routed by the router over the VLAN.
nsx h1 ip addr add 10.0.3.10/32 dev lo

start_pvland sw
ctl port add p1 type netdev vlan 10 >/dev/null
ctl port add p2 type netdev vlan 10 >/dev/null
ctl port add p3 type netdev vlan 20 >/dev/null
ctl port add gw10 type internal vlan 10 >/dev/null
ctl port add gw20 type internal vlan 20 >/dev/null
nsx sw ip link set gw10 address 02:00:00:00:01:01
nsx sw ip addr add 10.0.1.1/24 dev gw10
nsx sw ip addr add 10.0.20.1/24 dev gw20
nsx sw ip link set gw10 up
nsx sw ip link set gw20 up
nsx sw ip route add 10.0.3.0/24 via 10.0.1.10
ctl sysctl -w net.ipv4.conf.all.forwarding=1 >/dev/null
wait_until 5 sh -c "$PVLANCTL -s $PVSOCK route get 10.0.3.10 | grep -q gw10" || fail "pvland did not sync routes"

echo "== routed applications through two internal ports with rp_filter strict"
ctl sysctl -w net.ipv4.conf.gw10.rp_filter=1 net.ipv4.conf.gw20.rp_filter=1 net.ipv4.conf.gw10.log_martians=1 >/dev/null
traffic_file 2
expect_ok "HTTP from VLAN 20 to VLAN 10 (routed)" http_ok h1 10.0.1.10 h3
expect_ok "UDP echo across VLANs, fragments included" udp_ok h3 10.0.20.10 h1
expect_ok "TCP stream across VLANs" tcp_stream_ok h1 10.0.1.10 h3
expect_eq "no legitimate packet was refused on gw10" "$(port_drop gw10 rp_filter)" 0
expect_eq "nor on gw20" "$(port_drop gw20 rp_filter)" 0
# A host that sends from an address the router routes elsewhere is refused, and logged.
nsx h1 ip addr add 10.0.2.99/32 dev lo
expect_fail "ping from an address routed via eth2 fails under strict" nsx h1 ping -n -c 2 -W 1 -I 10.0.2.99 10.0.1.1
expect_ok "refused by pvland's guard on gw10" test "$(port_drop gw10 rp_filter)" -ge 2
expect_ok "with the kernel's martian line" grep -q "IPv4: martian source 10.0.1.1 from 10.0.2.99, on dev gw10" "$T_DIR/sw.log"
ctl sysctl -w net.ipv4.conf.gw10.rp_filter=2 >/dev/null
# Loose lets it in; the router's replies then follow its route to 10.0.2.99, via eth2.
d0=$(port_drop gw10 rp_filter)
nsx h1 ping -n -c 2 -W 1 -I 10.0.2.99 10.0.1.1 >/dev/null 2>&1
expect_eq "loose accepts it (a route back exists)" "$(port_drop gw10 rp_filter)" "$d0"
nsx h1 ip addr del 10.0.2.99/32 dev lo
ctl sysctl -w net.ipv4.conf.gw10.rp_filter=0 net.ipv4.conf.gw20.rp_filter=0 >/dev/null

echo "== source guard on a host port"
H2MAC=02:00:00:00:01:11
# spoof NAME SRC [DST]: one UDP datagram from h1 (Ethernet to h2) with source SRC; true
# when h2's kernel saw it (nftables prerouting counter per probe port).
nsx h2 nft -f - <<'NFT'
table inet probe {
  set at_pre { type inet_service; flags dynamic; counter; size 65535; }
  chain p { type filter hook prerouting priority -300; udp dport 40000-49999 add @at_pre { udp dport }; }
}
NFT
SPOOF_PORT=40000
spoof_arrives() {
  SPOOF_PORT=$((SPOOF_PORT + 1))
  nsx h1 "$PVT_PY" "$IP_PROBE" eth0 --eth-dst "$H2MAC" "$1,${2:-10.0.1.11},$SPOOF_PORT"
  sleep 0.2
  nsx h2 nft -j list set inet probe at_pre | pvjson "any(e['elem']['val'] == $SPOOF_PORT for o in j['nftables'] for e in o.get('set', {}).get('elem', []))" | grep -q True
}
expect_eq "port show: source_guard off by default" "$(port_field p1 source_guard)" off
expect_ok "off: a spoofed source crosses the switch (as on a Linux bridge)" spoof_arrives 10.9.9.9
ctl port set p1 source_guard strict
expect_eq "port show: strict" "$(port_field p1 source_guard)" strict
d0=$(port_drop p1 source_guard)
expect_fail "strict: an unroutable source is dropped" spoof_arrives 10.9.9.9
expect_fail "strict: a source routed via eth2 is dropped" spoof_arrives 10.0.2.50
expect_fail "strict: the router's own address is dropped" spoof_arrives 10.0.1.1
expect_fail "strict: 0.0.0.0 to a unicast address is dropped" spoof_arrives 0.0.0.0
expect_ok "strict: the host's own address passes" spoof_arrives 10.0.1.10
expect_ok "strict: a subnet the router routes to the host passes" spoof_arrives 10.0.3.10
expect_ok "strict: DHCP discovery from 0.0.0.0 passes" spoof_arrives 0.0.0.0 255.255.255.255
expect_eq "each drop counted on p1 as source_guard" "$(( $(port_drop p1 source_guard) - d0 ))" 4
expect_ok "HTTP between the hosts still works" http_ok h2 10.0.1.11 h1
expect_ok "UDP between the hosts still works" udp_ok h2 10.0.1.11 h1
expect_ok "ping to the router still works" can_ping h1 10.0.1.1
ctl port set p1 source_guard loose
expect_ok "loose: a source routed via eth2 passes" spoof_arrives 10.0.2.50
expect_fail "loose: an unroutable source is still dropped (no default route)" spoof_arrives 10.9.9.9
nsx sw ip route add default via 10.0.2.10
wait_until 5 sh -c "$PVLANCTL -s $PVSOCK route get 10.9.9.9 | grep -q eth2"
expect_ok "loose: with a default route it passes" spoof_arrives 10.9.9.9
nsx sw ip route add blackhole 10.9.0.0/16
wait_until 5 sh -c "$PVLANCTL -s $PVSOCK -j route get 10.9.9.9 | grep -q blackhole"
expect_fail "loose: a source in a blackhole route is dropped" spoof_arrives 10.9.9.9
ctl port set p1 source_guard off
expect_ok "off again: it passes" spoof_arrives 10.9.9.9

echo "== bad settings change nothing"
expect_fail "an internal port takes no source guard" ctl port set gw10 source_guard strict
expect_ok "and says why" sh -c "$PVLANCTL -s $PVSOCK port set gw10 source_guard strict 2>&1 | grep -q 'internal port'"
expect_eq "gw10 unchanged" "$(port_field gw10 source_guard)" off
expect_fail "an unknown mode is refused" ctl port set p1 source_guard maybe
expect_fail "one bad key fails the whole set" ctl port set p1 isolated on source_guard maybe
expect_eq "and the good key was not applied" "$(port_field p1 isolated)" False
expect_eq "p1 unchanged" "$(port_field p1 source_guard)" off
t_done
