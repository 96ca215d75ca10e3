# pvland's VXLAN port against Linux vxlan devices enslaved to Linux bridges: two kernel
# VTEPs (k1, k2), each pointing at pvland, and one pvland port with both as remotes, over
# an underlay bridge. Inner MTU 1450 everywhere (underlay 1500 - 50), what the kernel's
# vxlan device takes when given its underlay device.
#   u1: pvland, vx0 vni 6200 remote K1 remote K2; h1 behind port s1     10.62.0.1
#   k1: vxk (id 6200 dstport 4789 remote U1) + veth in bridge br0; hk1 10.62.0.11
#   k2: the same;                                                       hk2 10.62.0.12
# Asserts: ping both ways with ARP; a broadcast from h1 reaches both kernel VTEPs' hosts
# (head-end replication: one datagram to each remote), a broadcast from hk1 reaches h1;
# known unicast goes to its remote only; what the wire carries (UDP 4789, source port in
# 49152-65535 from the flow, checksum zero, flags I, the VNI); each side's FDB names the
# other's address (pvland's fdb show, the kernel's bridge fdb); HTTP both ways with its
# sha256, an iperf3 stream, UDP echoes.
source "$PVLAND_TESTLIB"

U1=172.31.62.1 K1=172.31.62.11 K2=172.31.62.12 VNI=6200
mkns ul u1 k1 k2 h1 hk1 hk2
nsx ul ip link add sw type bridge
nsx ul ip link set sw up
for n in u1 k1 k2; do
  veth ul "p$n" "$n" eth0
  nsx ul ip link set "p$n" master sw
done
nsx u1 ip addr add $U1/24 dev eth0
nsx k1 ip addr add $K1/24 dev eth0
nsx k2 ip addr add $K2/24 dev eth0

declare -A IP=([h1]=10.62.0.1 [hk1]=10.62.0.11 [hk2]=10.62.0.12)
declare -A MAC=([h1]=02:62:00:00:00:01 [hk1]=02:62:00:00:00:11 [hk2]=02:62:00:00:00:12)
for k in k1 k2; do
  # With its underlay device given, the kernel sets the vxlan device's MTU to that
  # device's - 50.
  nsx $k ip link add vxk type vxlan id $VNI dstport 4789 local "$(nsx $k ip -4 -br addr show eth0 | awk '{print $3}' | cut -d/ -f1)" remote $U1 dev eth0
  nsx $k ip link add br0 type bridge
  nsx $k ip link set vxk master br0
  veth $k s h$k eth0
  nsx $k ip link set s master br0
  nsx $k ip link set vxk up
  nsx $k ip link set br0 up
done
veth u1 s1 h1 eth0
for h in h1 hk1 hk2; do
  host_addr $h eth0 "${IP[$h]}/24" "${MAC[$h]}"
  nsx $h ip link set eth0 mtu 1450
  nsx $h sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
done
expect_eq "the kernel vxlan device's MTU is 1450" "$(nsx k1 cat /sys/class/net/vxk/mtu)" 1450

start_pvland u1
expect_ok "port add s1" ctl port add s1
expect_ok "port add vx0 type vxlan vni $VNI remote $K1 remote $K2" ctl port add vx0 type vxlan vni $VNI remote $K1 remote $K2

# --- ARP and ping both ways
expect_ok "h1 -> hk1" can_ping h1 ${IP[hk1]}
expect_ok "hk2 -> h1" can_ping hk2 ${IP[h1]}
expect_ok "hk1 -> h1" can_ping hk1 ${IP[h1]}
expect_eq "hk1 resolved h1's MAC through the kernel vxlan device" \
  "$(nsx hk1 ip -j neigh show ${IP[h1]} | pvjson "j[0]['lladdr']")" "${MAC[h1]}"

# --- Broadcast, and head-end replication: one datagram per remote
sniff_start ul-k1 ul pk1 udp port 4789
sniff_start ul-k2 ul pk2 udp port 4789
# vxlan_count TAG [FILTER]: datagrams captured (-e prints the inner frame on a line of its
# own, which sniff_count would count too).
vxlan_count() { local tag=$1; shift; sniff_show "$tag" "$@" | grep -c 'VXLAN'; }
# The echo request to 10.62.0.255 inside a datagram from pvland (VXLAN header at udp[8],
# the inner frame at udp[16], its IPv4 header at udp[30]).
BCAST_REQ="src host $U1 and udp dst port 4789 and udp[28:2] = 0x0800 and udp[46:4] = 0x0a3e00ff and udp[50] = 8"
# responders NS: the other hosts that answered a broadcast ping from NS within a second
# (the sender answers its own too).
responders() {
  nsx $1 ping -n -b -w 1 -i 0.5 10.62.0.255 2>/dev/null | sed -n 's/.* from \(10\.62\.0\.[0-9]*\):.*/\1/p' |
    grep -vx "${IP[$1]}" | sort -u | tr '\n' ' '
}
nsx h1 ping -n -b -w 1 -i 0.5 10.62.0.255 >"$T_DIR/bping" 2>/dev/null
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T_DIR/bping")
expect_eq "ping -b from h1: answered by hk1 and hk2" \
  "$(sed -n 's/.* from \(10\.62\.0\.[0-9]*\):.*/\1/p' "$T_DIR/bping" | grep -vx "${IP[h1]}" | sort -u | tr '\n' ' ')" \
  "${IP[hk1]} ${IP[hk2]} "
sniff_stop ul-k1 ul-k2
expect_eq "each of the $sent broadcast echo requests went to k1 once" "$(vxlan_count ul-k1 "$BCAST_REQ")" "$sent"
expect_eq "... and to k2 once" "$(vxlan_count ul-k2 "$BCAST_REQ")" "$sent"
expect_eq "ping -b from hk1: answered by h1 only (pvland does not send it back into the tunnel)" \
  "$(responders hk1)" "${IP[h1]} "

# --- Known unicast: to its remote only; and what is on the wire
sniff_start ul-k1 ul pk1 udp port 4789
sniff_start ul-k2 ul pk2 udp port 4789
nsx h1 ping -n -c 3 -i 0.1 -W 1 ${IP[hk1]} >/dev/null
sniff_stop ul-k1 ul-k2
ECHO_REQ="src host $U1 and udp[28:2] = 0x0800 and udp[50] = 8"
expect_eq "echo requests to hk1 are not sent to k2" "$(vxlan_count ul-k2 "$ECHO_REQ")" 0
expect_eq "3 requests to k1" "$(vxlan_count ul-k1 "$ECHO_REQ")" 3
wire=$(sniff_show_all ul-k1 -vv "$ECHO_REQ")
echo "$wire" | head -4 >&3
expect_ok "outer UDP to port 4789 with no checksum, VXLAN flags I, the VNI" \
  grep -q "$U1\.[0-9]* > $K1\.4789: \[no cksum\] VXLAN, flags \[I\] (0x08), vni $VNI" <<<"$wire"
sports=$(sniff_show_all ul-k1 "$ECHO_REQ" | sed -n "s/.*$U1\.\([0-9]*\) > $K1\.4789.*/\1/p" | sort -u)
expect_eq "one source port for the flow" "$(echo "$sports" | wc -l)" 1
expect_ok "source port $sports in 49152-65535" test "$sports" -ge 49152 -a "$sports" -le 65535
expect_ok "the inner frame is h1's echo request" grep -q "${MAC[h1]} > ${MAC[hk1]}, ethertype IPv4 (0x0800).*${IP[h1]} > ${IP[hk1]}: ICMP echo request" <<<"$(tr '\n' ' ' <<<"$wire")"

# --- Each side's FDB knows the other's address
expect_eq "pvland: hk1 behind $K1, hk2 behind $K2" \
  "$(ctl -j fdb show port vx0 | pvjson "sorted((e['mac'], e.get('remote')) for e in j if e['mac'] in ('${MAC[hk1]}', '${MAC[hk2]}'))")" \
  "[('${MAC[hk1]}', '$K1'), ('${MAC[hk2]}', '$K2')]"
expect_ok "kernel k1: h1's MAC learned on vxk with dst $U1" \
  sh -c "ip netns exec '$(ns k1)' bridge fdb show dev vxk | grep -q '^${MAC[h1]} dst $U1 '"

# --- Applications
traffic_file 4
expect_ok "HTTP 4 MiB hk1 -> h1 intact" http_ok hk1 ${IP[hk1]} h1
expect_ok "HTTP 4 MiB h1 -> hk2 intact" http_ok h1 ${IP[h1]} hk2
expect_ok "iperf3 TCP h1 -> hk1" tcp_stream_ok hk1 ${IP[hk1]} h1
expect_ok "UDP echoes hk2 <- h1 (64, 1400 and 4000 bytes, fragmented inside)" udp_ok hk2 ${IP[hk2]} h1
expect_eq "no tx_error on vx0" "$(port_drop vx0 tx_error)" 0
expect_eq "no kernel vxlan RX errors on k1" "$(nsx k1 cat /sys/class/net/vxk/statistics/rx_errors)" 0
expect_ok "pvland answers" ctl port show vx0
t_done
