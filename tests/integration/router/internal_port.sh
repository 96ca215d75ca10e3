# An internal port is the namespace's L3 interface on its VLAN: pvland follows it by
# ifindex through `ip link` renames and MAC changes, answers ARP for it, owns the
# kernel's ARP conf behind it, and shares `forwarding` with the kernel.
source "$PVLAND_TESTLIB"

mkns sw h1
veth sw p1 h1 eth0
host_addr h1 eth0 10.0.0.2/24
start_pvland sw
ctl port add p1
ctl port add gw0 type internal
nsx sw ip addr add 10.0.0.1/24 dev gw0
expect_ok "host reaches the internal port's address" can_ping h1 10.0.0.1

# pvland answers ARP for gw0; the kernel behind the TAP is told not to.
expect_eq "kernel arp_ignore on the TAP" "$(nsx sw cat /proc/sys/net/ipv4/conf/gw0/arp_ignore)" 8
expect_eq "pvland's own arp_ignore for gw0" "$(ctl sysctl -n net.ipv4.conf.gw0.arp_ignore)" 0
expect_ok "the reply was pvland's" sh -c "$PVLANCTL -s $PVSOCK stats show gw0 | grep -q 'arp local_reply'"

# arp_ignore=8 in pvland's store: no more replies for gw0's address.
ctl sysctl -w net.ipv4.conf.gw0.arp_ignore=8
nsx h1 ip neigh flush all
expect_fail "arp_ignore 8 silences the router" can_ping h1 10.0.0.1
ctl sysctl -w net.ipv4.conf.gw0.arp_ignore=0

# forwarding is shared: pvlanctl writes it through, the kernel's own value is read back.
ctl sysctl -w net.ipv4.conf.gw0.forwarding=1
expect_eq "forwarding written through" "$(nsx sw cat /proc/sys/net/ipv4/conf/gw0/forwarding)" 1
nsx sw sysctl -qw net.ipv4.conf.gw0.forwarding=0
expect_eq "forwarding read from the kernel" "$(ctl sysctl -n net.ipv4.conf.gw0.forwarding)" 0

# Bad keys and values change nothing and say why.
expect_fail "unknown knob" ctl sysctl -w net.ipv4.conf.gw0.no_such_knob=1
expect_fail "unknown device" ctl sysctl net.ipv4.conf.eth9.rp_filter
expect_fail "bad value" ctl sysctl -w net.ipv4.conf.gw0.rp_filter=x
expect_fail "one bad key fails the whole write" ctl sysctl -w net.ipv4.conf.gw0.proxy_arp=1 net.ipv4.conf.gw0.bogus=1
expect_eq "and the good key was not applied" "$(ctl sysctl -n net.ipv4.conf.gw0.proxy_arp)" 0

# Routes are mirrored: route get follows `ip route`.
nsx sw ip route add 192.0.2.0/24 via 10.0.0.2
expect_eq "route get via a new route" "$(ctl -j route get 192.0.2.9 | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["gateway"], r["dev"], r["route_type"])')" "10.0.0.2 gw0 unicast"
nsx sw ip route del 192.0.2.0/24
expect_fail "and forgets it when deleted" ctl route get 192.0.2.9

# Rename and re-address the TAP with ip link: the port follows by ifindex.
nsx sw ip link set gw0 down
nsx sw ip link set gw0 name r0
nsx sw ip link set r0 address 02:00:00:00:00:aa
nsx sw ip link set r0 up
for _ in $(seq 30); do ctl port show r0 >/dev/null 2>&1 && break; sleep 0.1; done
expect_ok "port renamed with its interface" ctl port show r0
expect_eq "and its MAC followed" "$(ctl -j port show r0 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mac"])')" "02:00:00:00:00:aa"
expect_ok "its knobs followed too" ctl sysctl net.ipv4.conf.r0.arp_ignore
nsx h1 ip neigh flush all
expect_ok "host reaches the renamed router" can_ping h1 10.0.0.1
expect_eq "with the new MAC" "$(nsx h1 ip neigh show 10.0.0.1 | awk '{print $5}')" "02:00:00:00:00:aa"
t_done
