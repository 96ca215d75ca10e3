# TAP and internal ports.
# Asserts: `port add t1 type tap` creates a TAP that keeps forwarding after it is moved to
# another namespace (ping both ways with a veth host, MAC learned on t1); an `internal`
# port stays in pvland's namespace, takes an address, and the namespace reaches hosts
# through it (and hosts reach it); an internal port joins its VLAN only; TAP port del
# stops forwarding.
source "$PVLAND_TESTLIB"

mkns sw h1 ht
veth sw p1 h1 eth0
host_addr h1 eth0 10.0.0.1/24 02:00:00:00:00:01
start_pvland sw
expect_ok "port add p1" ctl port add p1

# --- TAP moved to a host namespace
expect_ok "port add t1 type tap" ctl port add t1 type tap
expect_ok "t1 exists in pvland's namespace" nsx sw ip link show t1
expect_eq "t1 type" "$(port_field t1 type)" tap
expect_ok "move t1 into ht" nsx sw ip link set t1 netns "$(ns ht)"
expect_fail "t1 gone from pvland's namespace" nsx sw ip link show t1
nsx ht ip link set t1 address 02:00:00:00:00:0a
nsx ht ip link set t1 up
nsx ht ip addr add 10.0.0.10/24 dev t1
expect_ok "ping tap host -> veth host" can_ping ht 10.0.0.1
expect_ok "ping veth host -> tap host" can_ping h1 10.0.0.10
expect_eq "t1 state after the move" "$(port_field t1 state)" up
expect_eq "tap host's MAC learned on t1" \
  "$(ctl -j fdb show | pvjson "' '.join(e['port'] for e in j if e['mac']=='02:00:00:00:00:0a')")" t1
expect_ok "t1 rx_packets > 0" test "$(port_stat t1 rx_packets)" -gt 0
expect_ok "t1 tx_packets > 0" test "$(port_stat t1 tx_packets)" -gt 0
# Bulk: 200 pings at 5 ms must all come back (no loss on the TAP path).
loss=$(nsx ht ping -n -q -c 200 -i 0.005 -W 1 10.0.0.1 | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
expect_eq "200 fast pings through the TAP: loss %" "$loss" 0

# --- internal port: pvland's namespace as an L3 host on VLAN 1
expect_ok "port add br0 type internal" ctl port add br0 type internal
expect_eq "br0 type" "$(port_field br0 type)" internal
expect_ok "br0 is in pvland's namespace" nsx sw ip link show br0
nsx sw ip link set br0 up
nsx sw ip addr add 10.0.0.254/24 dev br0
expect_ok "pvland's namespace -> veth host" can_ping sw 10.0.0.1
expect_ok "pvland's namespace -> tap host" can_ping sw 10.0.0.10
expect_ok "veth host -> internal port address" can_ping h1 10.0.0.254
expect_ok "tap host -> internal port address" can_ping ht 10.0.0.254

# The internal port is on its port's VLAN only.
expect_ok "port set br0 vlan 5" ctl port set br0 vlan 5
nsx sw ip neigh flush dev br0
expect_ok "internal port on VLAN 5: veth host (VLAN 1) unreachable" cannot_ping sw 10.0.0.1
expect_ok "port set p1 vlan 5" ctl port set p1 vlan 5
expect_ok "veth host moved to VLAN 5: reachable again" can_ping sw 10.0.0.1
nsx sw ip neigh flush dev br0
expect_ok "tap host (VLAN 1) now unreachable from br0" cannot_ping sw 10.0.0.10

# --- port del of the TAP
expect_ok "port del t1" ctl port del t1
expect_fail "port show t1 after del" ctl port show t1
ctl port set p1 vlan 1 >/dev/null
nsx h1 ip neigh flush dev eth0
expect_ok "veth host cannot reach the deleted TAP's host" cannot_ping h1 10.0.0.10

t_done
