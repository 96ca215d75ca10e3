# The traffic mirroring example (examples/traffic-mirroring/lab.sh), run as its README
# says, and its output checked step by step.
# Asserts: the ping gives the collector 4 datagrams, VNI 100, echo requests and replies
# alternating; the HTTP fetch completes and every datagram of it is VNI 100 carrying
# TCP to or from port 8080; the UDP datagram of step 3 is not mirrored, the server's ICMP
# answer is; in step 4 the second session's copy is VNI 200, cut to 100 bytes (tcpdump:
# 942 bytes missing of the 1028-byte datagram), the ICMP answer VNI 100; mirror show counts
# one truncated copy for `cut`, hits on every rule of `web`, and as many copies sent as
# the collector saw; tshark lists the same number of frames, the first an ICMP echo
# request with VNI 100, and decodes a VXLAN header as Flags 0x0800, VNI 100; the lab
# takes under 30 s and leaves no namespace, file or daemon.
source "$PVLAND_TESTLIB"
SRC=$(cd "$(dirname "$0")/../../.." && pwd)

OUT=$T_DIR/lab.out
START=$SECONDS
(cd "$SRC" && exec bash examples/traffic-mirroring/lab.sh) >"$OUT" 2>&1 &
LAB=$!
wait "$LAB"
expect_eq "lab.sh exits 0" "$?" 0
TOOK=$((SECONDS - START))
sed 's/^/  | /' "$OUT"
expect_ok "the lab takes under 30 s (${TOOK} s)" test "$TOOK" -lt 30

# part ID: the lines of step ID, up to the next heading.
part() { awk -v id="== $1. " 'index($0, id) == 1 { on = 1; next } /^== / { on = 0 } on' "$OUT"; }
# datagrams ID: "VNI<TAB>inner line" for each datagram tcpdump printed in step ID.
datagrams() {
  part "$1" | awk '/^    IP .* > 192\.0\.2\.9\.4789: VXLAN, flags \[I\] \(0x08\), vni / { vni = $NF; getline; sub(/^    /, ""); print vni "\t" $0 }'
}
saw() { part "$1" | sed -n "s/^  the collector's tcpdump saw \([0-9]*\) VXLAN datagrams*[.:]$/\1/p"; }

echo "== 1. ping"
expect_eq "4 datagrams" "$(saw 1)" 4
expect_eq "VNI 100: request, reply, request, reply" \
  "$(datagrams 1 | sed 's/, id [0-9]*, seq \([0-9]\).*/ seq \1/' | tr '\t' ' ')" \
  "100 IP 10.0.0.1 > 10.0.0.2: ICMP echo request seq 1
100 IP 10.0.0.2 > 10.0.0.1: ICMP echo reply seq 1
100 IP 10.0.0.1 > 10.0.0.2: ICMP echo request seq 2
100 IP 10.0.0.2 > 10.0.0.1: ICMP echo reply seq 2"
expect_ok "one outer source port per direction" test "$(part 1 | awk '/4789: VXLAN/ {print $2}' | sort -u | wc -l)" = 2

echo "== 2. HTTP"
expect_ok "the fetch completes" grep -qx "  HTTP 200, 20000 bytes" <(part 2)
N2=$(saw 2)
expect_ok "the collector got the connection ($N2 datagrams)" test "${N2:-0}" -ge 10
expect_eq "every printed one is VNI 100, TCP to or from 8080" \
  "$(datagrams 2 | grep -cv $'^100\tIP 10\\.0\\.0\\.[12]\\.[0-9]* > 10\\.0\\.0\\.[12]\\.[0-9]*: Flags' || true)" 0
expect_eq "and touches 8080" "$(datagrams 2 | grep -cv '\.8080[ :]' || true)" 0

echo "== 3. UDP no rule takes"
expect_eq "one datagram: the ICMP answer, VNI 100" "$(saw 3) $(datagrams 3 | tr '\t' ' ')" \
  "1 100 IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.2 udp port 9999 unreachable, length 76"

echo "== 4. the second session, length 100"
expect_eq "two datagrams" "$(saw 4)" 2
expect_ok "VNI 200: the UDP datagram, 942 of its bytes cut" \
  grep -qP '^200\tIP truncated-ip - 942 bytes missing! 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.9999: UDP, length 1000$' <(datagrams 4)
expect_ok "VNI 100: the ICMP answer" grep -qP '^100\tIP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP 10\.0\.0\.2 udp port 9999 unreachable' <(datagrams 4)

echo "== 5. counters"
expect_ok "cut: 1 copy of 100 bytes, truncated" grep -qx "      tx_packets 1 tx_bytes 100 lost 0 truncated 1 segmentation_errors 0" <(part 5)
for r in "10 accept direction both protocol tcp dport 8080" "20 accept direction both protocol tcp sport 8080" \
  "30 accept direction both protocol icmp"; do
  expect_ok "web rule $r hit" grep -qP "^      rule $r hits [1-9]\d*$" <(part 5)
done
TOTAL=$((4 + N2 + 1 + 2))
expect_eq "copies sent = datagrams seen = $TOTAL" "$(part 5 | grep "copies sent")" \
  "  copies sent: $TOTAL; datagrams the collector's tcpdump saw: $TOTAL"
expect_eq "nothing lost" "$(part 5 | grep -c 'lost [1-9]' || true)" 0

echo "== 6. tshark"
expect_ok "frame 1: VNI 100, an ICMP echo request" grep -qP '^    1 vni 100 10\.0\.0\.1 10\.0\.0\.2 ICMP Echo \(ping\) request' <(part 6)
expect_ok "the last frame is number $TOTAL" grep -qP "^ +$TOTAL vni 100 10\\.0\\.0\\.2 10\\.0\\.0\\.1 ICMP Destination unreachable" <(part 6)
expect_ok "a VXLAN header: Flags 0x0800" grep -qx "        Flags: 0x0800, VXLAN Network ID (VNI)" <(part 6)
expect_ok "a VXLAN header: VNI 100" grep -qx "        VXLAN Network Identifier (VNI): 100" <(part 6)
expect_eq "nothing on stderr (no error, no traceback)" "$(grep -Ec 'Traceback|pvlanctl:|Error|Cannot' "$OUT")" 0

echo "== leftovers"
expect_eq "no lab namespace left behind" "$(ip netns list | grep -c "^pvtm$LAB-")" 0
expect_eq "no lab file or socket left behind" "$(find /tmp -maxdepth 1 -name "pvtm$LAB.*" | wc -l)" 0
expect_eq "no lab daemon left behind" "$(pgrep -fc "pvland -s /tmp/pvtm$LAB.sock" || true)" 0
t_done
