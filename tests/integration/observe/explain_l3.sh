# `why` for the L3 reasons: a spoofed source refused by rp_filter on the internal port
# (IP guard) and by a host port's source guard, explained with the rp_filter values, the
# device the route back leaves by, and the setting that would pass it; and the detail the
# source guard records shows in `monitor drops`.
# Topology: sw has internal port gw0 (10.1.0.1/24, VLAN 1) and a veth eth3 (10.9.0.254/24)
# that 10.9.0.0/24 is routed by; h1 (10.1.0.2) on p1 sends as 10.9.0.1.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw h1
veth sw p1 h1 eth0
host_addr h1 eth0 10.1.0.2/24 02:00:00:00:00:01
nsx sw ip link add eth3 type veth peer name eth3p
nsx sw ip link set eth3 up
nsx sw ip link set eth3p up
nsx sw ip addr add 10.9.0.254/24 dev eth3
start_pvland sw
ctl port add p1 >/dev/null
ctl port add gw0 type internal >/dev/null
nsx sw ip addr add 10.1.0.1/24 dev gw0
nsx sw ip link set gw0 up
expect_ok "h1 reaches gw0" can_ping h1 10.1.0.1
expect_ok "rp_filter 1 on gw0" ctl sysctl -w net.ipv4.conf.gw0.rp_filter=1
GW_MAC=$(nsx sw cat /sys/class/net/gw0/address)

PV=("$PVLANCTL" -s "$PVSOCK")
"${PV[@]}" monitor drops >"$T_DIR/mon.txt" 2>/dev/null & MON=$!; T_PIDS+=($MON)
expect_ok "monitor subscribed" wait_until 10 sh -c "[ \"\$('$PVLANCTL' -s '$PVSOCK' -j monitor show)\" != '[]' ]"

SPOOF="Ether(src='02:00:00:00:00:01',dst='$GW_MAC')/IP(src='10.9.0.1',dst='10.1.0.1')/UDP(sport=5000,dport=7)/Raw(b'x')"
scapy_send h1 eth0 "$SPOOF" 2>/dev/null || { sleep 0.2; scapy_send h1 eth0 "$SPOOF"; }
expect_ok "rp_filter counted on gw0" wait_until 5 test "$(port_drop gw0 rp_filter)" -ge 1
echo "--- why gw0 -n 1:"; ctl why gw0 -n 1 | tee "$T_DIR/why1.txt"
expect_ok "why: rp_filter values and route back" grep -q "rp_filter on gw0: rp_filter on gw0 (rp_filter 1 = max(all 0, gw0 1)): the route back to 10.9.0.1 leaves by eth3, not gw0" "$T_DIR/why1.txt"
expect_ok "why: loose would pass" grep -q "would pass with rp_filter 2 (loose): sysctl -w net.ipv4.conf.gw0.rp_filter=2" "$T_DIR/why1.txt"

# the same spoofed frame switched from a port with source_guard strict
expect_ok "source_guard strict on p1" ctl port set p1 source_guard strict
scapy_send h1 eth0 "$SPOOF" 2>/dev/null || { sleep 0.2; scapy_send h1 eth0 "$SPOOF"; }
expect_ok "source_guard counted on p1" wait_until 5 test "$(port_drop p1 source_guard)" -ge 1
echo "--- why p1 -n 1:"; ctl why p1 -n 1 | tee "$T_DIR/why2.txt"
expect_ok "why: source guard strict, loose would pass" grep -q "source_guard on p1: p1 has source_guard strict (judged as by gw0): the route back to 10.9.0.1 leaves by eth3, not gw0.*would pass with port set p1 source_guard loose" "$T_DIR/why2.txt"
sleep 0.3
kill -INT $MON; wait $MON
echo "--- monitor drops:"; cat "$T_DIR/mon.txt"
expect_ok "monitor: rp_filter drop on gw0 from p1" grep -q " gw0 rp_filter from p1 02:00:00:00:00:01 > .* ipv4 10.9.0.1:5000 > 10.1.0.1:7 udp" "$T_DIR/mon.txt"
expect_ok "monitor: source_guard drop with its rule" grep -q " p1 source_guard (rp_filter_strict) 02:00:00:00:00:01 > " "$T_DIR/mon.txt"
t_done
