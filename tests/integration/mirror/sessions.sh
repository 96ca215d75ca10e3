# Mirror sessions as a target sees them (docs/mirroring.md; policies.md §3.11 M1-M6, M12),
# decoded by tshark (-d udp.port==4789,vxlan) and by vxlan_pcap.py.
# Asserts: a session both ways mirrors ping's echo requests (egress) and replies (ingress),
# VNI 100, flags 0x0800, dport 4789, each inner frame byte for byte the frame h1's
# interface saw, ARP and IPv6 control frames never (the rule says icmp); the rule's hits,
# the session's tx_packets and the datagrams at the target agree; a session's direction
# egress, and a rule's direction ingress, keep only their half; length 100 cuts a 1000-byte
# datagram's inner frame to exactly 100 bytes (outer IPv4 total length 136, truncated
# counted); two sessions by number (M5): HTTP copies reach only target X with VNI 1,
# other TCP only target Y with VNI 2, no frame reaches both, and a third session without
# rules sends nothing; a trunk port's copies carry its 802.1Q tag both ways, the egress ones
# as sent and the ingress ones as the trunk's host received them; a frame forged_transmits
# reject drops is not mirrored (hits and counters unchanged) while the port's own frames
# still are; bad input (a name or number in use, an unknown port, a VNI, length, prefix or
# range out of bounds, ports without TCP or UDP, deleting a session's source port) is
# refused by pvlanctl with the reason and changes nothing.
source "$PVLAND_TESTLIB"
need_scapy
HERE=$(cd "$(dirname "$0")" && pwd)
VXPCAP="$HERE/vxlan_pcap.py"
MAC1=02:00:00:00:00:01 MAC2=02:00:00:00:00:02 MAC3=02:00:00:00:00:03 MAC4=02:00:00:00:00:04

mkns sw h1 h2 h3 h4 tgt
veth h1 eth0 sw p1
veth h2 eth0 sw p2
veth h3 eth0 sw t3
veth h4 eth0 sw p4
veth sw up0 tgt eth0
nsx sw ip link set up0 mtu 9000
nsx tgt ip link set eth0 mtu 9000
nsx sw ip addr add 192.0.2.1/24 dev up0
nsx tgt ip addr add 192.0.2.9/24 dev eth0
nsx tgt ip addr add 192.0.2.10/24 dev eth0
host_addr h1 eth0 10.0.0.1/24 $MAC1
host_addr h2 eth0 10.0.0.2/24 $MAC2
host_addr h4 eth0 10.0.10.4/24 $MAC4
nsx h3 ip link set eth0 address $MAC3
# h3 speaks VLAN 10 through scapy only (no 8021q here): h4 answers it by a static entry.
nsx h4 ip neigh replace 10.0.10.3 lladdr $MAC3 dev eth0 nud permanent

start_pvland sw
ctl port add p1 >/dev/null
ctl port add p2 >/dev/null
ctl port add t3 type netdev mode trunk allowed 10 >/dev/null
ctl port add p4 type netdev vlan 10 >/dev/null
expect_ok "h1 reaches h2 through pvland" can_ping h1 10.0.0.2

# Every step below: start the target's capture, make traffic, stop; $T_DIR/TAG.json lists
# the datagrams (vxlan_pcap.py list), one JSON object a line.
# (a 64 MiB capture buffer: tcpdump's default loses frames of a burst on a busy machine)
capture() { sniff_start "$1" tgt eth0 -B 65536 udp port 4789; }
decoded() { sniff_stop "$1"; "$PVT_PY" "$VXPCAP" list "$T_DIR/$1.pcap" >"$T_DIR/$1.json"; }
# count TAG [PYTHON CONDITION over d]: datagrams of TAG.json for which it holds.
count() {
  "$PVT_PY" -c "
import json, sys
n = 0
for l in open(sys.argv[1]):
    d = json.loads(l); i = d['inner_info']
    n += bool($([ -n "${2:-}" ] && echo "$2" || echo True))
print(n)" "$T_DIR/$1.json"
}
session() { ctl -j mirror show "$1" | pvjson "$2"; }
tsh() { local tag=$1; shift; tshark -r "$T_DIR/$tag.pcap" -d udp.port==4789,vxlan "$@" 2>/dev/null; }

echo "== M1: ping both ways, rule accept icmp"
ctl mirror add s1 source p1 target 192.0.2.9 vni 100 >/dev/null
ctl mirror rule add s1 number 10 accept protocol icmp >/dev/null
nsx h1 ip neigh flush dev eth0
capture m1
sniff_start h1 h1 eth0 icmp
nsx h1 ping -n -c 3 -i 0.2 -W 1 10.0.0.2 >/dev/null
sniff_stop h1
decoded m1
expect_eq "6 datagrams: 3 echo requests, 3 replies" "$(count m1)" 6
expect_eq "tshark: VNI, flags and ICMP type of each" \
  "$(tsh m1 -T fields -e vxlan.vni -e vxlan.flags -e udp.dstport -e icmp.type | sort | uniq -c | awk '{print $1, $2, $3, $4, $5}' | tr '\n' ';')" \
  "3 100 0x0800 4789 0;3 100 0x0800 4789 8;"
"$PVT_PY" -c '
import json, sys
for l in open(sys.argv[1]): print(json.loads(l)["frame"])' <("$PVT_PY" "$VXPCAP" frames "$T_DIR/h1.pcap") >"$T_DIR/h1.frames"
"$PVT_PY" -c '
import json, sys
for l in open(sys.argv[1]): print(json.loads(l)["inner"])' "$T_DIR/m1.json" >"$T_DIR/m1.inner"
if cmp -s "$T_DIR/h1.frames" "$T_DIR/m1.inner"; then
  pass "inner frames are byte for byte what h1's interface saw, in order"
else
  fail "inner frames differ from h1's capture:"; diff "$T_DIR/h1.frames" "$T_DIR/m1.inner" | cut -c1-150 | head
fi
expect_eq "no ARP, no IPv6 among them" "$(count m1 "i['ethertype'] != 0x0800")" 0
expect_eq "rule hits, tx_packets, lost" "$(session s1 'j[0]["rules"][0]["hits"], j[0]["tx_packets"], j[0]["lost"]')" "6 6 0"
expect_eq "the outer source port follows the inner flow: one per direction" \
  "$("$PVT_PY" -c '
import json, sys
ports = {}
for l in open(sys.argv[1]):
    d = json.loads(l)
    ports.setdefault(d["inner_info"]["src"], set()).add(d["sport"])
print(" ".join("%s:%d" % (k, len(v)) for k, v in sorted(ports.items())), all(49152 <= p <= 65535 for v in ports.values() for p in v))' "$T_DIR/m1.json")" \
  "10.0.0.1:1 10.0.0.2:1 True"

echo "== directions: the session's egress, a rule's ingress"
ctl mirror del s1 >/dev/null
ctl mirror add out source p1 direction egress target 192.0.2.9 vni 101 >/dev/null
ctl mirror rule add out number 10 accept protocol icmp >/dev/null
ctl mirror add in source p1 target 192.0.2.9 vni 102 >/dev/null
ctl mirror rule add in number 10 accept direction ingress protocol icmp >/dev/null
capture dir
nsx h1 ping -n -c 2 -i 0.2 -W 1 10.0.0.2 >/dev/null
decoded dir
expect_eq "egress session: the 2 echo requests only" "$(count dir "d['vni'] == 101 and d['inner'][68:70] == '08'") $(count dir "d['vni'] == 101")" "2 2"
expect_eq "ingress rule: the 2 replies only" "$(count dir "d['vni'] == 102 and d['inner'][68:70] == '00'") $(count dir "d['vni'] == 102")" "2 2"
ctl mirror del out >/dev/null
ctl mirror del in >/dev/null

echo "== M6: length 100"
ctl mirror add cut source p1 direction egress target 192.0.2.9 vni 103 length 100 >/dev/null
ctl mirror rule add cut number 10 accept protocol udp >/dev/null
capture cut
pyx h1 "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'x' * 1000, ('10.0.0.2', 9))"
sleep 0.2
decoded cut
expect_eq "one datagram, inner frame exactly 100 bytes, outer IPv4 total length 136" \
  "$("$PVT_PY" -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l); print(len(d["inner"]) // 2, d["total_len"], d["udp_len"])' "$T_DIR/cut.json")" "100 136 116"
expect_eq "tshark: VNI 103, a 100-byte Ethernet frame of a 1028-byte IPv4 datagram" \
  "$(tsh cut -E occurrence=l -T fields -e vxlan.vni -e ip.len -e frame.len | awk '{print $1, $2}')" "103 1028"
expect_eq "truncated counted" "$(session cut 'j[0]["truncated"], j[0]["tx_packets"], j[0]["tx_bytes"]')" "1 1 100"
ctl mirror del cut >/dev/null

echo "== M5: sessions by number, two targets; M4: a session without rules"
ctl mirror add tcp source p1 target 192.0.2.10 vni 2 number 2 >/dev/null
ctl mirror add web source p1 target 192.0.2.9 vni 1 number 1 >/dev/null
ctl mirror add idle source p1 target 192.0.2.9 vni 3 number 3 >/dev/null
ctl mirror rule add web number 10 accept protocol tcp dport 8080 >/dev/null
ctl mirror rule add web number 20 accept protocol tcp sport 8080 >/dev/null
ctl mirror rule add tcp number 10 accept protocol tcp >/dev/null
traffic_file 1
capture m5
expect_ok "HTTP from h1 to h2:8080" http_ok h2 10.0.0.2 h1
nsx h2 "$PVT_PY" -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.0.0.2', 9000)); s.listen(1); s.settimeout(10)
c, _ = s.accept()
while c.recv(65536): pass" &
SRV=$!
nsx h2 "$PVT_PY" "$PVT_TRAFFIC" wait-port 10.0.0.2 9000 tcp
expect_ok "other TCP from h1 to h2:9000" pyx h1 "
import socket
c = socket.create_connection(('10.0.0.2', 9000), timeout=5)
c.sendall(b'y' * 20000); c.close()"
wait $SRV
decoded m5
HTTP="8080 in (i['sport'], i['dport'])"
expect_ok "HTTP copies reach X (VNI 1): $(count m5 "d['vni'] == 1")" test "$(count m5 "d['vni'] == 1")" -gt 10
expect_eq "every copy to X is HTTP, with VNI 1" "$(count m5 "d['outer_dst'] == '192.0.2.9' and not ($HTTP and d['vni'] == 1)")" 0
expect_ok "other TCP reaches Y (VNI 2): $(count m5 "d['vni'] == 2")" test "$(count m5 "d['vni'] == 2 and 9000 in (i['sport'], i['dport'])")" -gt 2
expect_eq "no HTTP copy reaches Y" "$(count m5 "d['outer_dst'] == '192.0.2.10' and ($HTTP or d['vni'] != 2)")" 0
expect_eq "no frame reaches both" "$("$PVT_PY" -c '
import json, sys
x, y = set(), set()
for l in open(sys.argv[1]):
    d = json.loads(l)
    (x if d["vni"] == 1 else y).add(d["inner"])
print(len(x & y))' "$T_DIR/m5.json")" 0
expect_eq "the session without rules sent nothing" "$(count m5 "d['vni'] == 3") $(session idle 'j[0]["tx_packets"]')" "0 0"
# A rule's hits count frames as the switch (and a capture on the port) sees them, a TSO
# super-frame once; tx_packets counts the datagrams sent, one per segment on the wire.
expect_eq "web: tx_packets is what X got; both rules hit, no more often than copies went" \
  "$(session web 'j[0]["tx_packets"], 0 < j[0]["rules"][0]["hits"], 0 < j[0]["rules"][1]["hits"], j[0]["rules"][0]["hits"] + j[0]["rules"][1]["hits"] <= j[0]["tx_packets"]')" \
  "$(count m5 "d['vni'] == 1") True True True"
expect_eq "tcp: tx_packets is what Y got; its rule hit" "$(session tcp 'j[0]["tx_packets"], 0 < j[0]["rules"][0]["hits"] <= j[0]["tx_packets"]')" \
  "$(count m5 "d['vni'] == 2") True"
expect_eq "tshark agrees: HTTP only in VNI 1" "$(tsh m5 -Y 'tcp.port == 8080' -T fields -e vxlan.vni | sort -u)" 1
expect_eq "nothing lost" "$(ctl -j mirror show | pvjson 'sum(s["lost"] + s["segmentation_errors"] for s in j)')" 0
for s in web tcp idle; do ctl mirror del $s >/dev/null; done

echo "== a trunk port's copies carry its tag"
ctl mirror add tr source t3 target 192.0.2.9 vni 10 >/dev/null
ctl mirror rule add tr number 1 accept protocol icmp >/dev/null
capture tr
sniff_start h3 h3 eth0
REQ="Ether(dst='$MAC4', src='$MAC3')/Dot1Q(vlan=10, prio=5)/IP(src='10.0.10.3', dst='10.0.10.4')/ICMP(id=9, seq=SEQ)/Raw(b'pvt-trunk')"
scapy_send h3 eth0 "[${REQ/SEQ/1}, ${REQ/SEQ/2}]"
sleep 0.3
sniff_stop h3
decoded tr
expect_eq "4 copies, each tagged VLAN 10" "$(count tr) $(count tr "i['vlan'] == 10")" "4 4"
"$PVT_PY" -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)["frame"]
    if b"pvt-trunk".hex() in f: print(f)' <("$PVT_PY" "$VXPCAP" frames "$T_DIR/h3.pcap") >"$T_DIR/h3.frames"
"$PVT_PY" -c '
import json, sys
for l in open(sys.argv[1]): print(json.loads(l)["inner"])' "$T_DIR/tr.json" >"$T_DIR/tr.inner"
expect_eq "h3's wire saw 2 requests out and 2 tagged replies in" "$(wc -l <"$T_DIR/h3.frames") $(grep -c '^020000000003020000000004810000' "$T_DIR/h3.frames")" "4 2"
if cmp -s "$T_DIR/h3.frames" "$T_DIR/tr.inner"; then
  pass "copies are h3's frames byte for byte: requests as sent (priority 5), replies as the trunk carried them"
else
  fail "copies differ from h3's wire:"; diff "$T_DIR/h3.frames" "$T_DIR/tr.inner" | cut -c1-150 | head
fi
expect_eq "tshark: vlan.id of the inner frames" "$(tsh tr -T fields -e vlan.id -e vlan.priority | sort | uniq -c | awk '{print $1, $2, $3}' | tr '\n' ';')" \
  "2 10 0;2 10 5;"
ctl mirror del tr >/dev/null

echo "== ARP is never mirrored, even by a rule that takes everything"
ctl mirror add all source p1 direction egress target 192.0.2.9 vni 11 >/dev/null
ctl mirror rule add all number 1 accept >/dev/null
capture arp
scapy_send h1 eth0 "Ether(dst='ff:ff:ff:ff:ff:ff', src='$MAC1')/ARP(op=1, hwsrc='$MAC1', psrc='10.0.0.1', pdst='10.0.0.2')" 3
sleep 0.3
decoded arp
expect_eq "3 ARP requests sent through p1, none mirrored" "$(count arp "i['ethertype'] == 0x0806")" 0
ctl mirror del all >/dev/null

echo "== M12: a frame port security drops is not mirrored"
ctl mirror add sec source p1 target 192.0.2.9 vni 12 >/dev/null
ctl mirror rule add sec number 1 accept protocol icmp >/dev/null
ctl port set p1 forged_transmits reject >/dev/null
capture sec
PROBE="Ether(dst='$MAC2', src='SRC')/IP(src='10.0.0.1', dst='10.0.0.2')/ICMP(id=12)/Raw(b'pvt-forged')"
scapy_send h1 eth0 "${PROBE/SRC/02:00:00:00:99:99}" 3
sleep 0.3
expect_eq "3 forged frames dropped on p1" "$(port_drop p1 forged_transmit)" 3
expect_eq "none mirrored: hits and tx_packets 0" "$(session sec 'j[0]["rules"][0]["hits"], j[0]["tx_packets"]')" "0 0"
scapy_send h1 eth0 "${PROBE/SRC/$MAC1}"
sleep 0.3
decoded sec
expect_eq "the port's own frame is mirrored (and h2's echo reply)" "$(count sec "b'pvt-forged' in bytes.fromhex(d['inner'])")" 2
expect_eq "no datagram carries a forged source" "$(count sec "d['inner'][12:24] == '020000009999'")" 0

echo "== bad input: refused with the reason, nothing changed"
before=$(ctl -j mirror show)
refused() {  # WHAT MESSAGE-PART ARGS...: pvlanctl fails, saying MESSAGE-PART
  local what=$1 msg=$2 err; shift 2
  err=$(ctl "$@" 2>&1 >/dev/null) && { fail "$what: accepted"; return; }
  case $err in *"$msg"*) pass "$what ($err)" ;; *) fail "$what: '$err' does not say '$msg'" ;; esac
}
refused "a name in use" "mirror session 'sec' exists" mirror add sec source p2 target 192.0.2.9
refused "a number in use on the port" "number 1 is taken on this source port by session 'sec'" \
  mirror add other source p1 target 192.0.2.9 number 1
refused "an unknown port" "no port named 'p9'" mirror add other source p9 target 192.0.2.9
refused "a VNI out of range" "vni must be 0-16777215" mirror add other source p1 target 192.0.2.9 vni 16777216
refused "a length below an Ethernet header" "length must be 14-65535" mirror add other source p1 target 192.0.2.9 length 10
refused "a prefix with host bits" "did you mean 10.0.0.0/24?" mirror rule add sec number 9 accept src 10.0.0.1/24
refused "a reversed range" "ends below its start" mirror rule add sec number 9 accept protocol tcp dport 90-80
refused "ports without tcp or udp" "need protocol tcp or udp" mirror rule add sec number 9 accept protocol icmp dport 80
refused "a rule number in use" "already has rule number 1" mirror rule add sec number 1 reject
refused "deleting a session's source port" "port p1 is the source of mirror session sec" port del p1
expect_eq "the configuration is as it was" "$(ctl -j mirror show)" "$before"
expect_ok "p1 is still there" ctl port show p1
t_done
