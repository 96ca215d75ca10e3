# A real TCP stream (iperf3, 4 MB) with the kernel's default offloads on both hosts: the
# switch receives and forwards TSO super-frames with partial checksums; each copy a
# session takes is cut into the segments the host's NIC would have sent (docs/mirroring.md
# §5, docs/offloads.md).
# Asserts: the transfer completes; the copies (both ways) are never longer than an
# MTU-sized frame and the data travels in MSS-sized frames of 1514 bytes; tshark
# with IPv4 and TCP checksum validation on finds every inner checksum good, and so does
# vxlan_pcap.py; the session took super-frames (tx_packets above its rule's hits, one hit
# per frame as the switch saw it) and counted no segmentation error and no loss; every
# datagram it counted reached the target; the TCP payload the copies carry from client to
# server covers what the server received (iperf3 -n stops counting at its own end of test).
source "$PVLAND_TESTLIB"
HERE=$(cd "$(dirname "$0")" && pwd)
VXPCAP="$HERE/vxlan_pcap.py"

mkns sw h1 h2 tgt
veth h1 eth0 sw p1
veth h2 eth0 sw p2
veth sw up0 tgt eth0
nsx sw ip link set up0 mtu 9000
nsx tgt ip link set eth0 mtu 9000
nsx sw ip addr add 192.0.2.1/24 dev up0
nsx tgt ip addr add 192.0.2.9/24 dev eth0
host_addr h1 eth0 10.0.0.1/24
host_addr h2 eth0 10.0.0.2/24
expect_eq "h1 offloads: TSO and TX checksum on (the defaults)" \
  "$(nsx h1 ethtool -k eth0 | awk '/^tcp-segmentation-offload:|^tx-checksumming:/ {print $2}' | tr '\n' ' ')" "on on "

start_pvland sw
ctl port add p1 >/dev/null
ctl port add p2 >/dev/null
expect_ok "h1 reaches h2" can_ping h1 10.0.0.2
ctl mirror add tcp source p1 target 192.0.2.9 vni 6 >/dev/null
ctl mirror rule add tcp number 1 accept protocol tcp >/dev/null

sniff_start tgt tgt eth0 -B 131072 udp port 4789
nsx h2 iperf3 -s -1 -B 10.0.0.2 -p 5201 >/dev/null 2>&1 &
SRV=$!
nsx h2 "$PVT_PY" "$PVT_TRAFFIC" wait-port 10.0.0.2 5201 tcp
expect_ok "iperf3 moves 4 MB from h1 to h2" nsx h1 timeout 20 iperf3 -c 10.0.0.2 -p 5201 -n 4M -J --logfile "$T_DIR/iperf.json"
wait $SRV
sniff_stop tgt
"$PVT_PY" "$VXPCAP" list "$T_DIR/tgt.pcap" >"$T_DIR/tgt.json"

stats() {
  "$PVT_PY" -c '
import json, sys
n = big = mss = bad = data = 0
for l in open(sys.argv[1]):
    d = json.loads(l); i = d["inner_info"]
    if i["proto"] != 6: continue
    n += 1
    size = len(d["inner"]) // 2
    big += size > 1514
    mss += size == 1514
    bad += i["l4_csum_ok"] is not True
    if i["dport"] == 5201:  # client to server: the payload after the TCP header
        f = bytes.fromhex(d["inner"]); ihl = (f[14] & 15) * 4; doff = (f[14 + ihl + 12] >> 4) * 4
        data += len(f) - 14 - ihl - doff
print(n, big, mss, bad, data)' "$T_DIR/tgt.json"
}
read -r N BIG MSS BAD DATA <<<"$(stats)"
expect_ok "the target got the stream's copies ($N)" test "$N" -gt 500
expect_eq "none is longer than a 1514-byte frame" "$BIG" 0
expect_ok "the data is in MSS-sized 1514-byte frames ($MSS of them)" test $((MSS * 1448 * 10)) -ge $((DATA * 9))
expect_eq "every inner TCP checksum is right (vxlan_pcap.py)" "$BAD" 0
expect_eq "tshark validating IPv4 and TCP checksums: all good" \
  "$(tshark -r "$T_DIR/tgt.pcap" -d udp.port==4789,vxlan -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
      -E occurrence=l -T fields -e ip.checksum.status -e tcp.checksum.status -Y 'vxlan && tcp' 2>/dev/null |
      sort | uniq -c | awk '{print $2, $3}')" "1 1"
RECEIVED=$(pvjson 'int(j["end"]["sum_received"]["bytes"])' <"$T_DIR/iperf.json")
expect_ok "the copies carry all $RECEIVED bytes the server received ($DATA)" test "$DATA" -ge "$RECEIVED"
read -r TX HITS SEG LOST <<<"$(ctl -j mirror show tcp | pvjson 'j[0]["tx_packets"], j[0]["rules"][0]["hits"], j[0]["segmentation_errors"], j[0]["lost"]')"
expect_ok "super-frames were cut: $TX datagrams from $HITS frames" test "$TX" -gt "$HITS"
expect_eq "no segmentation error, no loss" "$SEG $LOST" "0 0"
expect_eq "every datagram counted reached the target" "$TX" "$N"
t_done
