#!/bin/bash
# User-space instructions and syscalls per forwarded frame, at full rings. Manual, not
# part of ctest; needs root, valgrind, strace, gcc.
#
#   tests/bench/switch/callgrind.sh                 # 100 bursts of 1000 frames
#   BURSTS=20 BURST=1000 tests/bench/switch/callgrind.sh
#   ISOLATED=1 tests/bench/switch/callgrind.sh      # plus a third port, isolated on
#   INTERNAL=1 tests/bench/switch/callgrind.sh      # plus an internal port (L3 router, ARP
#                                                   # stage) with an address and proxy_arp on
#   KEEP=/tmp/cg tests/bench/switch/callgrind.sh    # keep the callgrind dump and strace -c
#   SECURITY=1 ...                                  # sw0 with forged_transmits and mac_changes
#                                                   # reject (its veth peer gives the MACs)
#   MIRROR=1 ...                                    # a mirror session on sw0, both directions,
#                                                   # whose rule takes every frame (VXLAN copies
#                                                   # to a fourth namespace; docs/mirroring.md)
#   MIRROR=nomatch ...                              # the same session, its rule matching no
#                                                   # frame of the replay (protocol tcp)
#   CAPTURE=sw1 [CAPTURE_FILTER='udp port 9'] ... # with `pvlanctl capture sw1 -w /dev/null
#                                                   # [FILTER]` running (the cost of a capture)
#   MAX_IR=400 MAX_SYSCALLS=0.05 ...                # exit 1 when a figure is over budget
#                                                   # (the ctest instruction check, CI)
#
# Method (instruction counts: a metric without run-to-run noise):
#   Topology gen —veth— sw —veth— sink as in bench.sh (IPv6 off, offloads off). pvland
#   runs in sw with two AF_PACKET ports (learning on, isolated off), gen and sink ping each
#   other once so both MACs are learnt; the flood then goes to a known unicast MAC.
#   A burst: SIGSTOP pvland, send BURST (<= 1000, below the RX ring size) 60-byte UDP frames from
#   gen with pktgen (pktgen.c), so they wait in pvland's RX ring; SIGCONT; wait until the
#   sink interface has counted all of them. pvland then drains a full ring: batches of 32,
#   8 batches per wakeup, one sendmmsg per batch.
#   1. Instructions: pvland runs under `valgrind --tool=callgrind`. Counters are zeroed
#      started with instrumentation off (--instr-atstart=no); it is switched on
#      (`callgrind_control -i on`) after set-up, BURSTS bursts are forwarded, collection is
#      switched off (`callgrind_control -i off`) and the counts are written at exit. Reported: all Ir of the process in that window
#      (event loop, epoll, the 1 s port-check timer included) and the inclusive Ir of
#      Dataplane::OnEvent (receive, pipeline, transmit), each divided by the frames the
#      sink received (cross-checked with pvland's own tx counter of the sink port). Kernel
#      work is invisible here.
#   2. Syscalls: a separate native run of pvland with `strace -c -f -p PID` attached over
#      the same BURSTS bursts; syscalls (total and by name) per forwarded frame.
# Frames the RX ring dropped (ring overflow) would show as missing frames at the sink and
# make the script fail rather than report a flattering figure.
set -u

BURSTS=${BURSTS:-100}
BURST=${BURST:-1000}
ISOLATED=${ISOLATED:-0}
INTERNAL=${INTERNAL:-0}
SECURITY=${SECURITY:-0}
MIRROR=${MIRROR:-0}
CAPTURE=${CAPTURE:-}
CAPTURE_FILTER=${CAPTURE_FILTER:-}
MAX_IR=${MAX_IR:-}
MAX_SYSCALLS=${MAX_SYSCALLS:-}
PFX=pvc$$
NAME=callgrind
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
G=$PFX-gen S=$PFX-sw K=$PFX-sink I=$PFX-iso M=$PFX-mtgt
GEN_IP=198.18.0.1 SINK_IP=198.18.0.2

bench_require ip ethtool valgrind callgrind_control callgrind_annotate strace gcc python3 timeout
[ "$BURST" -lt 1024 ] || die "BURST must fit in the RX ring with room to spare"
bench_build

veth() {  # ns1 dev1 ns2 dev2
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || die "veth $2"
  nsx "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || die "ethtool $2"
  nsx "$3" ethtool -K "$4" tx off tso off gso off gro off >/dev/null 2>&1 || die "ethtool $4"
  ip -n "$1" link set "$2" up; ip -n "$3" link set "$4" up
}
topo_up() {
  new_ns $G; new_ns $S; new_ns $K
  veth $G gen0 $S sw0
  veth $K sink0 $S sw1
  ip -n $G addr add $GEN_IP/24 dev gen0
  ip -n $K addr add $SINK_IP/24 dev sink0
  if [ "$ISOLATED" = 1 ]; then new_ns $I; veth $I iso0 $S sw2; fi
  if [ "$MIRROR" != 0 ]; then
    new_ns $M; veth $S mt0 $M mt1
    ip -n $S addr add 198.19.0.1/24 dev mt0
    ip -n $M addr add 198.19.0.2/24 dev mt1
  fi
}
topo_down() {
  local p ns
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  PIDS=()
  for ns in $G $S $K $I $M; do
    ip netns list | grep -q "^$ns\b" || continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns"
  done
}
SOCK=$WORK/pvland.sock
ctl() { nsx $S "$PVLANCTL" -s "$SOCK" "$@"; }
configure() {  # wait for the socket, add ports, learn both MACs
  for _ in $(seq 1 300); do [ -S "$SOCK" ] && break; sleep 0.1; done
  [ -S "$SOCK" ] || die "pvland did not start"
  ctl port add sw0 || die "port add"
  ctl port add sw1 || die "port add"
  if [ "$ISOLATED" = 1 ]; then ctl port add sw2 && ctl port set sw2 isolated on || die "port sw2"; fi
  if [ "$SECURITY" = 1 ]; then
    ctl port set sw0 forged_transmits reject mac_changes reject || die "port security on sw0"
  fi
  if [ "$MIRROR" != 0 ]; then
    ctl mirror add m1 source sw0 target 198.19.0.2 vni 42 || die "mirror add"
    if [ "$MIRROR" = nomatch ]; then
      ctl mirror rule add m1 number 1 accept protocol tcp || die "mirror rule"
    else
      ctl mirror rule add m1 number 1 accept || die "mirror rule"
    fi
  fi
  if [ "$INTERNAL" = 1 ]; then
    ctl port add gw0 type internal || die "port gw0"
    ip -n $S link set gw0 up
    ip -n $S addr add 198.18.0.254/24 dev gw0
    ctl sysctl -w net.ipv4.conf.gw0.proxy_arp=1 >/dev/null || die "sysctl proxy_arp"
  fi
  local ok=0
  for _ in $(seq 1 100); do
    if nsx $G ping -n -c 1 -W 2 $SINK_IP >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
  done
  [ $ok = 1 ] || die "gen cannot ping sink through pvland"
  SINK_MAC=$(nsx $K cat /sys/class/net/sink0/address)
  # The sink absorbs the frames cheaply (connected UDP socket, minimal buffer).
  nsx $K timeout 3600 "$PKTGEN" sink $SINK_IP $GEN_IP 3600 &
  PIDS+=("$!")
  if [ -n "$CAPTURE" ]; then
    # shellcheck disable=SC2086 # the filter is words
    ctl capture "$CAPTURE" -w /dev/null $CAPTURE_FILTER 2>"$WORK/capture.err" &
    PIDS+=("$!")
  fi
  sleep 0.5
}
sink_rx() { nsx $K cat /sys/class/net/sink0/statistics/rx_packets; }
sw1_tx() { ctl -j stats show | python3 -c 'import json,sys; print(sum(p["tx_packets"] for p in json.load(sys.stdin) if p["name"] == "sw1"))'; }
mirror_tx() { [ "$MIRROR" != 0 ] && ctl -j mirror show m1 | python3 -c 'import json,sys; s = json.load(sys.stdin)[0]; print("mirror session m1: tx_packets %d lost %d rule hits %d" % (s["tx_packets"], s["lost"], s["rules"][0]["hits"]))'; }

# Forwards BURSTS bursts; prints the frames the sink received.
run_bursts() {  # pid
  local pid=$1 start now target b
  start=$(sink_rx)
  for b in $(seq 1 "$BURSTS"); do
    kill -STOP "$pid"
    nsx $G "$PKTGEN" tx gen0 "$SINK_MAC" $GEN_IP $SINK_IP 10 "$BURST" >/dev/null || die "pktgen"
    target=$((start + b * BURST))
    kill -CONT "$pid"
    for _ in $(seq 1 600); do
      now=$(sink_rx)
      [ "$now" -ge "$target" ] && break
      sleep 0.05
    done
    [ "$now" -ge "$target" ] || die "burst $b: sink got $((now - start)) of $((b * BURST)) frames (ring overflow?)"
  done
  echo $((now - start))
}

echo "callgrind: $BURSTS bursts of $BURST frames, ports: sw0 sw1$([ "$ISOLATED" = 1 ] && echo ' sw2(isolated)')$([ "$INTERNAL" = 1 ] && echo ' gw0(internal, proxy_arp)')$([ "$SECURITY" = 1 ] && echo ' sw0(forged_transmits/mac_changes reject)')$([ "$MIRROR" != 0 ] && echo " sw0(mirror session, both directions, rule: $([ "$MIRROR" = nomatch ] && echo 'protocol tcp, matches nothing' || echo 'accept all'))")$([ -n "$CAPTURE" ] && echo " capture $CAPTURE $CAPTURE_FILTER")"

# --- 1. instructions under callgrind ---
topo_up
OUT=$WORK/callgrind.out
taskset -c 1 ip netns exec $S valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT" \
  "$PVLAND" -s "$SOCK" >"$WORK/vg.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
configure
sleep 1
timeout 60 callgrind_control -i on "$VPID" >/dev/null || die "callgrind_control -i on failed"
FRAMES=$(run_bursts "$VPID")
timeout 60 callgrind_control -i off "$VPID" >/dev/null || die "callgrind_control -i off failed"
TX=$(sw1_tx)
MIRRORED=$(mirror_tx)
kill -TERM "$VPID"; timeout 60 tail --pid="$VPID" -f /dev/null; wait "$VPID" 2>/dev/null
DUMP=$OUT
[ -s "$DUMP" ] || die "no callgrind output"
TOTAL_IR=$(callgrind_annotate "$DUMP" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
callgrind_annotate --inclusive=yes "$DUMP" >"$WORK/incl.txt" 2>/dev/null
callgrind_annotate "$DUMP" >"$WORK/self.txt" 2>/dev/null
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$DUMP" "$KEEP/callgrind.out"; fi
# OnEvent is inlined into its epoll handler lambda; PollOnce is the per-batch entry.
ONEVENT_IR=$(awk '/Dataplane::Attach.*lambda/ {gsub(",", "", $1); print $1; exit}' "$WORK/incl.txt")
SECURITY_IR=$(awk '/PortSecurityStage::Process/ {gsub(",", "", $1); print $1; exit}' "$WORK/incl.txt")
MIRROR_STAGE_IR=$(awk '/MirrorStage::Process/ {gsub(",", "", $1); print $1; exit}' "$WORK/incl.txt")
MIRROR_SEND_IR=$(awk '/Dataplane::SendMirrorCopies/ {gsub(",", "", $1); print $1; exit}' "$WORK/incl.txt")
topo_down

# --- 2. syscalls under strace ---
topo_up
taskset -c 1 ip netns exec $S "$PVLAND" -s "$SOCK" >"$WORK/native.log" 2>&1 &
NPID=$!
PIDS+=("$NPID")
configure
sleep 1
strace -c -f -q -o "$WORK/strace.txt" -p "$NPID" &
SPID=$!
sleep 1
SFRAMES=$(run_bursts "$NPID")
kill -INT "$SPID"; wait "$SPID" 2>/dev/null
if [ -n "${KEEP:-}" ]; then cp "$WORK/strace.txt" "$KEEP/strace.txt"; fi
topo_down

python3 - "$FRAMES" "$TX" "$TOTAL_IR" "${ONEVENT_IR:-0}" "$SFRAMES" "$WORK/strace.txt" "$MAX_IR" "$MAX_SYSCALLS" "${SECURITY_IR:-0}" "${MIRROR_STAGE_IR:-0}" "${MIRROR_SEND_IR:-0}" "$MIRRORED" >"$WORK/summary" <<'EOF'
import sys
frames, tx, total, onevent, sframes = (int(x) for x in sys.argv[1:6])
max_ir, max_sys = sys.argv[7], sys.argv[8]
print()
print("frames forwarded (sink rx): %d   pvland tx counter of the sink port: %d" % (frames, tx))
print("user instructions per frame, whole process:      %7.1f" % (total / frames))
print("user instructions per frame, Dataplane::OnEvent: %7.1f" % (onevent / frames))
security = int(sys.argv[9])
if security:
    print("  of which PortSecurityStage::Process (inclusive): %7.1f" % (security / frames))
stage, send = int(sys.argv[10]), int(sys.argv[11])
if stage or send:
    print("  of which MirrorStage::Process (inclusive):       %7.1f" % (stage / frames))
    print("  of which Dataplane::SendMirrorCopies (inclusive): %7.1f" % (send / frames))
if sys.argv[12]:
    print(sys.argv[12])
calls, rows = 0, []
for line in open(sys.argv[6]):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and f[-1] not in ("total",):
        n = int(f[3]); name = f[-1]
        rows.append((n, name)); calls += n
print("syscalls per frame (strace, %d frames):        %9.4f" % (sframes, calls / sframes))
for n, name in sorted(rows, reverse=True):
    print("    %-16s %8d  %.4f/frame" % (name, n, n / sframes))
over = []
# The budget is the data path's: Dataplane::OnEvent, everything a batch costs from the
# readable port to the sent lists. Timer work (the router's 0.5 s refresh, FDB ageing)
# is paid per second, not per frame, and under valgrind's slowdown its share of the
# whole-process figure depends on how long the replay took on this machine.
budgeted = onevent if onevent else total
if max_ir and budgeted / frames > float(max_ir):
    over.append("instructions per frame %.1f > budget %s" % (budgeted / frames, max_ir))
if max_sys and calls / sframes > float(max_sys):
    over.append("syscalls per frame %.4f > budget %s" % (calls / sframes, max_sys))
for o in over:
    print("OVER BUDGET: " + o)
if max_ir or max_sys:
    print("budget: %s" % ("exceeded" if over else "met (instructions <= %s, syscalls <= %s)" % (max_ir or "-", max_sys or "-")))
sys.exit(1 if over else 0)
EOF
STATUS=$?
cat "$WORK/summary"
echo
echo "top functions by own Ir (callgrind_annotate):"
sed -n '/^Ir/,$p' "$WORK/self.txt" | head -25
exit $STATUS
