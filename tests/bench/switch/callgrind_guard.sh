#!/bin/bash
# User-space instructions per routed frame, and the IP guard's share, with rp_filter 0
# and 1 at the internal ports: a callgrind replay of full RX rings like callgrind.sh's,
# but through the kernel's router. ctest runs it as bench_instruction_guard. Needs root,
# valgrind, gcc.
#
#   tests/bench/switch/callgrind_guard.sh              # 10 bursts of 1000 frames per mode
#   BURSTS=50 tests/bench/switch/callgrind_guard.sh
#   MODES="0 1 2" tests/bench/switch/callgrind_guard.sh
#   MAX_GUARD_IR=60 ...     # exit 1 when the guard (IpGuardFilter::Check, inclusive)
#                           # costs more than this per frame in any mode
#   KEEP=/tmp/cg ...        # keep the callgrind dumps
#
# Topology (offloads off, IPv6 off), as routed.sh's:
#   gen [gen0 10.0.10.2] -- sw0 (VLAN 10) pvland sw1 (VLAN 20) -- [sink0 10.0.20.2] sink
#   gw10 (internal, VLAN 10) 10.0.10.1/24, gw20 (internal, VLAN 20) 10.0.20.1/24,
#   ip_forward 1; hosts route via them.
# pktgen sends 60-byte UDP frames 10.0.10.2 -> 10.0.20.2 to gw10's MAC; every frame
# crosses pvland twice: sw0 -> gw10 (the IP guard decides it: route input for the
# destination, and with rp_filter 1 the route back to the source), then, forwarded by
# the kernel, gw20 -> sw1 (plain L2).
# One valgrind process serves every mode: set the mode (pvlanctl sysctl -w
# net.ipv4.conf.gw10.rp_filter=R, and gw20), zero the counters, switch instrumentation
# on, forward BURSTS bursts (pvland SIGSTOPped while a burst fills its RX ring), switch
# it off, dump. Reported per frame the sink received: all Ir of the process, and the
# inclusive Ir of IpGuardFilter::Check (the guard stage: its header read, the router's
# DecideInput, the FIB lookups). Instruction counts do not depend on load.
set -u

BURSTS=${BURSTS:-10}
BURST=${BURST:-1000}
MODES=${MODES:-0 1}
MAX_GUARD_IR=${MAX_GUARD_IR:-}
PFX=pvg$$
NAME=callgrind_guard
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
G=$PFX-gen S=$PFX-sw K=$PFX-sink
GEN_IP=10.0.10.2 SINK_IP=10.0.20.2

bench_require ip ethtool valgrind callgrind_control callgrind_annotate gcc python3 timeout
[ "$BURST" -lt 1024 ] || die "BURST must fit in the RX ring with room to spare"
bench_build

veth() {  # ns1 dev1 ns2 dev2
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || die "veth $2"
  nsx "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || die "ethtool $2"
  nsx "$3" ethtool -K "$4" tx off tso off gso off gro off >/dev/null 2>&1 || die "ethtool $4"
  ip -n "$1" link set "$2" up; ip -n "$3" link set "$4" up
}
new_ns $G; new_ns $S; new_ns $K
veth $G gen0 $S sw0
veth $K sink0 $S sw1
ip -n $G addr add $GEN_IP/24 dev gen0; ip -n $G route add default via 10.0.10.1
ip -n $K addr add $SINK_IP/24 dev sink0; ip -n $K route add default via 10.0.20.1
nsx $S sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.ip_forward=1

SOCK=$WORK/pvland.sock
ctl() { nsx $S "$PVLANCTL" -s "$SOCK" "$@"; }
OUT=$WORK/callgrind.out
taskset -c 1 ip netns exec $S valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT" \
  "$PVLAND" -s "$SOCK" >"$WORK/vg.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
for _ in $(seq 1 300); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || die "pvland did not start: $(cat "$WORK/vg.log")"
ctl port add sw0 type netdev vlan 10 >/dev/null || die "port sw0"
ctl port add sw1 type netdev vlan 20 >/dev/null || die "port sw1"
ctl port add gw10 type internal vlan 10 >/dev/null || die "port gw10"
ctl port add gw20 type internal vlan 20 >/dev/null || die "port gw20"
for d in gw10 gw20; do nsx $S ethtool -K $d tx off tso off gso off gro off >/dev/null 2>&1; done
ip -n $S addr add 10.0.10.1/24 dev gw10; ip -n $S link set gw10 up
ip -n $S addr add 10.0.20.1/24 dev gw20; ip -n $S link set gw20 up
ok=0
for _ in $(seq 1 100); do
  if nsx $G ping -n -c 1 -W 2 $SINK_IP >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ $ok = 1 ] || die "gen cannot ping sink through the router"
GW_MAC=$(nsx $S cat /sys/class/net/gw10/address)
nsx $K timeout 3600 "$PKTGEN" sink $SINK_IP $GEN_IP 3600 &
PIDS+=("$!")
sleep 0.5

sink_rx() { nsx $K cat /sys/class/net/sink0/statistics/rx_packets; }
run_bursts() {  # prints the frames the sink received
  local start now target b
  start=$(sink_rx)
  for b in $(seq 1 "$BURSTS"); do
    kill -STOP "$VPID"
    nsx $G "$PKTGEN" tx gen0 "$GW_MAC" $GEN_IP $SINK_IP 10 "$BURST" >/dev/null || die "pktgen"
    target=$((start + b * BURST))
    kill -CONT "$VPID"
    for _ in $(seq 1 600); do
      now=$(sink_rx)
      [ "$now" -ge "$target" ] && break
      sleep 0.05
    done
    [ "$now" -ge "$target" ] || die "burst $b: sink got $((now - start)) of $((b * BURST)) frames (ring or queue overflow?)"
  done
  echo $((now - start))
}

echo "callgrind_guard: $BURSTS bursts of $BURST frames per mode, rp_filter modes: $MODES"
SUMMARY=$WORK/summary
n=0
for rp in $MODES; do
  ctl sysctl -w net.ipv4.conf.gw10.rp_filter="$rp" net.ipv4.conf.gw20.rp_filter="$rp" >/dev/null || die "sysctl"
  # One burst to warm up after the change, uncounted.
  BURSTS=1 run_bursts >/dev/null
  timeout 60 callgrind_control -z "$VPID" >/dev/null 2>&1 || die "callgrind_control -z failed"
  timeout 60 callgrind_control -i on "$VPID" >/dev/null 2>&1 || die "callgrind_control -i on failed"
  frames=$(run_bursts)
  timeout 60 callgrind_control -i off "$VPID" >/dev/null 2>&1 || die "callgrind_control -i off failed"
  timeout 60 callgrind_control -d "rp$rp" "$VPID" >/dev/null 2>&1 || die "callgrind_control -d failed"
  n=$((n + 1))
  dump=$(ls -t "$OUT".* 2>/dev/null | head -1)
  [ -s "$dump" ] || die "no callgrind dump for rp_filter $rp"
  mv "$dump" "$WORK/dump.rp$rp"
  total=$(callgrind_annotate "$WORK/dump.rp$rp" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
  guard=$(callgrind_annotate --inclusive=yes "$WORK/dump.rp$rp" 2>/dev/null |
    awk '/IpGuardFilter::Check/ {gsub(",", "", $1); print $1; exit}')
  echo "$rp $frames $total ${guard:-0}" >>"$SUMMARY"
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$WORK/dump.rp$rp" "$KEEP/"; fi
done
drops=$(ctl stats show gw10 | grep -E 'drop (rp_filter|martian)' || true)
[ -z "$drops" ] || die "the guard dropped frames that had a route back: $drops"

python3 - "$SUMMARY" "$MAX_GUARD_IR" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
budget = sys.argv[2]
print()
print("| rp_filter | frames | instructions / frame, whole process | IpGuardFilter::Check / frame |")
print("|---|---|---|---|")
per = {}
for rp, frames, total, guard in rows:
    f = int(frames)
    per[rp] = (int(total) / f, int(guard) / f)
    print("| %s | %d | %.1f | %.1f |" % (rp, f, per[rp][0], per[rp][1]))
if "0" in per and "1" in per:
    print()
    print("rp_filter 1 - 0: %+.1f instructions / frame whole process, %+.1f in the guard" %
          (per["1"][0] - per["0"][0], per["1"][1] - per["0"][1]))
over = [rp for rp, (t, g) in per.items() if budget and g > float(budget)]
if budget:
    print("budget: %s (guard <= %s instructions / frame)" % ("exceeded in rp_filter " + ",".join(over) if over else "met", budget))
sys.exit(1 if over else 0)
EOF
