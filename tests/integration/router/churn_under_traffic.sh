#!/usr/bin/env bash
# Links and addresses deleted and re-created under pvland while traffic flows through it:
# the router's address on an internal port flaps, an uplink veth is deleted and made
# again, and an internal port's TAP is deleted from outside (`ip link del`). Each time
# pvland must follow the kernel (route get agrees with ip route get), report what
# vanished, recreate its internal TAP, and the rest must keep forwarding: an L2 ping
# between two hosts runs through all of it and must lose (almost) nothing.
source "$PVLAND_TESTLIB"

mkns sw h1 h2 h3 far
veth sw p1 h1 eth0
veth sw p2 h2 eth0
veth sw p3 h3 eth0
veth sw up0 far eth0
host_addr h1 eth0 10.0.10.11/24
host_addr h2 eth0 10.0.10.12/24
host_addr h3 eth0 10.0.20.13/24
host_addr far eth0 10.0.99.2/24
nsx h1 ip route add default via 10.0.10.1
nsx h3 ip route add default via 10.0.20.1
nsx far ip route add default via 10.0.99.1
nsx sw ip addr add 10.0.99.1/24 dev up0
nsx sw ip route add 198.51.100.0/24 via 10.0.99.2

start_pvland sw
ctl -b <(printf '%s\n' "port add p1 type netdev vlan 10" "port add p2 type netdev vlan 10" \
  "port add p3 type netdev vlan 20" "port add gw10 type internal vlan 10" "port add gw20 type internal vlan 20") >/dev/null ||
  fail "set-up"
nsx sw ip addr add 10.0.10.1/24 dev gw10
nsx sw ip addr add 10.0.20.1/24 dev gw20
nsx sw ip link set gw10 up
nsx sw ip link set gw20 up
ctl sysctl -w net.ipv4.conf.all.forwarding=1 >/dev/null
PVPID=$(pvland_pid sw) || { echo "FAIL: no pvland pid"; exit 1; }

# route_dev ADDR: the device pvland's FIB answers for ADDR ("none" without a route).
route_dev() { ctl -j route get "$1" 2>/dev/null | pvjson "j[0].get('dev')" 2>/dev/null || echo none; }
kernel_dev() { nsx sw ip -j route get "$1" 2>/dev/null | pvjson "j[0].get('dev')" 2>/dev/null || echo none; }
agree() { [ "$(route_dev "$1")" = "$(kernel_dev "$1")" ]; }
port_up() { [ "$(port_field "$1" state)" = up ]; }

expect_ok "before: routed h1 -> h3" can_ping h1 10.0.20.13
expect_ok "before: h1 -> far" can_ping h1 10.0.99.2

ip netns exec "$(ns h1)" ping -n -i 0.05 10.0.10.12 >"$T_DIR/l2ping" 2>&1 &
L2PING=$!
T_PIDS+=("$L2PING")

echo "== the router's address on gw20 deleted and re-added 10 times"
for i in $(seq 1 10); do
  nsx sw ip addr del 10.0.20.1/24 dev gw20
  nsx sw ip addr add 10.0.20.1/24 dev gw20
done
expect_ok "pvland's FIB agrees with the kernel on 10.0.20.13" wait_until 3 agree 10.0.20.13
expect_eq "  via gw20" "$(route_dev 10.0.20.13)" gw20
expect_ok "routed h1 -> h3 after the flaps" can_ping h1 10.0.20.13

echo "== the uplink veth deleted and made again, 5 times"
for i in $(seq 1 5); do
  nsx sw ip link del up0
  wait_until 3 sh -c "! $PVLANCTL -s $PVSOCK route get 198.51.100.7 >/dev/null 2>&1" ||
    fail "round $i: pvland still routes 198.51.100.7 after up0 went away"
  veth sw up0 far eth0
  host_addr far eth0 10.0.99.2/24
  nsx far ip route add default via 10.0.99.1
  nsx sw ip addr add 10.0.99.1/24 dev up0
  nsx sw ip route add 198.51.100.0/24 via 10.0.99.2
done
expect_ok "pvland's FIB agrees with the kernel on 198.51.100.7" wait_until 3 agree 198.51.100.7
expect_eq "  via the new up0" "$(route_dev 198.51.100.7)" up0
expect_ok "h1 -> far through the re-created uplink" can_ping h1 10.0.99.2

echo "== gw10's TAP deleted from outside"
nsx sw ip link del gw10
expect_ok "pvland recreates gw10 within 3 s" wait_until 3 nsx sw ip link show gw10
expect_ok "  and the port is up again" wait_until 3 port_up gw10
expect_ok "pvland said what happened" grep -q "gw10" "$T_DIR/sw.log"
# The kernel deleted the device's addresses with it: the user gives them back.
nsx sw ip addr add 10.0.10.1/24 dev gw10
nsx sw ip link set gw10 up
expect_ok "pvland's FIB agrees with the kernel on 10.0.10.11" wait_until 3 agree 10.0.10.11
expect_ok "routed h1 -> h3 through the re-created gw10" wait_until 5 can_ping h1 10.0.20.13
expect_ok "h3 -> h1 as well" can_ping h3 10.0.10.11

kill -INT "$L2PING"
wait "$L2PING" 2>/dev/null
TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T_DIR/l2ping")
RX=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_DIR/l2ping")
echo "h1 -> h2 (same VLAN) during all of it: $RX of $TX answered"
expect_ok "the rest kept forwarding (>= 98% of the L2 pings answered)" test "$TX" -gt 0 -a $((RX * 100)) -ge $((TX * 98))
expect_ok "pvland alive" kill -0 "$PVPID"
t_done
