# Drop observability end to end: `monitor drops` (text and -j), `capture drops` to a file
# and live through a pipe into tshark (the reason as each packet's comment), `capture PORT`
# with a tcpdump filter, and `why`, for a VLAN-not-allowed drop and an isolated-port drop.
# Topology: h1, h2 on isolated access ports p1, p2; h3 on p3; h4 on trunk p4 (allowed 10,20),
# sending on VLAN 30. Hosts keep their default offloads.
source "$PVLAND_TESTLIB"
command -v tshark >/dev/null || t_skip "tshark is missing (apt-get install tshark)"
need_scapy

mkns sw h1 h2 h3 h4
for i in 1 2 3 4; do
  veth sw p$i h$i eth0
done
for i in 1 2 3; do host_addr h$i eth0 10.0.0.$i/24 02:00:00:00:00:0$i; done
nsx h4 ip link set eth0 address 02:00:00:00:00:04
start_pvland sw
for p in p1 p2 p3 p4; do ctl port add $p >/dev/null; done
expect_ok "p1, p2 isolated" ctl -b <(printf 'port set p1 isolated on\nport set p2 isolated on\n')
expect_ok "p4 trunk allowed 10,20" ctl port set p4 mode trunk allowed 10,20 native none

# subscribers: N -> wait until `monitor show` lists N
subscribers() { ctl -j monitor show | pvjson "len(j)"; }
has_subscribers() { [ "$(subscribers)" -ge "$1" ]; }
# bg CMD...: a background job whose pid the cleanup kills
bg() { "$@" & T_PIDS+=($!); }

PV=("$PVLANCTL" -s "$PVSOCK")  # started directly, so $! is pvlanctl itself
"${PV[@]}" monitor drops >"$T_DIR/mon.txt" 2>"$T_DIR/mon.err" & MON=$!; T_PIDS+=($MON)
"${PV[@]}" -j monitor drops p2 >"$T_DIR/mon.json" 2>"$T_DIR/monj.err" & MONJ=$!; T_PIDS+=($MONJ)
"${PV[@]}" capture drops -w "$T_DIR/drops.pcapng" 2>"$T_DIR/cap.err" & CAP=$!; T_PIDS+=($CAP)
# live: pvlanctl writes pcapng to a pipe that tshark reads as it comes
( "$PVLANCTL" -s "$PVSOCK" capture drops -w - 2>"$T_DIR/live.err" |
    tshark -l -r - -T fields -e frame.comment >"$T_DIR/live.txt" 2>"$T_DIR/tshark.err" ) & LIVE=$!; T_PIDS+=($LIVE)
"${PV[@]}" capture p3 -w "$T_DIR/p3.pcapng" udp port 9999 2>"$T_DIR/p3.err" & P3=$!; T_PIDS+=($P3)
expect_ok "five subscribers listed by monitor show" wait_until 10 has_subscribers 5

# the drops: h1 -> h2 (both isolated: isolated_port on p2), VLAN 30 on trunk p4
expect_ok "h1 cannot reach h2 (isolated)" cannot_ping h1 10.0.0.2
VLAN30="Ether(src='02:00:00:00:00:04',dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=30)/ARP(psrc='10.0.30.4',pdst='10.0.30.9',hwsrc='02:00:00:00:00:04')"
# (a veth send may fail with ENOBUFS on a loaded machine: one retry)
scapy_send h4 eth0 "$VLAN30" 2>/dev/null || { sleep 0.2; scapy_send h4 eth0 "$VLAN30"; }
# filtered port capture: UDP 9999 and 9998 both ways between h1 and h3
expect_ok "h1 reaches h3" can_ping h1 10.0.0.3
for port in 9999 9998; do
  nsx h1 bash -c "echo to-$port > /dev/udp/10.0.0.3/$port"
  nsx h3 bash -c "echo from-$port > /dev/udp/10.0.0.1/$port"
done
expect_ok "isolated_port counted on p2" test "$(port_drop p2 isolated_port)" -ge 1
expect_ok "vlan_not_allowed counted on p4" test "$(port_drop p4 vlan_not_allowed)" -ge 1
sleep 0.5
# (this test's socket in the pattern: other tests run `capture drops -w -` at the same time)
LIVE_PID=$(pgrep -f -n -- "-s $PVSOCK capture drops -w -")
kill -INT $MON $MONJ $CAP $P3 $LIVE_PID 2>/dev/null
wait $MON $MONJ $CAP $P3 $LIVE 2>/dev/null
echo "--- monitor drops:"; cat "$T_DIR/mon.txt"; cat "$T_DIR/mon.err"
echo "--- monitor drops -j p2:"; head -3 "$T_DIR/mon.json"
echo "--- live tshark comments:"; sort "$T_DIR/live.txt" | uniq -c

expect_ok "monitor: isolated_port line on p2 from p1" grep -q " p2 isolated_port from p1 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff arp who-has 10.0.0.2 tell 10.0.0.1" "$T_DIR/mon.txt"
expect_ok "monitor: vlan_not_allowed line on p4 with the tag" grep -q " p4 vlan_not_allowed 02:00:00:00:00:04 > ff:ff:ff:ff:ff:ff vlan 30 arp who-has 10.0.30.9" "$T_DIR/mon.txt"
expect_ok "monitor: ends with a count" grep -q "drops shown, 0 lost" "$T_DIR/mon.err"
expect_ok "monitor -j p2: isolated_port objects" sh -c "grep -q '\"reason\":\"isolated_port\"' '$T_DIR/mon.json'"
expect_eq "monitor -j p2: only p2's drops" "$("$PVT_PY" -c "
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
print(all(r['port']=='p2' or r.get('in_port')=='p2' for r in rows) and len(rows)>0)" "$T_DIR/mon.json")" True
expect_eq "monitor -j: fields" "$("$PVT_PY" -c "
import json,sys
r=[x for x in map(json.loads, open(sys.argv[1])) if x['reason']=='isolated_port' and x.get('proto')=='arp'][0]
print(r['in_port'], r['src_mac'], r['dst_ip'], r['proto'])" "$T_DIR/mon.json")" "p1 02:00:00:00:00:01 10.0.0.2 arp"

COMMENTS=$(tshark -r "$T_DIR/drops.pcapng" -T fields -e frame.comment 2>/dev/null)
echo "--- capture drops -w FILE, tshark frame.comment:"; echo "$COMMENTS" | sort | uniq -c
expect_ok "capture file: isolated_port comment" grep -q "^isolated_port on p2 (from p1)$" <<<"$COMMENTS"
expect_ok "capture file: vlan_not_allowed comment" grep -q "^vlan_not_allowed on p4$" <<<"$COMMENTS"
expect_ok "capture file: tcpdump reads it, tag 30 kept" sh -c "tcpdump -r '$T_DIR/drops.pcapng' -n -e 2>/dev/null | grep -q 'vlan 30.*Request who-has 10.0.30.9'"
expect_ok "capture file: one interface per port" sh -c "tshark -r '$T_DIR/drops.pcapng' -T fields -e frame.interface_name 2>/dev/null | sort -u | tr '\n' ' ' | grep -q 'p2 p4'"
expect_ok "live pipe: isolated_port comment" grep -q "^isolated_port on p2 (from p1)$" "$T_DIR/live.txt"
expect_ok "live pipe: vlan_not_allowed comment" grep -q "^vlan_not_allowed on p4$" "$T_DIR/live.txt"

echo "--- capture p3 udp port 9999:"; tshark -r "$T_DIR/p3.pcapng" -T fields -e frame.interface_name -e frame.packet_flags_direction -e udp.dstport 2>&1 | head
expect_eq "capture p3: only UDP 9999, both directions" "$(tcpdump -r "$T_DIR/p3.pcapng" -n 2>/dev/null | grep -c 'UDP')" 2
expect_eq "capture p3: nothing but port 9999" "$(tcpdump -r "$T_DIR/p3.pcapng" -n 'not udp port 9999' 2>/dev/null | wc -l)" 0
expect_eq "capture p3: directions (1 in, 2 out)" "$(tshark -r "$T_DIR/p3.pcapng" -T fields -e frame.packet_flags_direction 2>/dev/null | sort | tr '\n' ' ')" "0x00000001 0x00000002 "

# IPv6 control frames (router solicitations, MLD) add isolated_port and untagged_on_trunk
# drops of their own: look far enough back.
echo "--- why -n 40:"; ctl why -n 40 | tee "$T_DIR/why.txt"
expect_ok "why: isolated_port with its fix" grep -q "isolated_port on p2: p1 and p2 are both isolated.*would pass with port set p2 isolated off" "$T_DIR/why.txt"
expect_ok "why: vlan_not_allowed with its fix" grep -q "vlan_not_allowed on p4: tagged VLAN 30 is not in allowed 10,20 .*would pass with port set p4 allowed 10,20,30" "$T_DIR/why.txt"
echo "--- why p4 -n 1 -j:"; ctl -j why p4 -n 1; echo
ctl -j why p4 -n 40 >"$T_DIR/why.json"
expect_eq "why -j p4: its fix" "$(pvjson "[r['would_pass_with'] for r in j if r['reason']=='vlan_not_allowed'][0]" <"$T_DIR/why.json")" "port set p4 allowed 10,20,30"
expect_eq "why -j p4: only p4" "$(pvjson "sorted(set(r['port'] for r in j))" <"$T_DIR/why.json")" "['p4']"
expect_eq "why -j -n 1: one record" "$(ctl -j why -n 1 | pvjson "len(j)")" 1
expect_fail "why: unknown port refused" ctl why nosuch
t_done
