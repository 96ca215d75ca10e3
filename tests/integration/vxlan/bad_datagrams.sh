# Datagrams a VXLAN port must refuse, sent with python from another namespace to its
# dstport: another VNI, the I flag clear, the G (group policy) flag set, too short for a
# header and an Ethernet header, empty. Each is counted under its reason on the port
# (vxlan_wrong_vni, vxlan_malformed), `why` explains it, nothing is learned from them,
# and the daemon goes on forwarding (a good datagram after a burst of junk still reaches
# the host behind the switch).
source "$PVLAND_TESTLIB"

U1=172.31.64.1 S=172.31.64.2 VNI=6400
mkns u1 snd h1
veth u1 eth0 snd eth0
nsx u1 ip addr add $U1/24 dev eth0
nsx snd ip addr add $S/24 dev eth0
veth u1 s1 h1 eth0
host_addr h1 eth0 10.64.0.1/24 02:64:00:00:00:01
start_pvland u1
expect_ok "port add s1" ctl port add s1
expect_ok "port add vx0" ctl port add vx0 type vxlan vni $VNI remote $S

# send KIND COUNT: KIND datagrams to U1:4789 from snd. The inner frame is a broadcast from
# 02:64:00:00:00:99 (an ARP request for 10.64.0.1), which h1 would answer.
send() {
  pyx snd '
import socket, struct, sys
kind, count, vni = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
src = bytes.fromhex("026400000099")
arp = bytes.fromhex("0001080006040001") + src + bytes([10, 64, 0, 99]) + bytes(6) + bytes([10, 64, 0, 1])
inner = b"\xff" * 6 + src + b"\x08\x06" + arp
def hdr(flags, v): return bytes([flags, 0, 0, 0]) + struct.pack(">I", v << 8)
d = {"good": hdr(0x08, vni) + inner, "vni": hdr(0x08, vni + 1) + inner, "noi": hdr(0x00, vni) + inner,
     "gbp": hdr(0x88, vni) + inner, "short": hdr(0x08, vni) + inner[:13], "empty": b"",
     "random": bytes(range(256)) * 4}[kind]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(count):
    s.sendto(d, (sys.argv[4], 4789))
' "$1" "$2" $VNI $U1
}

send vni 3; send noi 2; send gbp 1; send short 2; send empty 1; send random 1
wait_until 3 test "$(port_drop vx0 vxlan_malformed)" = 7
expect_eq "another VNI: 3 counted vxlan_wrong_vni" "$(port_drop vx0 vxlan_wrong_vni)" 3
expect_eq "I clear, G set, short, empty, random: 7 counted vxlan_malformed" "$(port_drop vx0 vxlan_malformed)" 7
expect_eq "vx0 received 10 datagrams" "$(port_stat vx0 rx_packets)" 10
expect_eq "nothing learned from them" "$(ctl -j fdb show port vx0 | pvjson 'len(j)')" 0
expect_eq "the remote they came from counted them" \
  "$(ctl -j port show vx0 | pvjson "j[0]['remotes'][0]['rx_packets']")" 10
expect_ok "why explains vxlan_wrong_vni" sh -c "'$PVLANCTL' -s '$PVSOCK' why vx0 -n 20 | grep -q 'carries another VNI than the port'"
expect_ok "why explains vxlan_malformed" sh -c "'$PVLANCTL' -s '$PVSOCK' why vx0 -n 20 | grep -q 'the I flag (VNI valid) clear'"

# A burst of junk, then one good datagram: it is still forwarded and learned.
send random 500; send vni 500
sniff_start arp h1 eth0 arp
send good 1
wait_until 3 test "$(ctl -j fdb show port vx0 | pvjson 'len(j)')" = 1
sniff_stop arp
expect_eq "the good datagram's ARP request reached h1" "$(sniff_count arp "ether src 02:64:00:00:00:99")" 1
expect_eq "its sender learned behind $S" \
  "$(ctl -j fdb show port vx0 | pvjson "[(e['mac'], e.get('remote')) for e in j]")" "[('02:64:00:00:00:99', '$S')]"
expect_eq "the burst counted: 503 wrong VNI" "$(port_drop vx0 vxlan_wrong_vni)" 503
expect_eq "... and 507 malformed" "$(port_drop vx0 vxlan_malformed)" 507
expect_eq "nothing lost by the socket" "$(port_drop vx0 rx_ring_full)" 0
expect_ok "pvland answers" ctl port show vx0
expect_eq "pvland still runs" "$(pvland_pid u1 >/dev/null && echo yes)" yes
t_done
