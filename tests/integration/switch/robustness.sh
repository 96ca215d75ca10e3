# Bad input of every kind: malformed frames, vanishing interfaces, bad commands, bad
# config files.
# Asserts: frames with a multicast or zero source MAC, a link-local destination or a
# truncated 802.1Q tag are counted under their reason on the ingress
# port, forwarded nowhere, and the daemon keeps forwarding; a jumbo frame crosses
# jumbo links and counts mtu_exceeded on a 1500-MTU port; a port whose interface is
# deleted shows state absent, unicast to it counts port_down, the other ports keep
# forwarding, and it comes back when an interface of that name returns; bad pvlanctl
# commands exit non-zero with a message and change nothing; `pvland -c FILE` sets a lab
# up, and a bad line makes it exit non-zero naming FILE:LINE.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw h1 h2 h3 ht
for i in 1 2 3; do
  veth sw p$i h$i eth0
  host_addr h$i eth0 10.0.0.$i/24 02:00:00:00:00:0$i
done
start_pvland sw
PVPID=$(ip netns pids "$(ns sw)" | head -1)
for p in p1 p2 p3; do ctl port add $p >/dev/null; done
ctl port add t1 type tap >/dev/null
nsx sw ip link set t1 netns "$(ns ht)"
nsx ht ip link set t1 address 02:00:00:00:00:0a
nsx ht ip link set t1 up
nsx ht ip addr add 10.0.0.10/24 dev t1
expect_ok "warm-up: h1 -> h2" can_ping h1 10.0.0.2
expect_ok "warm-up: h1 -> tap host" can_ping h1 10.0.0.10

# bad_frame NAME PORT REASON NS IF EXPR: EXPR sent from NS/IF is counted REASON on PORT
# and reaches neither h2 nor h3.
bad_frame() {
  local name=$1 port=$2 reason=$3 n=$4 ifc=$5 expr=$6 d0
  d0=$(port_drop $port $reason)
  sniff_many bad eth0 "h2 h3" -Q in not arp and not icmp
  scapy_send $n $ifc "$expr"
  sniff_stop bad-h2 bad-h3
  expect_eq "$name: counted $reason on $port" "$(port_drop $port $reason)" $((d0 + 1))
  local got=$(( $(sniff_count bad-h2) + $(sniff_count bad-h3) ))
  expect_eq "$name: forwarded nowhere" "$got" 0
  [ "$got" = 0 ] || { sniff_show bad-h2; sniff_show bad-h3; }
}
PAY="IP(src='10.0.0.1',dst='10.0.0.255')/UDP(dport=9)/Raw(b'x'*30)"
bad_frame "multicast source MAC" p1 invalid_src_mac h1 eth0 "Ether(src='01:00:5e:00:00:01',dst='ff:ff:ff:ff:ff:ff')/$PAY"
bad_frame "all-zero source MAC" p1 invalid_src_mac h1 eth0 "Ether(src='00:00:00:00:00:00',dst='ff:ff:ff:ff:ff:ff')/$PAY"
bad_frame "STP destination 01:80:c2:00:00:00" p1 link_local_dst h1 eth0 "Ether(src='02:00:00:00:00:01',dst='01:80:c2:00:00:00')/Raw(b'x'*40)"
bad_frame "LACP destination 01:80:c2:00:00:02" p1 link_local_dst h1 eth0 "Ether(src='02:00:00:00:00:01',dst='01:80:c2:00:00:02')/Raw(b'x'*40)"
# A tag header cut short: only reachable through a TAP (a veth's receive path strips
# and drops such frames before any packet socket sees them).
bad_frame "truncated 802.1Q tag (16 bytes, via the TAP)" t1 truncated_vlan_tag ht t1 \
  "Raw(bytes.fromhex('ffffffffffff02000000000a8100') + b'\\x00\\x05')"
bad_frame "truncated 802.1Q tag (17 bytes, via the TAP)" t1 truncated_vlan_tag ht t1 \
  "Raw(bytes.fromhex('ffffffffffff02000000000a8100') + b'\\x00\\x05\\x08')"
# Jumbo frames: a 4000-byte frame from a 9000-MTU link is received whole and forwarded
# where the egress MTU allows it (h2's link raised to 9000 too); on p3's 1500-MTU link
# the kernel refuses it and it counts mtu_exceeded on p3, as a Linux bridge drops it.
nsx h1 ip link set eth0 mtu 9000
nsx sw ip link set p1 mtu 9000
nsx sw ip link set p2 mtu 9000
nsx h2 ip link set eth0 mtu 9000
JUMBO="Ether(src='02:00:00:00:00:01',dst='ff:ff:ff:ff:ff:ff')/IP(src='10.0.0.1',dst='10.0.0.255')/UDP(dport=9)/Raw(b'x'*3958)"
d0=$(port_drop p3 mtu_exceeded)
sniff_many jumbo eth0 "h2 h3" -Q in udp port 9
scapy_send h1 eth0 "$JUMBO"
sniff_stop jumbo-h2 jumbo-h3
expect_eq "4000-byte frame reaches h2 over 9000-MTU links" "$(sniff_count jumbo-h2 'greater 4000')" 1
expect_eq "4000-byte frame: not on h3's 1500-MTU link" "$(sniff_count jumbo-h3)" 0
expect_eq "4000-byte frame: counted mtu_exceeded on p3" "$(port_drop p3 mtu_exceeded)" $((d0 + 1))
expect_eq "4000-byte frame: nothing counted oversize on p1" "$(port_drop p1 oversize)" 0
for d in "h1 eth0" "sw p1" "sw p2" "h2 eth0"; do nsx ${d% *} ip link set ${d#* } mtu 1500; done
# A runt cannot be made here: the kernel refuses to send frames shorter than an Ethernet
# header on a veth or a TAP (the parser's unit tests cover it). Check that it refuses.
expect_fail "the kernel refuses a 10-byte frame (so no runt reaches a port)" \
  scapy_send h1 eth0 "Raw(bytes(10))"

# A burst of garbage of every size 14-100 bytes, then the daemon must still forward.
scapy_send h1 eth0 "[Raw(bytes([(i * 7 + k) % 256 for k in range(i)])) for i in range(14, 101)]" 3
expect_ok "daemon alive after malformed frames" kill -0 "$PVPID"
expect_ok "h1 -> h2 after malformed frames" can_ping h1 10.0.0.2
expect_ok "tap host -> h2 after malformed frames" can_ping ht 10.0.0.2

# --- interface deleted under a port, then recreated
expect_ok "static fdb entry for h3 on p3" ctl fdb add 02:00:00:00:00:03 port p3
nsx h3 ip link del eth0
expect_ok "p3 goes absent within 3 s" wait_until 3 sh -c "'$PVLANCTL' -s '$PVSOCK' -j port show p3 | grep -q '\"state\":\"absent\"'"
expect_eq "p3 state" "$(port_field p3 state)" absent
expect_eq "p1 state unaffected" "$(port_field p1 state)" up
expect_ok "h1 -> h2 while p3 is absent" can_ping h1 10.0.0.2
d0=$(port_drop p3 port_down)
scapy_send h1 eth0 "Ether(src='02:00:00:00:00:01',dst='02:00:00:00:00:03')/IP(src='10.0.0.1',dst='10.0.0.3')/UDP(dport=9)"
drop_is() { [ "$(port_drop "$1" "$2")" = "$3" ]; }
wait_until 3 drop_is p3 port_down $((d0 + 1))
expect_eq "unicast to the absent port counted port_down on p3" "$(port_drop p3 port_down)" $((d0 + 1))
veth sw p3 h3 eth0
host_addr h3 eth0 10.0.0.3/24 02:00:00:00:00:03
expect_ok "p3 back up within 3 s of the interface's return" wait_until 3 sh -c "'$PVLANCTL' -s '$PVSOCK' -j port show p3 | grep -q '\"state\":\"up\"'"
expect_ok "h1 -> h3 through the reattached port" can_ping h1 10.0.0.3
expect_ok "h3 -> h2 through the reattached port" can_ping h3 10.0.0.2
# The same for a second round trip, quickly, to catch stale ifindex handling.
nsx h3 ip link del eth0
wait_until 3 sh -c "'$PVLANCTL' -s '$PVSOCK' -j port show p3 | grep -q absent"
veth sw p3 h3 eth0
host_addr h3 eth0 10.0.0.3/24 02:00:00:00:00:03
expect_ok "second reattach: h3 -> h1" sh -c "sleep 1.2; ip netns exec $(ns h3) ping -n -c 1 -w 3 10.0.0.1"

# --- bad commands change nothing
ctl -b <(printf 'vlan add 100 pvlan primary\nvlan add 101 pvlan isolated primary 100\nvlan add 102 pvlan community primary 100\n') >/dev/null
snapshot() {
  { ctl -j port show; ctl -j vlan show; ctl -j bridge show
    ctl -j fdb show | pvjson "sorted((e['mac'], e['vlan'], e['port']) for e in j if e['kind'] != 'dynamic')"; } 2>&1
}
before=$(snapshot)
bad() { # bad WHAT ARGS...: non-zero exit and a message on stderr
  local what=$1 err rc; shift
  err=$(ctl "$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -ne 0 ] && [ -n "$err" ]; then pass "rejected: $what ($err)"; else fail "$what: rc=$rc stderr='$err'"; fi
}
bad "unknown port" port set nope vlan 5
bad "unknown key" port set p1 colour red
bad "valid key then unknown key" port set p1 vlan 10 colour red
bad "VLAN 5000" port set p1 vlan 5000
bad "VLAN 0" port set p1 vlan 0
bad "VLAN abc" port set p1 vlan abc
bad "isolated maybe" port set p1 isolated maybe
bad "trunk with allowed 1-5000" port set p1 mode trunk allowed 1-5000
bad "add a missing interface" port add nosuchif0
bad "add an existing port again" port add p1
bad "bad port type" port add q9 type bogus
bad "del unknown port" port del nope
bad "pvlan on a nonexistent primary" vlan add 200 pvlan isolated primary 999
bad "community on a nonexistent primary" vlan add 201 pvlan community primary 998
bad "secondary used as primary" vlan add 202 pvlan community primary 101
bad "second isolated VLAN for one primary" vlan add 203 pvlan isolated primary 100
bad "vlan del of a primary with secondaries" vlan del 100
bad "vlan add 4095" vlan add 4095
bad "fdb add bad MAC" fdb add 02:zz:00:00:00:01 port p1
bad "fdb add multicast MAC" fdb add 01:00:5e:00:00:01 port p1
bad "fdb add to unknown port" fdb add 02:00:00:00:00:77 port nope
bad "fdb del missing entry" fdb del 02:00:00:00:00:78
bad "ageing_time abc" bridge set ageing_time abc
bad "unknown object" frobnicate show
bad "unknown verb" port frob p1
after=$(snapshot)
if [ "$after" = "$before" ]; then pass "port/vlan/bridge/static fdb state unchanged after every rejected command"
else fail "state changed by rejected commands:"; diff <(echo "$before") <(echo "$after"); fi
expect_eq "p1 still on VLAN 1" "$(port_field p1 vlan)" 1
expect_ok "daemon still forwards after bad commands" can_ping h1 10.0.0.2

# --- pvland -c FILE
PVSOCK_MAIN=$PVSOCK
mkns c h4 h5
veth c q1 h4 eth0
veth c q2 h5 eth0
host_addr h4 eth0 10.7.0.4/24
host_addr h5 eth0 10.7.0.5/24
cat >"$T_DIR/good.conf" <<'EOF'
# a lab in a file

vlan add 100 pvlan primary
vlan add 101 pvlan isolated primary 100
port add q1      # the gateway side
port add q2
port set q1 vlan 100
port set q2 vlan 101
bridge set ageing_time 42
EOF
start_pvland c -c "$T_DIR/good.conf"
expect_eq "-c: q2 on VLAN 101" "$(port_field q2 vlan)" 101
expect_eq "-c: ageing_time" "$(ctl -j bridge show | pvjson "j[0]['ageing_time'] if isinstance(j,list) else j['ageing_time']")" 42
expect_ok "-c: isolated host reaches the promiscuous one" can_ping h5 10.7.0.4
printf 'port add x1 type tap\nport set x1 vlan 7\nport set nope vlan 3\nport add x2 type tap\n' >"$T_DIR/bad.conf"
mkns c2
err=$(nsx c2 timeout 10 "$PVLAND" -s "$T_DIR/c2.sock" -c "$T_DIR/bad.conf" 2>&1); rc=$?
expect_ok "-c with a bad line 3: exits non-zero (rc=$rc)" test $rc -ne 0 -a $rc -ne 124
expect_ok "-c error names FILE:LINE ($err)" sh -c "echo \"\$1\" | grep -q 'bad.conf:3'" _ "$err"
printf '# ok\nport add\n' >"$T_DIR/bad2.conf"
err=$(nsx c2 timeout 10 "$PVLAND" -s "$T_DIR/c2.sock" -c "$T_DIR/bad2.conf" 2>&1); rc=$?
expect_ok "-c with a syntax error on line 2: exits non-zero" test $rc -ne 0 -a $rc -ne 124
expect_ok "-c syntax error names FILE:LINE ($err)" sh -c "echo \"\$1\" | grep -q 'bad2.conf:2'" _ "$err"
err=$(nsx c2 timeout 10 "$PVLAND" -s "$T_DIR/c2.sock" -c "$T_DIR/missing.conf" 2>&1); rc=$?
expect_ok "-c with a missing file: exits non-zero ($err)" test $rc -ne 0 -a $rc -ne 124

PVSOCK=$PVSOCK_MAIN
expect_ok "first daemon still alive at the end" kill -0 "$PVPID"
t_done
