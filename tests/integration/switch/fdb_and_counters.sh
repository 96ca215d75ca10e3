# Per-port counters, FDB listing filters and ageing_time 0.
# Topology: h1, h2, h4 on access VLAN 10, h3 on access VLAN 20, around one pvland.
# Asserts: `stats clear PORT` zeroes that port's counters (traffic and drops) and no
# other's; `fdb show` filtered by port, by VLAN and by both lists exactly the matching
# entries, static and dynamic ones told apart; ageing_time 0 has the Linux bridge's
# meaning (checked against a real bridge on this kernel first): learned entries go at
# once, nothing new is learned, known unicast floods; static entries stay.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw h1 h2 h3 h4 ref
for i in 1 2 3 4; do
  veth sw p$i h$i eth0
  host_addr h$i eth0 10.0.0.$i/24 02:00:00:00:00:0$i
done
start_pvland sw
ctl -b <(printf 'port add p1 type netdev vlan 10\nport add p2 type netdev vlan 10\nport add p3 type netdev vlan 20\nport add p4 type netdev vlan 10\n') >/dev/null || fail "set-up batch"
expect_ok "h1 -> h2" can_ping h1 10.0.0.2

# --- stats clear PORT
# p3 counts a drop as well: a tagged frame on an access port.
scapy_send h3 eth0 "Ether(src='02:00:00:00:00:03',dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=5)/Raw(b'x'*50)"
sleep 0.2
before_p2=$(port_stat p2 rx_packets) before_p3=$(port_stat p3 rx_packets) drops_p3=$(port_drop p3 vlan_tag_on_access)
expect_ok "p1 has counted traffic" test "$(port_stat p1 rx_packets)" -gt 0
expect_ok "p3 counted the tagged frame" test "$drops_p3" -ge 1
# After the clear p1 counts only what arrived since: the IPv6 control frames its VLAN's
# hosts sent meanwhile, captured and told apart by time; measured again when one was
# sent while the clear or the read was under way (it may or may not be counted).
v6_in() { local h n b tn=0 tb=0; for h in $1; do read -r n b < <(sniff_between "v6-$h" "$2" "$3"); tn=$((tn + n)); tb=$((tb + b)); done; echo "$tn $tb"; }
for try in 1 2 3 4 5; do
  sniff_many v6 eth0 "h1 h2 h4" -Q out "$PVT_V6_CONTROL"
  ta=$(t_now); ctl stats clear p1 >/dev/null || fail "stats clear p1"; tb=$(t_now)
  sleep 0.1
  tc=$(t_now); got="$(port_stat p1 rx_packets) $(port_stat p1 tx_bytes)"; td=$(t_now)
  sniff_stop v6-h1 v6-h2 v6-h4
  [ "$(v6_in "h1 h2 h4" "$ta" "$tb")" = "0 0" ] && [ "$(v6_in "h1 h2 h4" "$tc" "$td")" = "0 0" ] && break
done
read -r rx_p1 txb_p1 <<<"$got"
read -r want_rx _ < <(v6_in h1 "$tb" "$tc")
read -r _ want_txb < <(v6_in "h2 h4" "$tb" "$tc")
expect_eq "p1 rx_packets cleared (then h1's IPv6 control frames)" "$rx_p1" "$want_rx"
expect_eq "p1 tx_bytes cleared (then h2's and h4's IPv6 control frames)" "$txb_p1" "$want_txb"
expect_ok "p2 keeps its rx_packets ($before_p2)" test "$(port_stat p2 rx_packets)" -ge "$before_p2"
expect_ok "p2 keeps its tx_packets" test "$(port_stat p2 tx_packets)" -gt 0
expect_eq "p3 keeps its drop counter" "$(port_drop p3 vlan_tag_on_access)" "$drops_p3"
expect_ok "stats clear p3" ctl stats clear p3
expect_eq "p3's drop counter cleared" "$(port_drop p3 vlan_tag_on_access)" 0
expect_ok "p2 still keeps its rx_packets" test "$(port_stat p2 rx_packets)" -ge "$before_p2"
expect_fail "stats clear of an unknown port fails" ctl stats clear nosuch

# --- fdb show filters
ctl fdb flush >/dev/null
ctl fdb add 02:ee:00:00:00:01 port p2 vlan 10 >/dev/null || fail "fdb add static on p2"
ctl fdb add 02:ee:00:00:00:02 port p3 vlan 20 >/dev/null || fail "fdb add static on p3"
for i in 1 2 3; do
  scapy_send h$i eth0 "Ether(src='02:00:00:00:00:0$i',dst='ff:ff:ff:ff:ff:ff',type=0x88b5)/Raw(b'l'*50)"
done
sleep 0.2
# fdb_list ARGS...: "mac/vlan/port/kind" of `fdb show ARGS` entries, sorted, space separated.
fdb_list() { ctl -j fdb show "$@" | pvjson "' '.join(sorted('%s/%s/%s/%s' % (e['mac'], e['vlan'], e['port'], e['kind']) for e in j))"; }
# h4 sends only its own IPv6 control frames, at times of its kernel's choosing: its
# entry may or may not be there, so the full listing is compared without port p4.
expect_eq "fdb show (all, p4 aside)" "$(fdb_list | tr ' ' '\n' | grep -v /p4/ | xargs)" \
  "02:00:00:00:00:01/10/p1/dynamic 02:00:00:00:00:02/10/p2/dynamic 02:00:00:00:00:03/20/p3/dynamic 02:ee:00:00:00:01/10/p2/static 02:ee:00:00:00:02/20/p3/static"
expect_eq "fdb show port p2" "$(fdb_list port p2)" "02:00:00:00:00:02/10/p2/dynamic 02:ee:00:00:00:01/10/p2/static"
expect_eq "fdb show vlan 20" "$(fdb_list vlan 20)" "02:00:00:00:00:03/20/p3/dynamic 02:ee:00:00:00:02/20/p3/static"
expect_eq "fdb show port p1 vlan 10" "$(fdb_list port p1 vlan 10)" "02:00:00:00:00:01/10/p1/dynamic"
expect_eq "fdb show port p1 vlan 20: nothing" "$(fdb_list port p1 vlan 20)" ""
expect_ok "fdb show (text) filtered by port names only that port" \
  sh -c "'$PVLANCTL' -s '$PVSOCK' fdb show port p3 | grep -v p3 | grep -q : && exit 1 || exit 0"
expect_fail "fdb show port of an unknown port fails" ctl fdb show port nosuch
expect_fail "fdb show vlan 4095 fails" ctl fdb show vlan 4095

# --- ageing_time 0: first what a Linux bridge on this kernel does with it.
nsx ref ip link add br0 type bridge ageing_time 0 stp_state 0
nsx ref ip link add va type veth peer name vap
nsx ref ip link set va master br0
for d in br0 va vap; do nsx ref ip link set "$d" up; done
sleep 0.2
pyx ref 'import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("vap", 0)); s.send(bytes.fromhex("ffffffffffff02dd000000010800") + bytes(46))'
sleep 0.3
REF_LEARNED=$(nsx ref bridge fdb show br br0 | grep -c '02:dd:00:00:00:01')
echo "Linux bridge with ageing_time 0 keeps $REF_LEARNED learned entries"
expect_eq "reference: a Linux bridge with ageing_time 0 learns nothing" "$REF_LEARNED" 0

expect_ok "bridge set ageing_time 0" ctl bridge set ageing_time 0
fdb_dynamic_gone() { [ -z "$(ctl -j fdb show | pvjson "' '.join(e['mac'] for e in j if e['kind'] == 'dynamic')")" ]; }
expect_ok "ageing_time 0: learned entries are gone within 2 s" wait_until 2 fdb_dynamic_gone
scapy_send h1 eth0 "Ether(src='02:00:00:00:00:01',dst='ff:ff:ff:ff:ff:ff',type=0x88b5)/Raw(b'a'*50)"
sleep 0.2
expect_eq "ageing_time 0: nothing learned from new traffic" "$(fdb_list port p1)" ""
expect_eq "ageing_time 0: static entries stay" "$(fdb_list port p2)" "02:ee:00:00:00:01/10/p2/static"
# h1 has just sent from its MAC; a frame from h2 to h1 is known unicast with learning
# and floods without it: h4 receives a copy.
sniff_start uu0 h4 eth0 -Q in ether proto 0x88b5
scapy_send h2 eth0 "Ether(src='02:00:00:00:00:02',dst='02:00:00:00:00:01',type=0x88b5)/Raw(b'u'*50)"
sniff_stop uu0
expect_eq "ageing_time 0: unicast to h1 floods (h4 sees it)" "$(sniff_count uu0 'ether dst 02:00:00:00:00:01')" 1
expect_ok "ageing_time 0: h1 -> h2 still works (by flooding)" can_ping h1 10.0.0.2
expect_eq "ageing_time 0: still nothing learned after a ping" "$(ctl -j fdb show | pvjson "len([e for e in j if e['kind'] == 'dynamic'])")" 0
expect_ok "bridge set ageing_time 300" ctl bridge set ageing_time 300
scapy_send h1 eth0 "Ether(src='02:00:00:00:00:01',dst='ff:ff:ff:ff:ff:ff',type=0x88b5)/Raw(b'a'*50)"
sleep 0.2
expect_eq "ageing_time 300: learning again" "$(fdb_list port p1)" "02:00:00:00:00:01/10/p1/dynamic"
sniff_start uu1 h4 eth0 -Q in ether proto 0x88b5
scapy_send h2 eth0 "Ether(src='02:00:00:00:00:02',dst='02:00:00:00:00:01',type=0x88b5)/Raw(b'u'*50)"
sniff_stop uu1
expect_eq "ageing_time 300: unicast to h1 is known again (h4 sees nothing)" "$(sniff_count uu1 'ether dst 02:00:00:00:00:01')" 0
t_done
