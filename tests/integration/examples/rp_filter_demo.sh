# The rp_filter example (examples/rp-filter/lab.sh), run with pvland and again with
# DATAPLANE=bridge (a Linux bridge: the kernel decides), and its output checked.
# Asserts, on pvland: off and loose pass ping and HTTP with the route back over the other
# path; strict drops all three echoes and the HTTP client's SYNs at gw0 under rp_filter,
# one martian-source line (with its ll header) per dropped packet; strict passes once the
# route back uses path 1; loose drops with no route back; gw0's rp_filter counter is the
# sum. On the bridge the same steps give the same verdicts, drop counts and martian lines
# (HTTP's SYN count may differ between the runs: it follows TCP's retransmission timer).
# The lab leaves no namespace, socket or daemon behind.
source "$PVLAND_TESTLIB"
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
LAB=$SRC/examples/rp-filter/lab.sh

# The kernel's martian lines share one machine-wide budget (net_ratelimit) with every other
# lab; lifted for the reference run so that none is lost, and restored.
MSG_COST=$(cat /proc/sys/net/core/message_cost)
rp_exit() {
  echo "$MSG_COST" >/proc/sys/net/core/message_cost
  t_cleanup
}
trap rp_exit EXIT

run_lab() {  # DATAPLANE OUT: runs the lab; prints its pid (its namespace prefix)
  DATAPLANE=$1 bash "$LAB" >"$2" 2>&1 &
  local pid=$!
  wait "$pid"
  echo "$pid $?"
}

# summary OUT: per step, the ping and HTTP verdicts, what was dropped, and whether the
# martian lines are one source line plus one ll-header line per dropped packet.
summary() {
  awk '
    function flush() {
      if (step == "") return
      ok = (mlines == 2 * dropped && msrc == dropped && mll == dropped) ? "yes" : "no (" mlines " lines for " dropped " drops)"
      printf "%s | martian lines match the drops: %s\n", step, ok
    }
    /^== (off|loose|strict)/ { flush(); step = $0; dropped = 0; mlines = 0; msrc = 0; mll = 0; next }
    /^== / { flush(); step = ""; next }
    step != "" && /^  (ping|HTTP)/ {
      line = $0
      if (match(line, /dropped [0-9]+ packet/)) dropped += substr(line, RSTART + 8, RLENGTH - 15)
      # HTTP: how many SYNs went out follows the retransmission timer, not the verdict.
      if (line ~ /^  HTTP/) sub(/ dropped [0-9]+ packets? at gw0/, " dropped SYNs at gw0", line)
      sub(/ — (pvland|the kernel) dropped/, " — dropped", line)
      printf "%s | %s\n", step, line
    }
    step != "" && /^    IPv4: martian source 10\.255\.0\.2 from 10\.255\.0\.1, on dev gw0$/ { msrc++ }
    step != "" && /^    ll header: 00000000: 02 00 0a 00 01 02 02 00 0a 00 01 01 08 00$/ { mll++ }
    step != "" && /^    / { mlines++ }
    END { flush() }' "$1"
}

OUT=$T_DIR/pvland.out
read -r PID RC < <(run_lab pvland "$OUT")
expect_eq "lab.sh with pvland exits 0" "$RC" 0
sed 's/^/  | /' "$OUT"

step() {  # OUT TITLE: the lines of one step
  awk -v t="$2" '$0 == t { on = 1; next } /^== / { on = 0 } on' "$1"
}
OFF="== off (rp_filter=0), route back via path 2"
LOOSE="== loose (rp_filter=2), route back via path 2"
STRICT="== strict (rp_filter=1), route back via path 2"
STRICT_SYM="== strict (rp_filter=1), route back via path 1"
LOOSE_NONE="== loose (rp_filter=2), no route back"
PING_OK="  ping 10.255.0.2 from 10.255.0.1: 3 of 3 replies — nothing dropped at gw0"
HTTP_OK="  HTTP GET http://10.255.0.2:8080/file from 10.255.0.1: 200 OK, 100000 bytes — nothing dropped at gw0"
PING_DROP="  ping 10.255.0.2 from 10.255.0.1: no reply — pvland dropped 3 packets at gw0 (rp_filter)"
for s in "$OFF" "$LOOSE" "$STRICT_SYM"; do
  expect_ok "$s: ping answered, nothing dropped" grep -qxF "$PING_OK" <(step "$OUT" "$s")
  expect_ok "$s: HTTP fetch complete, nothing dropped" grep -qxF "$HTTP_OK" <(step "$OUT" "$s")
  expect_ok "$s: no martian line" grep -qxF "  martian lines pvland logged: none" <(step "$OUT" "$s")
done
for s in "$STRICT" "$LOOSE_NONE"; do
  expect_ok "$s: no echo answered, all 3 dropped by rp_filter" grep -qxF "$PING_DROP" <(step "$OUT" "$s")
done
syns=$(step "$OUT" "$STRICT" | sed -n 's/^  HTTP GET .*: no answer (timed out after 2 s) — pvland dropped \([0-9]*\) packets\? at gw0 (rp_filter)$/\1/p')
expect_ok "strict, route back via path 2: HTTP gets no answer and its SYNs are dropped (${syns:-none})" test "${syns:-0}" -ge 1
expect_eq "loose, no route back: ping only" "$(step "$OUT" "$LOOSE_NONE" | grep -c '^  HTTP')" 0
expect_eq "martian lines match the drops in every step" \
  "$(summary "$OUT" | grep 'martian lines match the drops' | grep -vc ': yes$')" 0
expect_eq "martian source lines in all" "$(grep -c '^    IPv4: martian source 10.255.0.2 from 10.255.0.1, on dev gw0$' "$OUT")" $((6 + ${syns:-0}))
expect_eq "gw0's rp_filter counter" "$(sed -n 's/^    drop rp_filter \([0-9]*\)$/\1/p' "$OUT")" $((6 + ${syns:-0}))
expect_eq "no other drop at gw0" "$(grep -c '^    drop ' "$OUT")" 1
expect_eq "no lab namespace left behind (pvland)" "$(ip netns list | grep -c "^pvrpf$PID-")" 0
expect_fail "no lab socket left behind" test -e "/tmp/pvrpf$PID.sock"
expect_eq "no lab daemon left behind" "$(pgrep -fc "pvland -s /tmp/pvrpf$PID.sock" || true)" 0

# The reference: the same lab on a Linux bridge.
echo 0 >/proc/sys/net/core/message_cost
REF=$T_DIR/bridge.out
read -r RPID RC < <(run_lab bridge "$REF")
expect_eq "lab.sh with DATAPLANE=bridge exits 0" "$RC" 0
sed 's/^/  | /' "$REF"
mine=$(summary "$OUT") ref=$(summary "$REF")
if [ "$mine" = "$ref" ]; then
  pass "pvland and the kernel: the same verdicts, drops and martian lines in every step"
  printf '%s\n' "$mine" | sed 's/^/    /'
else
  fail "pvland and the kernel differ: pvland '$(printf '%s' "$mine" | tr '\n' '|')' kernel '$(printf '%s' "$ref" | tr '\n' '|')'"
fi
rsyns=$(step "$REF" "$STRICT" | sed -n 's/^  HTTP GET .*: no answer (timed out after 2 s) — the kernel dropped \([0-9]*\) packets\? at gw0 (rp_filter)$/\1/p')
expect_eq "the kernel's IPReversePathFilter counter" "$(sed -n 's/^== the kernel.s counter in B: IPReversePathFilter \([0-9]*\)$/\1/p' "$REF")" $((6 + ${rsyns:-0}))
expect_eq "no lab namespace left behind (bridge)" "$(ip netns list | grep -c "^pvrpf$RPID-")" 0
t_done
