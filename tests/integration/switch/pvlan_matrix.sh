# Private VLANs with real hosts, against the matrix of docs/drop-reasons.md §3.
# VLAN 100 primary, 101 isolated, 102 community a, 103 community b. Hosts (one namespace
# each, port s<host> on the switch): p1 promiscuous .1, i1/i2 isolated .11/.12, a1/a2
# community a .21/.22, b1 community b .31; pvland's internal port br0 .254 on VLAN 100;
# tr on a trunk carrying 100-103.
# Asserts with pings (ARP broadcast and static neighbours for
# known unicast), broadcast and multicast pings, scapy unknown-unicast/multicast frames,
# trunk tags per source role, trunk ingress classified by tag, shared learning,
# pvlan_isolation / isolated_port counted on the destination port, and run-time changes
# taking effect on the next frame.
source "$PVLAND_TESTLIB"
need_scapy

HOSTS="p1 i1 i2 a1 a2 b1"
declare -A IP=([p1]=1 [i1]=11 [i2]=12 [a1]=21 [a2]=22 [b1]=31)
declare -A VID=([p1]=100 [i1]=101 [i2]=101 [a1]=102 [a2]=102 [b1]=103)
mac() { printf '02:40:00:00:00:%02d' "${IP[$1]}"; }

mkns sw tr $HOSTS
for h in $HOSTS; do
  veth sw s$h $h eth0
  host_addr $h eth0 10.40.0.${IP[$h]}/24 "$(mac $h)"
  nsx $h sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
done
veth sw str tr eth0
nsx tr ip link set eth0 address 02:40:00:00:00:99
nsx sw sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
start_pvland sw
{
  echo "vlan add 100 pvlan primary"
  echo "vlan add 101 pvlan isolated primary 100"
  echo "vlan add 102 pvlan community primary 100"
  echo "vlan add 103 pvlan community primary 100"
  for h in $HOSTS; do echo "port add s$h"; echo "port set s$h vlan ${VID[$h]}"; done
  echo "port add str"
  echo "port set str mode trunk allowed 100-103 native none"
  echo "port add br0 type internal"
  echo "port set br0 vlan 100"
} >"$T_DIR/t4.batch"
expect_ok "T4 set up with pvlanctl -b" ctl -b "$T_DIR/t4.batch"
nsx sw ip link set br0 up
nsx sw ip addr add 10.40.0.254/24 dev br0
expect_eq "vlan 101 is isolated in primary 100" \
  "$(ctl -j vlan show | pvjson "[(v.get('pvlan_type'), v.get('primary')) for v in j if v['vlan']==101][0]")" "('isolated', 100)"

# The hosts' IPv6 control frames (RS, MLD, DAD) flood like any multicast and the matrix
# refuses them like any other frame, so a pvlan_isolation count also grows by the
# control frames sent meanwhile from hosts the matrix keeps from the destination. Every
# host's outgoing control frames are captured for the whole test; a check reads the
# counter, notes the time, and expects their share of the window.
declare -A ROLE=([p1]=promiscuous [i1]=isolated [i2]=isolated [a1]=community-a [a2]=community-a [b1]=community-b)
refused() {  # refused SRC DST: does the matrix keep SRC's frames from DST?
  [ "${ROLE[$1]}" != promiscuous ] && [ "${ROLE[$2]}" != promiscuous ] &&
    { [ "${ROLE[$1]}" = isolated ] || [ "${ROLE[$1]}" != "${ROLE[$2]}" ]; }
}
sniff_many v6 eth0 "$HOSTS" -Q out "$PVT_V6_CONTROL"
# v6_refused DST T0 T1: control frames sent between T0 and T1 that the matrix refuses at DST.
v6_refused() {
  local s n=0
  for s in $HOSTS; do
    [ "$s" = "$1" ] && continue
    refused "$s" "$1" || continue
    n=$((n + $(sniff_between "v6-$s" "$2" "$3" | cut -d' ' -f1)))
  done
  echo "$n"
}
# isolation_drops DST: pvlan_isolation on port sDST less the IPv6 control frames refused
# there since the last isolation_mark.
isolation_mark() { ISO_T0=$(t_now); }
# A control frame sent while the counter is being read may or may not be in it: read
# again until none was.
isolation_drops() {
  local ta tb d try
  for try in 1 2 3 4 5; do
    ta=$(t_now); d=$(port_drop "s$1" pvlan_isolation); tb=$(t_now)
    [ "$(v6_refused "$1" "$ta" "$tb")" = 0 ] && break
  done
  echo $((d - $(v6_refused "$1" "$ISO_T0" "$ta")))
}

ping_ok() { expect_ok "$1 -> $2 reachable" can_ping $1 10.40.0.${IP[$2]:-$2}; }
ping_no() { expect_ok "$1 -> $2 blocked" cannot_ping $1 10.40.0.${IP[$2]:-$2}; }

# --- L2: promiscuous talks to everyone; L9: everyone reaches the switch's own address
ping_ok i1 p1; ping_ok p1 i1; ping_ok i2 p1
ping_ok p1 a1; ping_ok a1 p1; ping_ok a2 p1
ping_ok p1 b1; ping_ok b1 p1
for h in i1 a1 b1 p1; do expect_ok "L9: $h -> switch IP" can_ping $h 10.40.0.254; done
expect_ok "L9: switch -> i2" can_ping sw 10.40.0.12

# Shared learning: i1 learned on its secondary VLAN, reached by p1's known unicast.
expect_eq "i1's MAC learned in VLAN 101 on si1" \
  "$(ctl -j fdb show | pvjson "' '.join('%s/%s' % (e['port'], e['vlan']) for e in j if e['mac']=='$(mac i1)')")" "si1/101"
sniff_start kui2 i2 eth0 -Q in icmp
nsx p1 ping -n -c 3 -i 0.2 -W 1 10.40.0.11 >/dev/null
sniff_stop kui2
expect_eq "p1 -> i1 echo is known unicast (shared FDB): nothing flooded to i2" "$(sniff_count kui2)" 0

# --- L3: community
ping_ok a1 a2; ping_ok a2 a1
ping_no a1 b1; ping_no a1 i1; ping_no b1 a2

# --- L1: isolated -> isolated, first by ARP broadcast, then known unicast
d0=$(port_drop si2 pvlan_isolation)
ping_no i1 i2
expect_ok "L1: ARP from i1 counted pvlan_isolation on si2" test "$(port_drop si2 pvlan_isolation)" -gt "$d0"
expect_eq "L1: FDB knows i2 on si2" \
  "$(ctl -j fdb show | pvjson "' '.join(e['port'] for e in j if e['mac']=='$(mac i2)')")" si2
nsx i1 ip neigh replace 10.40.0.12 lladdr "$(mac i2)" dev eth0 nud permanent
nsx i2 ip neigh replace 10.40.0.11 lladdr "$(mac i1)" dev eth0 nud permanent
isolation_mark; d0=$(isolation_drops i2)
sniff_start l1 i2 eth0 -Q in icmp
expect_ok "L1: i1 -> i2 with static neighbours (known unicast) blocked" \
  cannot_ping i1 10.40.0.12
nsx i1 ping -n -c 3 -i 0.2 -W 1 10.40.0.12 >/dev/null
sniff_stop l1
expect_eq "L1: nothing in i2's capture" "$(sniff_count l1)" 0
expect_eq "L1: 4 known-unicast echoes counted pvlan_isolation on si2" "$(isolation_drops i2)" $((d0 + 4))
expect_ok "L1: i2 -> i1 known unicast blocked too" cannot_ping i2 10.40.0.11

# --- L4: broadcast ping reach sets; L5: multicast ping (224.0.0.1) reach sets
# responders NS ADDR [ARGS]: sorted last octets of every other host that answered a
# 2-second ping (the sender's own answer to its broadcast is left out).
responders() {
  local n=$1 a=$2; shift 2
  nsx $n ping -n -w 2 -i 0.4 "$@" $a 2>/dev/null |
    sed -n 's/.* from 10\.40\.0\.\([0-9]*\):.*/\1/p' | grep -vx "${IP[$n]}" |
    sort -n -u | tr '\n' ' ' | sed 's/ $//'
}
# The seven probes run at once (each ping only counts answers to its own id).
pids=()
for s in p1 i1 a1 b1; do responders $s 10.40.0.255 -b >"$T_DIR/bc-$s" & pids+=($!); done
for s in p1 i1 a1; do responders $s 224.0.0.1 -I eth0 >"$T_DIR/mc-$s" & pids+=($!); done
wait "${pids[@]}"
expect_eq "L4: ping -b from p1" "$(cat "$T_DIR/bc-p1")" "11 12 21 22 31 254"
expect_eq "L4: ping -b from i1" "$(cat "$T_DIR/bc-i1")" "1 254"
expect_eq "L4: ping -b from a1" "$(cat "$T_DIR/bc-a1")" "1 22 254"
expect_eq "L4: ping -b from b1" "$(cat "$T_DIR/bc-b1")" "1 254"
expect_eq "L5: ping 224.0.0.1 from p1" "$(cat "$T_DIR/mc-p1")" "11 12 21 22 31 254"
expect_eq "L5: ping 224.0.0.1 from i1" "$(cat "$T_DIR/mc-i1")" "1 254"
expect_eq "L5: ping 224.0.0.1 from a1" "$(cat "$T_DIR/mc-a1")" "1 22 254"

# --- L6 / L5: scapy floods in one capture round, captured at every host and the trunk.
# flood_round "SRC:DSTMAC ...": each SRC sends one UDP frame to DSTMAC, all at once.
flood_round() {
  local pr src dst pids=()
  sniff_many f eth0 "$HOSTS tr" -Q in udp port 5000
  for pr in $1; do
    src=${pr%%:*}; dst=${pr#*:}
    scapy_send $src eth0 "Ether(src='$(mac $src)',dst='$dst')/IP(src='10.40.0.${IP[$src]}',dst='239.1.1.1')/UDP(dport=5000)/Raw(b'flood')" &
    pids+=($!)
  done
  wait "${pids[@]}"
  sniff_stop $(for h in $HOSTS tr; do echo f-$h; done)
  for h in $HOSTS tr; do sniff_show f-$h >"$T_DIR/f-$h.txt"; done
}
# reach SRC DSTMAC: "p1 i1 i2 a1 a2 b1 tr" copy counts of SRC's frame, then the trunk's tag.
reach() {
  local h
  for h in $HOSTS tr; do printf '%s ' "$(grep -c "^[^ ]* $(mac $1) > $2," "$T_DIR/f-$h.txt")"; done
  grep "^[^ ]* $(mac $1) > $2," "$T_DIR/f-tr.txt" | sed -n 's/.*vlan \([0-9]*\),.*/\1/p' | head -1
}
declare -A iso0
isolation_mark
for h in $HOSTS; do iso0[$h]=$(isolation_drops $h); done
MC=01:00:5e:01:01:01
flood_round "i1:02:40:de:ad:00:01 a1:02:40:de:ad:00:02 p1:02:40:de:ad:00:03 b1:$MC"
#                                                        p1 i1 i2 a1 a2 b1 tr tag
expect_eq "L6: UU from i1 reaches p1 and the trunk (tag 101) only" "$(reach i1 02:40:de:ad:00:01)" "1 0 0 0 0 0 1 101"
expect_eq "UU from a1 reaches p1, a2 and the trunk (tag 102)" "$(reach a1 02:40:de:ad:00:02)" "1 0 0 0 1 0 1 102"
expect_eq "UU from p1 reaches everyone (trunk tag 100)" "$(reach p1 02:40:de:ad:00:03)" "0 1 1 1 1 1 1 100"
expect_eq "L5: multicast from b1 reaches p1 and the trunk (tag 103)" "$(reach b1 $MC)" "1 0 0 0 0 0 1 103"
# Forbidden copies are counted on the destination: i1's frame at i2 a1 a2 b1, a1's at i1
# i2 b1, b1's at i1 i2 a1 a2, p1's nowhere.
declare -A want=([p1]=0 [i1]=2 [i2]=3 [a1]=2 [a2]=2 [b1]=2)
for h in $HOSTS; do
  expect_eq "L6: pvlan_isolation drops counted on s$h" "$(isolation_drops $h)" $((iso0[$h] + want[$h]))
done
flood_round "a1:$MC i1:$MC"
expect_eq "L5: multicast from a1 follows the matrix" "$(reach a1 $MC)" "1 0 0 0 1 0 1 102"
expect_eq "L5: multicast from i1 follows the matrix" "$(reach i1 $MC)" "1 0 0 0 0 0 1 101"

# --- trunk ingress: the tag says which role sent the frame (L12 on one switch).
# Four frames from the trunk host, told apart by UDP port 6001-6004.
sniff_many t eth0 "$HOSTS" -Q in udp
isolation_mark; d0=$(isolation_drops i2)
scapy_send tr eth0 "[Ether(src='02:40:00:00:00:99',dst=d)/Dot1Q(vlan=v)/IP(src='10.40.0.99',dst='10.40.0.255')/UDP(dport=pt) for (v, d, pt) in [(101, '$(mac i2)', 6001), (101, '$(mac p1)', 6002), (100, '$(mac i2)', 6003), (102, 'ff:ff:ff:ff:ff:ff', 6004)]]"
sniff_stop $(for h in $HOSTS; do echo t-$h; done)
tr_got() { local h; for h in $HOSTS; do printf '%s ' "$(sniff_count t-$h "udp port $1 and not vlan")"; done | sed 's/ $//'; }
expect_eq "trunk tag 101 to i2's MAC: dropped (remote isolated host)" "$(tr_got 6001)" "0 0 0 0 0 0"
expect_eq "... counted pvlan_isolation on si2 (with the tag-102 broadcast's copy)" "$(isolation_drops i2)" $((d0 + 2))
expect_eq "trunk tag 101 to p1's MAC: delivered untagged" "$(tr_got 6002)" "1 0 0 0 0 0"
expect_eq "trunk tag 100 to i2's MAC: delivered (from promiscuous)" "$(tr_got 6003)" "0 0 1 0 0 0"
expect_eq "trunk tag 102 broadcast: p1, a1, a2" "$(tr_got 6004)" "1 0 0 1 1 0"

# --- L8: community ports that are also isolated
expect_ok "a1, a2 isolated on" ctl -b <(printf 'port set sa1 isolated on\nport set sa2 isolated on\n')
d0=$(port_drop sa2 isolated_port)
ping_no a1 a2
expect_ok "L8: counted isolated_port on sa2" test "$(port_drop sa2 isolated_port)" -gt "$d0"
ping_ok a1 p1
expect_ok "a1, a2 isolated off" ctl -b <(printf 'port set sa1 isolated off\nport set sa2 isolated off\n')
ping_ok a1 a2

# --- L13: unknown-unicast flooding off on the promiscuous port
expect_ok "sp1 flood off" ctl port set sp1 flood off
flood_round "i1:02:40:de:ad:00:04"
expect_eq "L13: UU from i1 reaches no host (trunk only)" "$(reach i1 02:40:de:ad:00:04)" "0 0 0 0 0 0 1 101"
nsx i1 ip neigh flush dev eth0
ping_ok i1 p1
ctl port set sp1 flood on >/dev/null

# --- run-time changes take effect on the next frame
nsx a1 ip neigh replace 10.40.0.12 lladdr "$(mac i2)" dev eth0 nud permanent
nsx i2 ip neigh replace 10.40.0.21 lladdr "$(mac a1)" dev eth0 nud permanent
ping_no a1 i2
expect_ok "si2 -> VLAN 102 (community a)" ctl port set si2 vlan 102
ping_ok a1 i2
expect_ok "si2 -> VLAN 101 (isolated)" ctl port set si2 vlan 101
ping_no a1 i2
ping_no i1 i2
expect_ok "si1 -> VLAN 100 (promiscuous)" ctl port set si1 vlan 100
ping_ok i1 i2
expect_ok "si1 -> VLAN 101 (isolated)" ctl port set si1 vlan 101
ping_no i1 i2
# A continuous stream: replies stop as soon as the role changes.
nsx i2 ping -n -i 0.05 -w 3 10.40.0.1 >"$T_DIR/stream.txt" 2>&1 &
sleep 1
ctl port set sp1 vlan 101
sleep 1
ctl port set sp1 vlan 100
wait $!
gaps=$(awk '/icmp_seq/ {split($5, a, "="); s=a[2]; if (last && s > last + 5) g++; last=s} END {print g+0}' "$T_DIR/stream.txt")
expect_eq "stream i2 -> p1: one gap while p1 sat on the isolated VLAN" "$gaps" 1

t_done
