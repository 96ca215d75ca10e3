# Mirroring against the kernel, the reference for the encapsulation (docs/mirroring.md §5):
# the same frames cross a Linux bridge whose port has `tc ... action mirred egress mirror`
# in both directions onto a kernel vxlan device (VNI 4242, dstport 4789), and a pvland
# port with a session (VNI 4242, one accept-all rule). At the target:
# Asserts: both mirror streams carry the scapy-made probes (IPv4 ICMP, UDP, TCP, IPv6
# UDP, each way) byte for byte as they were sent, in the same order, with VNI 4242,
# flags 0x08, reserved bits zero and destination port 4789; tshark decodes pvland's stream
# as VXLAN with the same inner frames; UDP datagrams from a socket (offloads on) are the
# same inner frames in both streams once the inner checksums are set aside (see below),
# and pvland's inner checksum is right; a kernel vxlan device in the target namespace
# receives pvland's copies as ordinary frames, byte for byte the probes.
#
# Normalised, and why, for datagrams sent from a socket only: the inner UDP checksum. With
# TX checksum offload on (the veth default) the sender's kernel leaves it partial
# (CHECKSUM_PARTIAL: the field holds the pseudo-header's sum); tc mirred hands that skb to
# the vxlan device, which encapsulates it as it is, so the copy reaches the target with
# the field never filled in. pvland completes the checksum before encapsulating, as a NIC
# would on the source port's wire (checked). Also the IPv4 identification and header
# checksum: the two senders are different namespaces, whose kernels number datagrams
# independently. Nothing else; scapy's frames carry full checksums and are compared whole.
source "$PVLAND_TESTLIB"
need_scapy
HERE=$(cd "$(dirname "$0")" && pwd)
VXPCAP="$HERE/vxlan_pcap.py"
VNI=4242
MAC1=02:00:00:00:00:01 MAC2=02:00:00:00:00:02

# Two copies of one LAN: k1 -- [Linux bridge in kb] -- k2 and p1h -- [pvland in sw] -- p2h,
# the same MACs and addresses on both; each switch namespace reaches the target tgt
# over its own link (MTU 9000, so no copy is fragmented).
mkns kb sw k1 k2 p1h p2h tgt
veth k1 eth0 kb kp1
veth k2 eth0 kb kp2
veth p1h eth0 sw p1
veth p2h eth0 sw p2
veth kb up0 tgt ek
veth sw up0 tgt ep
for pair in "kb up0" "sw up0" "tgt ek" "tgt ep"; do set -- $pair; nsx "$1" ip link set "$2" mtu 9000; done
nsx kb ip addr add 198.51.100.2/24 dev up0
nsx tgt ip addr add 198.51.100.9/24 dev ek
nsx sw ip addr add 192.0.2.1/24 dev up0
nsx tgt ip addr add 192.0.2.9/24 dev ep
for side in "k1 k2" "p1h p2h"; do
  set -- $side
  host_addr "$1" eth0 10.0.0.1/24 $MAC1
  host_addr "$2" eth0 10.0.0.2/24 $MAC2
  # Probes go to addresses nobody has (a host drops them without an answer), through
  # static neighbours: no ARP, no ICMP error, nothing but the probes.
  nsx "$1" ip neigh replace 10.0.0.99 lladdr $MAC2 dev eth0 nud permanent
  nsx "$2" ip neigh replace 10.0.0.98 lladdr $MAC1 dev eth0 nud permanent
done

nsx kb ip link add br0 type bridge
nsx kb ip link set kp1 master br0
nsx kb ip link set kp2 master br0
nsx kb ip link set br0 up
nsx kb ip link add vx0 type vxlan id $VNI remote 198.51.100.9 local 198.51.100.2 dstport 4789 nolearning
nsx kb ip link set vx0 mtu 8950 up
nsx kb tc qdisc add dev kp1 clsact
nsx kb tc filter add dev kp1 ingress u32 match u32 0 0 action mirred egress mirror dev vx0
nsx kb tc filter add dev kp1 egress u32 match u32 0 0 action mirred egress mirror dev vx0

start_pvland sw
ctl port add p1 >/dev/null
ctl port add p2 >/dev/null
ctl mirror add m1 source p1 target 192.0.2.9 vni $VNI >/dev/null
ctl mirror rule add m1 number 100 accept >/dev/null
expect_eq "session configured" "$(ctl -j mirror show m1 | pvjson 'j[0]["vni"], j[0]["dstport"], j[0]["direction"]')" \
  "4242 4789 both"

# same_lines WHAT FILE WANT: FILE holds exactly WANT's lines (long hex: a diff on failure).
same_lines() {
  if cmp -s "$2" "$3"; then pass "$1 ($(wc -l <"$3") frames)"; else fail "$1:"; diff "$2" "$3" | cut -c1-160 | head; fi
}

# send NS IF TAG EXPR...: scapy frames out of IF in NS; their bytes saved to $T_DIR/TAG.hex.
send() {
  local n=$1 ifc=$2 tag=$3; shift 3
  pyx "$n" "
import socket, sys, time
from scapy.layers.l2 import Ether
from scapy.layers.inet import IP, UDP, TCP, ICMP
from scapy.layers.inet6 import IPv6
from scapy.packet import Raw
frames = [bytes(eval(e)) for e in sys.argv[3:]]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
with open(sys.argv[2], 'w') as out:
    for f in frames:
        s.send(f)
        out.write(f.hex() + '\n')
        time.sleep(0.02)
" "$ifc" "$T_DIR/$tag.hex" "$@"
}
M="b'pvt-mirror-probe '"
FWD=(
  "Ether(dst='$MAC2', src='$MAC1')/IP(src='10.0.0.1', dst='10.0.0.99', id=1)/ICMP(id=7, seq=1)/Raw($M*3)"
  "Ether(dst='$MAC2', src='$MAC1')/IP(src='10.0.0.1', dst='10.0.0.99', id=2)/UDP(sport=5000, dport=6000)/Raw($M*40)"
  "Ether(dst='$MAC2', src='$MAC1')/IP(src='10.0.0.1', dst='10.0.0.99', id=3)/TCP(sport=5001, dport=80, flags='S', seq=1000)/Raw($M)"
  "Ether(dst='$MAC2', src='$MAC1')/IPv6(src='fd00::1', dst='fd00::99')/UDP(sport=5002, dport=6002)/Raw($M*2)"
)
BACK=(
  "Ether(dst='$MAC1', src='$MAC2')/IP(src='10.0.0.2', dst='10.0.0.98', id=4)/ICMP(type=0, id=7, seq=1)/Raw($M*3)"
  "Ether(dst='$MAC1', src='$MAC2')/IP(src='10.0.0.2', dst='10.0.0.98', id=5)/UDP(sport=6000, dport=5000)/Raw($M*9)"
  "Ether(dst='$MAC1', src='$MAC2')/IP(src='10.0.0.2', dst='10.0.0.98', id=6, flags='DF')/TCP(sport=80, dport=5001, flags='SA')/Raw($M)"
  "Ether(dst='$MAC1', src='$MAC2')/IPv6(src='fd00::2', dst='fd00::98')/UDP(sport=6002, dport=5002)/Raw($M)"
)
# sock_send NS: 3 UDP datagrams from a socket (offloads on: checksum left partial).
sock_send() {
  pyx "$1" "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.0.0.1', 5555))
for i in range(3):
    s.sendto(b'pvt-mirror-sock %d ' % i * 20, ('10.0.0.99', 6000))
    time.sleep(0.02)
"
}

sniff_start kern tgt ek udp port 4789
sniff_start pvl tgt ep udp port 4789
for side in "k1 k2 kern" "p1h p2h pvl"; do
  set -- $side
  send "$1" eth0 "$3-fwd" "${FWD[@]}"
  send "$2" eth0 "$3-back" "${BACK[@]}"
  sock_send "$1"
done
sniff_stop kern pvl
cat "$T_DIR/pvl-fwd.hex" "$T_DIR/pvl-back.hex" >"$T_DIR/probes.hex"
expect_eq "both sides sent the same probe bytes" "$(cat "$T_DIR/kern-fwd.hex" "$T_DIR/kern-back.hex" | md5sum)" \
  "$(md5sum <"$T_DIR/probes.hex")"

"$PVT_PY" "$VXPCAP" list "$T_DIR/kern.pcap" >"$T_DIR/kern.json"
"$PVT_PY" "$VXPCAP" list "$T_DIR/pvl.pcap" >"$T_DIR/pvl.json"

# The mirror stream's datagrams whose inner frame is a probe, as "VNI FLAGS RESERVED_ZERO
# DPORT INNER_HEX" lines; the socket datagrams with their inner UDP checksum zeroed.
probes() {
  "$PVT_PY" - "$1" "$2" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    inner = bytes.fromhex(d["inner"])
    if sys.argv[2] == "probes" and b"pvt-mirror-probe" in inner:
        print(d["vni"], hex(d["flags"]), d["reserved_zero"], d["dport"], d["inner"])
    if sys.argv[2] == "sock" and b"pvt-mirror-sock" in inner:
        i = d["inner_info"]
        norm = bytearray(inner)
        norm[14 + 4:14 + 6] = b"\0\0"  # the IPv4 identification (untagged, no options)
        norm[14 + 10:14 + 12] = b"\0\0"  # the IPv4 header checksum over it
        norm[14 + 20 + 6:14 + 20 + 8] = b"\0\0"  # the UDP checksum
        print(d["vni"], hex(d["flags"]), d["dport"], norm.hex())
EOF
}
probes "$T_DIR/kern.json" probes >"$T_DIR/kern.probes"
probes "$T_DIR/pvl.json" probes >"$T_DIR/pvl.probes"
N=$(($(wc -l <"$T_DIR/probes.hex")))
expect_eq "the kernel mirrored every probe" "$(wc -l <"$T_DIR/kern.probes")" "$N"
expect_eq "pvland mirrored every probe" "$(wc -l <"$T_DIR/pvl.probes")" "$N"
awk '{print $5}' "$T_DIR/pvl.probes" >"$T_DIR/pvl.inner"
same_lines "pvland's inner frames are the probes as sent, in order" "$T_DIR/pvl.inner" "$T_DIR/probes.hex"
if cmp -s "$T_DIR/kern.probes" "$T_DIR/pvl.probes"; then
  pass "inner frames, VNI, flags, reserved bits and destination port: kernel and pvland byte for byte"
else
  fail "kernel and pvland differ:"
  diff "$T_DIR/kern.probes" "$T_DIR/pvl.probes" | head -20
fi
expect_eq "VNI 4242, flags 0x08, reserved zero, dport 4789 on every probe" \
  "$(awk '{print $1, $2, $3, $4}' "$T_DIR/pvl.probes" | sort -u)" "4242 0x8 True 4789"

probes "$T_DIR/kern.json" sock >"$T_DIR/kern.sock"
probes "$T_DIR/pvl.json" sock >"$T_DIR/pvl.sock"
expect_eq "socket datagrams mirrored by both" "$(wc -l <"$T_DIR/kern.sock") $(wc -l <"$T_DIR/pvl.sock")" "3 3"
if [ -s "$T_DIR/pvl.sock" ] && cmp -s "$T_DIR/kern.sock" "$T_DIR/pvl.sock"; then
  pass "socket datagrams: the same inner frames once the checksums and IPv4 ID are set aside"
else
  fail "socket datagrams differ beyond the checksums and IPv4 ID:"
  diff "$T_DIR/kern.sock" "$T_DIR/pvl.sock" | head -10
fi
sock_csums() {  # JSON: the inner UDP checksums' validity of the socket datagrams
  "$PVT_PY" -c '
import json, sys
print(" ".join(str(json.loads(l)["inner_info"]["l4_csum_ok"]) for l in open(sys.argv[1])
               if b"pvt-mirror-sock" in bytes.fromhex(json.loads(l)["inner"])))' "$1"
}
expect_eq "pvland's inner UDP checksums are right" "$(sock_csums "$T_DIR/pvl.json")" "True True True"
echo "  (the kernel's copies of the same datagrams: inner UDP checksum right? $(sock_csums "$T_DIR/kern.json"))"

# tshark decodes pvland's stream as VXLAN: flags, VNI, reserved bits, the inner MACs.
tshark -r "$T_DIR/pvl.pcap" -d udp.port==4789,vxlan -E occurrence=l -T fields -e vxlan.flags -e vxlan.vni \
  -e vxlan.gbp -e vxlan.reserved8 -e eth.src -e eth.dst -Y 'vxlan && frame contains "pvt-mirror-probe"' \
  2>/dev/null >"$T_DIR/tshark.txt"
expect_eq "tshark: every probe as VXLAN, Flags 0x0800, VNI 4242, Group Policy ID 0, reserved 0" \
  "$(cut -f1-4 "$T_DIR/tshark.txt" | sort | uniq -c | awk '{print $1, $2, $3, $4, $5}')" "$N 0x0800 4242 0 0"
expect_eq "tshark: the inner Ethernet headers are the probes'" "$(cut -f5,6 "$T_DIR/tshark.txt")" \
  "$("$PVT_PY" -c '
import sys
mac = lambda h: ":".join(h[i:i + 2] for i in range(0, 12, 2))
for l in open(sys.argv[1]):
    print(mac(l[12:24]) + "\t" + mac(l[0:12]))' "$T_DIR/probes.hex")"

# A kernel vxlan device in the target namespace takes pvland's copies as ordinary frames.
nsx kb tc filter del dev kp1 ingress
nsx kb tc filter del dev kp1 egress
nsx tgt ip link add vxr type vxlan id $VNI dstport 4789 local 192.0.2.9 nolearning
nsx tgt ip link set vxr up
sniff_start dec tgt vxr
send p1h eth0 again-fwd "${FWD[@]}"
send p2h eth0 again-back "${BACK[@]}"
sniff_stop dec
"$PVT_PY" "$VXPCAP" frames "$T_DIR/dec.pcap" | "$PVT_PY" -c '
import json, sys
for l in sys.stdin:
    f = json.loads(l)["frame"]
    if "pvt-mirror-probe".encode().hex() in f:
        print(f)' >"$T_DIR/dec.frames"
same_lines "the vxlan device received every probe, byte for byte, in order" "$T_DIR/dec.frames" "$T_DIR/probes.hex"
expect_ok "and counted them as received" test "$(nsx tgt cat /sys/class/net/vxr/statistics/rx_packets)" -ge "$N"
expect_eq "pvland counted every copy it sent, lost none" \
  "$(ctl -j mirror show m1 | pvjson 'j[0]["lost"], j[0]["segmentation_errors"], j[0]["tx_packets"] >= 2 * '"$N"' + 3')" \
  "0 0 True"
t_done
