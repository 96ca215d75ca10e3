# The two knobs pvland reads from the kernel rather than its own store, changed from
# outside pvland, are seen by the next ARP decision: the internal port's forwarding
# (announced by RTM_NEWNETCONF) and the egress device's medium_id (announced by
# nothing; pvland re-reads it every 0.5 s). Also: verdicts count on the internal port
# that decided, `stats clear PORT` clears only that port, and martian lines keep to
# the net_ratelimit budget.
source "$PVLAND_TESTLIB"

mkns sw h1 h9 peer
veth sw p1 h1 eth0
veth sw p9 h9 eth0
veth sw eth2 peer eth0
host_addr h1 eth0 10.0.1.10/24
host_addr h9 eth0 10.0.9.10/24
host_addr peer eth0 10.0.2.10/24
nsx peer ip route add default via 10.0.2.1
nsx sw ip addr add 10.0.2.1/24 dev eth2
nsx sw sysctl -qw net.ipv4.conf.all.forwarding=1
start_pvland sw
ctl port add p1 type netdev vlan 10
ctl port add gw0 type internal vlan 10
ctl port add p9 type netdev vlan 90
ctl port add gw9 type internal vlan 90
nsx sw ip link set gw0 up
nsx sw ip link set gw9 up
nsx sw ip addr add 10.0.1.1/24 dev gw0
nsx sw ip addr add 10.0.9.1/24 dev gw9
ctl sysctl -w net.ipv4.conf.gw0.proxy_arp=1 net.ipv4.neigh.gw0.proxy_delay=0 net.ipv4.conf.gw0.forwarding=1

# verdict PORT REASON: pvland's count of ARP verdict REASON on PORT (0 when absent).
verdict() {
  ctl -j stats show "$1" | pvjson "sum(v['count'] for p in j for v in p.get('arp', []) if v['reason'] == '$2')"
}
# answered: h1 asks once for the peer behind eth2; true when a reply came back.
answered() { nsx h1 timeout 3 arping -c 1 -I eth0 10.0.2.10 >/dev/null 2>&1; }
# grew NAME PORT REASON BEFORE: the verdict count rose above BEFORE.
grew() {
  local now; now=$(verdict "$2" "$3")
  if [ "$now" -gt "$4" ]; then pass "$1 ($3 $4 -> $now)"; else fail "$1: $3 stayed at $now"; fi
}

for _ in $(seq 50); do ctl route get 10.0.2.10 >/dev/null 2>&1 && ctl route get 10.0.1.10 >/dev/null 2>&1 && break; sleep 0.1; done
expect_ok "proxy reply with forwarding on" answered
expect_eq "counted on gw0" "$(verdict gw0 proxy_reply)" 1
expect_eq "not on gw9" "$(verdict gw9 proxy_reply)" 0

# forwarding turned off with sysctl, not pvlanctl: RTM_NEWNETCONF reaches pvland
# before the next request does.
nsx sw sysctl -qw net.ipv4.conf.gw0.forwarding=0
expect_fail "no proxy reply once the kernel's forwarding is off" answered
grew "refused for forwarding" gw0 forwarding_off 0
expect_eq "pvland's store followed" "$(ctl sysctl -n net.ipv4.conf.gw0.forwarding)" 0
before=$(verdict gw0 proxy_reply)
nsx sw sysctl -qw net.ipv4.conf.gw0.forwarding=1
expect_ok "and a reply again once it is back on" answered
grew "answered again" gw0 proxy_reply "$before"

# medium_id: gw0 in medium 1; eth2 in medium 2 proxies, in medium 1 (same medium) or
# -1 does not. The egress device is the kernel's, written with sysctl.
ctl sysctl -w net.ipv4.conf.gw0.medium_id=1
nsx sw sysctl -qw net.ipv4.conf.eth2.medium_id=2
sleep 0.7
expect_ok "medium 1 -> 2: proxied" answered
nsx sw sysctl -qw net.ipv4.conf.eth2.medium_id=1
sleep 0.7
expect_fail "medium 1 -> 1: same medium, not proxied" answered
grew "refused as not proxied" gw0 not_proxied 0
nsx sw sysctl -qw net.ipv4.conf.eth2.medium_id=2
sleep 0.7
expect_ok "medium 1 -> 2 again: proxied" answered

# Each internal port counts its own VLAN's verdicts; clearing one leaves the other.
expect_ok "gw9 answers for its address" nsx h9 timeout 3 arping -c 1 -I eth0 10.0.9.1
grew "gw9 counted it" gw9 local_reply 0
expect_eq "and gw0 did not" "$(verdict gw0 local_reply)" 0
before=$(verdict gw0 proxy_reply)
ctl stats clear gw9
expect_eq "stats clear gw9 clears gw9" "$(verdict gw9 local_reply)" 0
expect_eq "but not gw0" "$(verdict gw0 proxy_reply)" "$before"

# Martian lines spend the net_ratelimit budget: with message_burst 3 and message_cost
# 1 s, 8 martian requests print 3 events (each with its ll header line); the first
# after the second is over reports the 5 it refused, then prints its own.
PROBE="$(dirname "$0")/../ipv4/arp_probe.py"
martians() { grep -c 'IPv4: martian source 10.0.1.1 from 224.0.0.5, on dev gw0' "$T_DIR/sw.log"; }
ctl sysctl -w net.ipv4.conf.gw0.log_martians=1 net.core.message_burst=3 net.core.message_cost=1
nsx h1 "$PVT_PY" "$PROBE" eth0 --sip 224.0.0.5 --tip 10.0.1.1 --count 8 --window 0.1 >/dev/null
sleep 0.2
expect_eq "three martian events within the burst" "$(martians)" 3
expect_eq "nothing about the refused ones yet" "$(grep -c 'callbacks suppressed' "$T_DIR/sw.log")" 0
sleep 1
nsx h1 "$PVT_PY" "$PROBE" eth0 --sip 224.0.0.5 --tip 10.0.1.1 --count 1 --window 0.1 >/dev/null
sleep 0.2
expect_eq "the refused ones are reported" "$(grep -c 'net_ratelimit: 5 callbacks suppressed' "$T_DIR/sw.log")" 1
expect_eq "and the next window prints again" "$(martians)" 4
expect_eq "every martian request was still decided" "$(verdict gw0 martian_source_multicast_or_broadcast)" 9
t_done
