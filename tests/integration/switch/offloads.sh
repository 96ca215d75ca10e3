# TCP and UDP through pvland with the interfaces' default offloads (TX checksum, TSO/GSO
# and GRO on, as every user's veths and TAPs have them), over IPv4 and IPv6.
# Topology (pvland in sw; a second pvland in sw2 behind a trunk):
#   h1 -p1-, h2 -p2-  access VLAN 10 (AF_PACKET)      h3 =t3= TAP on VLAN 10, moved into h3
#   gw10 internal on VLAN 10, gw20 internal on VLAN 20: sw routes 10 <-> 20
#   h4 -p4- access VLAN 20                              tr (trunk 10) -- tr2 (trunk 10) in sw2
#   h5 -p5- access VLAN 10 on sw2, so h1 <-> h5 crosses the trunk with a tag inserted by sw
#   and removed by sw2.
# Asserts, per path and address family: an HTTP fetch of a random 4 MiB file arrives with
# the right sha256 in both directions (bulk TCP in GSO super-frames with partial checksums),
# an iperf3 TCP stream moves data, UDP datagrams (64, 1400 and a fragmented 4000 bytes)
# come back intact; the offloads really are on (the ports carried frames larger than the
# MTU, i.e. super-frames were forwarded, not segmented); and a UDP datagram sent with a
# wrong checksum is still dropped by the receiver (UdpInCsumErrors rises), exactly as
# through a Linux bridge: pvland never "fixes" a checksum that was really wrong.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw sw2 h1 h2 h3 h4 h5
for i in 1 2 4; do veth sw p$i h$i eth0; done
veth sw tr sw2 tr2
veth sw2 p5 h5 eth0
traffic_file 4

start_pvland sw
SW_SOCK=$PVSOCK
cat >"$T_DIR/sw.conf" <<'EOF'
port add p1 type netdev vlan 10
port add p2 type netdev vlan 10
port add t3 type tap vlan 10
port add p4 type netdev vlan 20
port add gw10 type internal vlan 10
port add gw20 type internal vlan 20
port add tr type netdev
port set tr mode trunk allowed 10 native none
EOF
expect_ok "sw configured" ctl -b "$T_DIR/sw.conf"
expect_eq "sw ports added" "$(ctl -j port show | pvjson 'len(j)')" 7
nsx sw ip link set t3 netns "$(ns h3)"
nsx h3 ip link set t3 name eth0
nsx h3 ip link set eth0 up
start_pvland sw2
SW2_SOCK=$PVSOCK
ctl -b <(printf 'port add tr2\nport set tr2 mode trunk allowed 10 native none\nport add p5 type netdev vlan 10\n')
PVSOCK=$SW_SOCK

# Addresses: VLAN 10 is 10.10.0.0/24 and fd10::/64, VLAN 20 is 10.20.0.0/24 and fd20::/64;
# sw's internal ports are the gateways.
for i in 1 2 3 5; do
  nsx h$i ip addr add 10.10.0.$i/24 dev eth0
  nsx h$i ip addr add fd10::$i/64 dev eth0 nodad
  nsx h$i ip route add default via 10.10.0.254
  nsx h$i ip -6 route add default via fd10::fe
done
nsx h4 ip addr add 10.20.0.4/24 dev eth0
nsx h4 ip addr add fd20::4/64 dev eth0 nodad
nsx h4 ip route add default via 10.20.0.254
nsx h4 ip -6 route add default via fd20::fe
for g in 10 20; do
  nsx sw ip link set gw$g up
  nsx sw ip addr add 10.$g.0.254/24 dev gw$g
  nsx sw ip addr add fd$g::fe/64 dev gw$g nodad
done
nsx sw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

expect_eq "h1's veth keeps TX checksum offload" \
  "$(nsx h1 ethtool -k eth0 | sed -n 's/^tx-checksumming: \(\w*\).*/\1/p')" on
expect_eq "h1's veth keeps TSO" \
  "$(nsx h1 ethtool -k eth0 | sed -n 's/^tcp-segmentation-offload: \(\w*\).*/\1/p')" on

# path NAME A_NS A_ADDR B_NS B_ADDR: every check between A and B, both ways.
path() {
  local name=$1 a=$2 aa=$3 b=$4 ba=$5
  can_ping "$a" "$ba" >/dev/null  # neighbour resolution first
  expect_ok "$name: HTTP $b -> $a intact" http_ok "$b" "$ba" "$a"
  expect_ok "$name: HTTP $a -> $b intact" http_ok "$a" "$aa" "$b"
  expect_ok "$name: iperf3 TCP stream $a -> $b" tcp_stream_ok "$b" "$ba" "$a"
  expect_ok "$name: UDP echo $a -> $b" udp_ok "$b" "$ba" "$a"
  expect_ok "$name: UDP echo $b -> $a" udp_ok "$a" "$aa" "$b"
}

for fam in 4 6; do
  if [ $fam = 4 ]; then A1=10.10.0.1 A2=10.10.0.2 A3=10.10.0.3 A4=10.20.0.4 A5=10.10.0.5 GW=10.10.0.254
  else A1=fd10::1 A2=fd10::2 A3=fd10::3 A4=fd20::4 A5=fd10::5 GW=fd10::fe; fi
  path "IPv$fam AF_PACKET<->AF_PACKET" h1 $A1 h2 $A2
  path "IPv$fam AF_PACKET<->TAP" h1 $A1 h3 $A3
  path "IPv$fam routed by the internal ports" h1 $A1 h4 $A4
  path "IPv$fam host<->internal port" h2 $A2 sw $GW
  path "IPv$fam across the trunk" h1 $A1 h5 $A5
done

# A port whose link cannot take super-frames or partial checksums (TSO, GSO and TX
# checksum off on pvland's side of h2's veth): the kernel segments and checksums what
# pvland sends there, and the data still arrives intact, both ways.
nsx sw ethtool -K p2 tx off tso off gso off >/dev/null
h2rx() { nsx h2 cat /sys/class/net/eth0/statistics/rx_$1; }
p2_txp=$(port_stat p2 tx_packets) p2_txb=$(port_stat p2 tx_bytes) h2_rxp=$(h2rx packets) h2_rxb=$(h2rx bytes)
expect_ok "h2's link without offloads: HTTP h1 -> h2 intact" http_ok h1 10.10.0.1 h2
expect_ok "h2's link without offloads: HTTP h2 -> h1 intact" http_ok h2 10.10.0.2 h1
expect_ok "h2's link without offloads: IPv6 HTTP h1 -> h2 intact" http_ok h1 fd10::1 h2
rx_avg=$(( ($(h2rx bytes) - h2_rxb) / ($(h2rx packets) - h2_rxp) ))
tx_avg=$(( ($(port_stat p2 tx_bytes) - p2_txb) / ($(port_stat p2 tx_packets) - p2_txp) ))
expect_ok "h2 received MTU-sized segments (average $rx_avg B <= 1514)" test "$rx_avg" -le 1514
expect_ok "pvland sent super-frames to p2 that the kernel cut (average $tx_avg B > 1514)" test "$tx_avg" -gt 1514
nsx sw ethtool -K p2 tx on tso on gso on >/dev/null

# Super-frames crossed pvland as super-frames: a port sent frames larger than the MTU.
big=$(ctl -j stats show | pvjson "max(p['tx_bytes'] // max(p['tx_packets'], 1) for p in j)")
expect_ok "average frame on some port exceeds the 1500-byte MTU (GSO carried, $big B)" test "$big" -gt 1600

# A datagram whose checksum is really wrong must still fail at the receiver.
csum_errors() { nsx h2 nstat -az UdpInCsumErrors | awk '/UdpInCsumErrors/ {print $2}'; }
nsx h2 "$PVT_PY" "$PVT_TRAFFIC" udp-echo 10.10.0.2 7777 &
T_PIDS+=($!)
nsx h2 "$PVT_PY" "$PVT_TRAFFIC" wait-port 10.10.0.2 7777 udp
h2mac=$(nsx h2 cat /sys/class/net/eth0/address)
h1mac=$(nsx h1 cat /sys/class/net/eth0/address)
before=$(csum_errors)
scapy_send h1 eth0 "Ether(src='$h1mac', dst='$h2mac')/IP(src='10.10.0.1', dst='10.10.0.2')/UDP(sport=5555, dport=7777, chksum=0x1234)/Raw(b'x'*32)" 5
sleep 0.5
after=$(csum_errors)
expect_eq "5 bad-checksum datagrams counted as UdpInCsumErrors at h2" "$((after - before))" 5
sniff_start echo h1 eth0 udp and src port 7777
scapy_send h1 eth0 "Ether(src='$h1mac', dst='$h2mac')/IP(src='10.10.0.1', dst='10.10.0.2')/UDP(sport=5555, dport=7777)/Raw(b'x'*32)" 1
sniff_stop echo
expect_eq "the same datagram with a correct checksum is echoed" "$(sniff_count echo)" 1

t_done
