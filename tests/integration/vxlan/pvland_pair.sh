# Two pvland instances, each in its own namespace with its own control socket, joined by
# VXLAN ports over a veth underlay (MTU 1500, so full-size frames travel as fragmented
# datagrams). Hosts keep their default offloads; h2 is a TAP host.
#   A (u1): h1 vlan 10 .1;  p1 vlan 100 (promiscuous) .1, i1 101 (isolated) .11, c1 102 (community) .21
#   B (u2): h2 vlan 10 .2 (TAP);  p2 vlan 100 .2, i2 101 .12, c2 102 .22
#   vx0 on both: trunk allowed 10,100-102, native none: tags travel as on a physical trunk.
# Asserts: ping both ways (ARP first), broadcast ping, a 1472-byte ping with DF (fragmented
# underneath), HTTP with its sha256 and an iperf3 stream (TCP super-frames segmented into
# datagrams), UDP echoes of several sizes; `fdb show` names the remote (text and JSON);
# per-remote counters; the private-VLAN matrix across the tunnel (promiscuous reaches
# all, community reaches its community, isolated reaches only promiscuous, refused copies
# counted pvlan_isolation on the destination port); port security and capture on a VXLAN
# port.
source "$PVLAND_TESTLIB"

UA=172.31.61.1 UB=172.31.61.2
mkns u1 u2 h1 h2 p1 i1 c1 p2 i2 c2
veth u1 ua u2 ub
nsx u1 ip addr add $UA/24 dev ua
nsx u2 ip addr add $UB/24 dev ub

start_pvland u1; SA=$PVSOCK
start_pvland u2; SB=$PVSOCK
ca() { "$PVLANCTL" -s "$SA" "$@"; }
cb() { "$PVLANCTL" -s "$SB" "$@"; }

declare -A SW=([h1]=u1 [p1]=u1 [i1]=u1 [c1]=u1 [h2]=u2 [p2]=u2 [i2]=u2 [c2]=u2)
declare -A VID=([h1]=10 [h2]=10 [p1]=100 [p2]=100 [i1]=101 [i2]=101 [c1]=102 [c2]=102)
declare -A IP=([h1]=10.61.10.1 [h2]=10.61.10.2 [p1]=10.61.100.1 [p2]=10.61.100.2
               [i1]=10.61.100.11 [i2]=10.61.100.12 [c1]=10.61.100.21 [c2]=10.61.100.22)
declare -A MAC=([h1]=02:61:00:00:00:01 [h2]=02:61:00:00:00:02 [p1]=02:61:00:00:01:01 [p2]=02:61:00:00:01:02
                [i1]=02:61:00:00:01:11 [i2]=02:61:00:00:01:12 [c1]=02:61:00:00:01:21 [c2]=02:61:00:00:01:22)

for sock in "$SA" "$SB"; do
  "$PVLANCTL" -s "$sock" -b - <<'CONF' || fail "configure $sock"
vlan add 100 pvlan primary
vlan add 101 pvlan isolated primary 100
vlan add 102 pvlan community primary 100
CONF
done
expect_ok "A: port add vx0 type vxlan" ca port add vx0 type vxlan vni 6100 remote $UB mode trunk allowed 10,100-102 native none
expect_ok "B: port add vx0 type vxlan (local given)" cb port add vx0 type vxlan vni 6100 remote $UA local $UB mode trunk allowed 10,100-102 native none
for h in h1 p1 i1 c1 p2 i2 c2; do
  veth "${SW[$h]}" "s$h" "$h" eth0
  host_addr "$h" eth0 "${IP[$h]}/24" "${MAC[$h]}"
  "$PVLANCTL" -s "$T_DIR/${SW[$h]}.sock" port add "s$h" type netdev vlan "${VID[$h]}" || fail "port add s$h"
done
# h2 behind a TAP port: the TAP's super-frames and partial checksums enter the tunnel.
expect_ok "B: port add th2 type tap" cb port add th2 type tap vlan 10
nsx u2 ip link set th2 netns "$(ns h2)"
nsx h2 ip link set th2 address "${MAC[h2]}"
nsx h2 ip link set th2 up
nsx h2 ip addr add "${IP[h2]}/24" dev th2
for h in h1 h2; do nsx $h sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0; done

expect_eq "port show: type" "$(PVSOCK=$SA port_field vx0 type)" vxlan
expect_eq "port show: vni, local, dstport" \
  "$(ca -j port show vx0 | pvjson "(j[0]['vni'], j[0]['local'], j[0]['dstport'], [r['addr'] for r in j[0]['remotes']])")" \
  "(6100, '0.0.0.0', 4789, ['$UB'])"
expect_eq "port show: state up" "$(PVSOCK=$SB port_field vx0 state)" up

# --- L2 across the tunnel: ARP, unicast, broadcast
expect_ok "h1 -> h2 (ARP, then echo)" can_ping h1 ${IP[h2]}
expect_ok "h2 -> h1" can_ping h2 ${IP[h1]}
expect_eq "h1 resolved h2's MAC over the tunnel" \
  "$(nsx h1 ip -j neigh show ${IP[h2]} | pvjson "j[0]['lladdr']")" "${MAC[h2]}"
# h1 answers its own broadcast too: count h2's answers over a deadline, not the first two.
bc=$(nsx h1 ping -n -b -w 2 -i 0.4 10.61.10.255 2>/dev/null | grep -c "from ${IP[h2]}")
expect_ok "ping -b from h1 answered by h2 ($bc answers)" test "$bc" -ge 3
expect_ok "1472-byte ping with DF (a 1514-byte frame in a fragmented datagram)" \
  nsx h1 ping -n -c 2 -i 0.2 -W 1 -M do -s 1472 ${IP[h2]}

# --- The FDB says which remote
expect_eq "A: fdb show names the remote of h2's MAC (JSON)" \
  "$(ca -j fdb show | pvjson "[(e['port'], e.get('remote')) for e in j if e['mac']=='${MAC[h2]}']")" "[('vx0', '$UB')]"
expect_ok "A: fdb show text says 'remote $UB'" sh -c "'$PVLANCTL' -s '$SA' fdb show port vx0 | grep -q '${MAC[h2]} vlan 10 port vx0 dynamic age .* remote $UB'"
expect_eq "B: h1's MAC behind remote $UA" \
  "$(cb -j fdb show | pvjson "[e.get('remote') for e in j if e['mac']=='${MAC[h1]}']")" "['$UA']"
expect_eq "A: entries on local ports carry no remote" \
  "$(ca -j fdb show | pvjson "[e.get('remote') for e in j if e['mac']=='${MAC[h1]}']")" "[None]"
expect_ok "A: remotes_learned >= 1" test "$(PVSOCK=$SA port_field vx0 remotes_learned)" -ge 1

# --- Applications: TCP (HTTP with a checksum, iperf3) and UDP
traffic_file 4
expect_ok "HTTP 4 MiB h2 -> h1 intact (TAP super-frames into the tunnel)" http_ok h2 ${IP[h2]} h1
expect_ok "HTTP 4 MiB h1 -> h2 intact (veth super-frames into the tunnel)" http_ok h1 ${IP[h1]} h2
expect_ok "iperf3 TCP h1 -> h2" tcp_stream_ok h2 ${IP[h2]} h1
expect_ok "UDP echoes 64, 1400, 4000 (fragmented inner) and 1472 bytes" udp_ok h2 ${IP[h2]} h1 64,1400,4000,1472
expect_eq "no tx_error on either vx0" "$(PVSOCK=$SA port_drop vx0 tx_error)/$(PVSOCK=$SB port_drop vx0 tx_error)" 0/0

# --- Counters: the port's and the remote's
rx=$(PVSOCK=$SA port_stat vx0 rx_packets)
expect_ok "A: vx0 rx_packets > 1000 after the transfers ($rx)" test "$rx" -gt 1000
# The hosts' IPv6 control frames keep arriving: the remote's count, read between two
# reads of the port's, lies between them.
remote_rx=$(ca -j port show vx0 | pvjson "j[0]['remotes'][0]['rx_packets']")
rx1=$(PVSOCK=$SA port_stat vx0 rx_packets)
expect_ok "A: the remote's rx_packets are the port's ($rx <= $remote_rx <= $rx1)" \
  test "$rx" -le "$remote_rx" -a "$remote_rx" -le "$rx1"
expect_ok "A: remote tx_packets > 1000, no tx_errors" \
  test "$(ca -j port show vx0 | pvjson "int(j[0]['remotes'][0]['tx_packets'] > 1000 and j[0]['remotes'][0]['tx_errors'] == 0)")" = 1

# --- Private VLANs spanning both switches
ping_ok() { expect_ok "pvlan: $1 -> $2 reachable" can_ping "$1" "${IP[$2]}"; }
ping_ok p1 i2; ping_ok p1 c2; ping_ok p2 i1; ping_ok p2 c1; ping_ok i1 p2; ping_ok c1 c2; ping_ok c2 c1
d0=$(PVSOCK=$SB port_drop si2 pvlan_isolation)
pids=()
for pair in i1:i2 c1:i2 i1:c2 c2:i1; do
  ( cannot_ping "${pair%%:*}" "${IP[${pair#*:}]}" && echo ok >"$T_DIR/blocked-$pair" ) &
  pids+=($!)
done
wait "${pids[@]}"
for pair in i1:i2 c1:i2 i1:c2 c2:i1; do
  expect_ok "pvlan: ${pair%%:*} -> ${pair#*:} blocked" test -f "$T_DIR/blocked-$pair"
done
expect_ok "B: isolated-to-isolated across the tunnel counted pvlan_isolation on si2" \
  test "$(PVSOCK=$SB port_drop si2 pvlan_isolation)" -gt "$d0"
expect_eq "B: i1's MAC learned in VLAN 101 on vx0, behind $UA" \
  "$(cb -j fdb show | pvjson "[(e['port'], e['vlan'], e.get('remote')) for e in j if e['mac']=='${MAC[i1]}']")" "[('vx0', 101, '$UA')]"

# --- Port security on a VXLAN port: B accepts only h1's MAC from the tunnel
expect_ok "B: vx0 forged_transmits reject initial_mac h1" cb port set vx0 forged_transmits reject initial_mac ${MAC[h1]}
d0=$(PVSOCK=$SB port_drop vx0 forged_transmit)
expect_ok "h1 -> h2 still reachable" can_ping h1 ${IP[h2]}
expect_ok "p1 -> p2 refused on B's vx0" cannot_ping p1 ${IP[p2]}
expect_ok "counted forged_transmit on B's vx0" test "$(PVSOCK=$SB port_drop vx0 forged_transmit)" -gt "$d0"
expect_ok "B: vx0 forged_transmits accept" cb port set vx0 forged_transmits accept
expect_ok "p1 -> p2 reachable again" can_ping p1 ${IP[p2]}

# --- Capture on a VXLAN port: the inner frames, as received and sent
"$PVLANCTL" -s "$SB" capture vx0 -w "$T_DIR/vx0.pcapng" vlan and icmp 2>"$T_DIR/capture.err" &
cap=$!
T_PIDS+=("$cap")
sleep 0.5
nsx h1 ping -n -c 3 -i 0.1 -W 1 ${IP[h2]} >/dev/null
sleep 0.3
kill -INT "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
expect_eq "capture vx0: 3 requests in, 3 replies out, as inner frames tagged 10" \
  "$(tcpdump -r "$T_DIR/vx0.pcapng" -n -e 2>/dev/null | grep -c "vlan 10, .*ICMP echo")" 6

# --- The daemons lived through it all
expect_ok "A answers" ca port show vx0
expect_ok "B answers" cb port show vx0
t_done
