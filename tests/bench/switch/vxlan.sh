#!/bin/bash
# VXLAN tunnel benchmark: two pvland instances joined by VXLAN ports against two Linux
# vxlan devices in Linux bridges (the reference), measured in the same run, interleaved.
# Manual, not part of ctest; needs root.
#
#   tests/bench/switch/vxlan.sh             # 3 repetitions
#   REPS=5 IMPLS="pvland kernel" tests/bench/switch/vxlan.sh
#
# Environment:
#   REPS     repetitions (default 3); implementations are interleaved A B A B ...
#   IMPLS    subset of: pvland kernel pvland-base (default: pvland kernel)
#   BASE_BUILD  for pvland-base: another build directory (an older commit's Release
#            build), so a change is measured against its parent in one interleaved run
#   BUILD    pvland build directory (default <repo>/build-bench, Release, built if missing)
#   PPS_SECS counting window of the 64-byte test (default 6, after 2 s warm-up)
#   TCP_SECS iperf3 duration (default 6, plus 1 s omitted)
#
# Topology, fresh for every implementation and repetition (offloads on: every veth keeps
# the kernel's defaults, as in users' labs; IPv6 off):
#
#   <pfx>-gen [gen0] == [sw0] <pfx>-a [ua] ==== underlay veth ==== [ub] <pfx>-b [sw1] == [sink0] <pfx>-sink
#   10.0.0.1/24                 172.30.0.1/24                172.30.0.2/24                 10.0.0.2/24
#
#   pvland: in a and in b, a pvland with the host port (sw0 / sw1) and vx0 (type vxlan vni
#           100 remote <the other>); both pinned to CPU1
#   kernel: in a and in b, bridge br0 with the host port and vxk (vxlan id 100 dstport
#           4789 local/remote the underlay addresses dev ua/ub: MTU 1450); RPS of the
#           host ports and the underlay ends on CPU1
# Inner MTU 1450 on gen0 and sink0 (the kernel vxlan device's own, underlay 1500 - 50), so
# neither data plane fragments. Generator, iperf3 client and ping on CPU0.
#
# Metrics, per implementation and repetition:
#   64B Mpps  pktgen floods 60-byte UDP frames gen -> sink (sendmmsg x64,
#             PACKET_QDISC_BYPASS, to the sink's MAC); the sink counts rx_packets of
#             sink0 over PPS_SECS after 2 s of warm-up; sw CPU% is the two pvlands' run
#             time meanwhile, sw us/frame that time per frame the sink received.
#   TCP 1/4   iperf3 -t TCP_SECS -O 1 -P 1 / -P 4 gen -> sink, receiver-side Gbit/s.
#   RTT       ping -i 0.002 -c 1000 gen -> sink, p50 / p99 in microseconds.
# The table prints medians with min-max, the ratio of pvland's medians to the kernel's,
# and the per-repetition ratios (pvland and the kernel ran back to back).
# On a shared machine other tenants take CPU time from the userspace switches but not
# from the kernel's softirq work: read ratios of medians, never single runs.
set -u

REPS=${REPS:-3}
PPS_SECS=${PPS_SECS:-6}
TCP_SECS=${TCP_SECS:-6}
IMPLS=${IMPLS:-pvland kernel}
PFX=pvx$$
NAME=vxlan
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RESULTS=$WORK/results

bench_require ip ethtool iperf3 ping taskset gcc python3 timeout
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (CPU0 for the load, CPU1 for the switch)"
for impl in $IMPLS; do
  case $impl in
    pvland | kernel) ;;
    pvland-base) [ -x "${BASE_BUILD:-}/daemon/pvland" ] || die "pvland-base needs BASE_BUILD with a built pvland" ;;
    *) die "unknown implementation '$impl'" ;;
  esac
done
bench_build

G=$PFX-gen A=$PFX-a B=$PFX-b K=$PFX-sink
GEN_IP=10.0.0.1 SINK_IP=10.0.0.2 UA=172.30.0.1 UB=172.30.0.2 VNI=100
SWPIDS=()

topo_up() {  # impl
  local impl=$1
  new_ns $G; new_ns $A; new_ns $B; new_ns $K
  ip link add gen0 netns $G type veth peer name sw0 netns $A || die "veth"
  ip link add sink0 netns $K type veth peer name sw1 netns $B || die "veth"
  ip link add ua netns $A type veth peer name ub netns $B || die "veth"
  ip -n $A addr add $UA/24 dev ua; ip -n $A link set ua up; ip -n $A link set sw0 up
  ip -n $B addr add $UB/24 dev ub; ip -n $B link set ub up; ip -n $B link set sw1 up
  ip -n $G link set gen0 mtu 1450; ip -n $K link set sink0 mtu 1450
  ip -n $G addr add $GEN_IP/24 dev gen0; ip -n $G link set gen0 up
  ip -n $K addr add $SINK_IP/24 dev sink0; ip -n $K link set sink0 up
  SWPIDS=()
  case $impl in
    pvland) start_pvland "$PVLAND" "$PVLANCTL" ;;
    pvland-base) start_pvland "$BASE_BUILD/daemon/pvland" "$BASE_BUILD/ctl/cli/pvlanctl" ;;
    kernel) start_kernel ;;
  esac
  local ok=0
  for _ in $(seq 1 50); do
    if nsx $G ping -n -c 1 -W 1 $SINK_IP >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
  done
  [ $ok = 1 ] || die "$impl: gen cannot ping sink through the tunnel"
  SINK_MAC=$(nsx $K cat /sys/class/net/sink0/address)
}

topo_down() {
  local p ns
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null; wait "$p" 2>/dev/null; done
  PIDS=()
  for ns in $G $A $B $K; do
    ip netns list | grep -q "^$ns\b" || continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns"
  done
}

CTL=$PVLANCTL
start_pvland() {  # daemon client
  local side ns port local remote sock
  CTL=$2
  for side in a b; do
    if [ $side = a ]; then ns=$A port=sw0 local=$UA remote=$UB; else ns=$B port=sw1 local=$UB remote=$UA; fi
    sock=$WORK/$side.sock
    rm -f "$sock"
    taskset -c 1 ip netns exec $ns "$1" -s "$sock" >"$WORK/pvland-$side.log" 2>&1 &
    SWPIDS+=($!)
    PIDS+=($!)
    for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
    [ -S "$sock" ] || die "pvland did not start: $(cat "$WORK/pvland-$side.log")"
    nsx $ns "$CTL" -s "$sock" port add $port >/dev/null || die "port add $port"
    nsx $ns "$CTL" -s "$sock" port add vx0 type vxlan vni $VNI remote $remote local $local >/dev/null ||
      die "port add vx0"
  done
}

start_kernel() {
  local ns port local remote
  for ns in $A $B; do
    if [ $ns = $A ]; then port=sw0 local=$UA remote=$UB; else port=sw1 local=$UB remote=$UA; fi
    ip -n $ns link add vxk type vxlan id $VNI dstport 4789 local $local remote $remote dev u${ns##*-} || die "vxlan"
    ip -n $ns link add br0 type bridge stp_state 0 || die "bridge"
    ip -n $ns link set vxk master br0; ip -n $ns link set $port master br0
    ip -n $ns link set vxk up; ip -n $ns link set br0 up
    # Receive processing on CPU1, like the userspace switches'.
    nsx $ns sh -c "echo 2 > /sys/class/net/$port/queues/rx-0/rps_cpus; echo 2 > /sys/class/net/u${ns##*-}/queues/rx-0/rps_cpus"
  done
}

cpu_ticks() {  # pids -> run time of all their threads in clock ticks
  local p files=()
  for p in "$@"; do files+=(/proc/"$p"/task/*/schedstat); done
  [ $# -gt 0 ] || { echo 0; return; }
  cat "${files[@]}" 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" '{ns += $1} END {printf "%.3f\n", ns * hz / 1e9}'
}
cpu1_ticks() { awk '$1 == "cpu1" {t = 0; for (i = 2; i <= NF; ++i) t += $i; print t - $5 - $6, t}' /proc/stat; }
sink_rx() { nsx $K cat /sys/class/net/sink0/statistics/rx_packets; }
now() { date +%s.%N; }

measure_pps() {
  local impl=$1 total=$((PPS_SECS + 4))
  nsx $K timeout $((total + 5)) "$PKTGEN" sink $SINK_IP $GEN_IP $((total + 2)) &
  local sinkpid=$!
  sleep 0.2
  timeout $((total + 5)) taskset -c 0 ip netns exec $G "$PKTGEN" tx gen0 "$SINK_MAC" $GEN_IP $SINK_IP $total \
    >"$WORK/gen.out" 2>&1 &
  local genpid=$!
  sleep 2
  local t0 r0 c0 b0 t1 r1 c1 b1
  t0=$(now); r0=$(sink_rx); c0=$(cpu_ticks "${SWPIDS[@]}"); b0=$(cpu1_ticks)
  sleep "$PPS_SECS"
  t1=$(now); r1=$(sink_rx); c1=$(cpu_ticks "${SWPIDS[@]}"); b1=$(cpu1_ticks)
  wait $genpid; wait $sinkpid
  python3 - "$impl" "$t0" "$t1" "$r0" "$r1" "$c0" "$c1" "$b0" "$b1" "$(getconf CLK_TCK)" "${#SWPIDS[@]}" >>"$RESULTS" <<'PY'
import sys
impl, t0, t1, r0, r1, c0, c1, b0, b1, hz, nsw = sys.argv[1:]
b0, b1 = [list(map(int, x.split())) for x in (b0, b1)]
dt = float(t1) - float(t0)
print(impl, "mpps", (int(r1) - int(r0)) / dt / 1e6)
if int(nsw):
    cpu = (float(c1) - float(c0)) / int(hz)
    print(impl, "swcpu", 100.0 * cpu / dt)
    print(impl, "usframe", 1e6 * cpu / max(1, int(r1) - int(r0)))
print(impl, "cpu1", 100.0 * (b1[0] - b0[0]) / max(1, b1[1] - b0[1]))
PY
}

measure_tcp() {  # impl streams
  local impl=$1 n=$2
  nsx $K timeout $((TCP_SECS + 15)) iperf3 -s -1 -B $SINK_IP >/dev/null 2>&1 &
  local srv=$!
  for _ in $(seq 1 30); do nsx $K ss -ltn 2>/dev/null | grep -q ':5201' && break; sleep 0.1; done
  timeout $((TCP_SECS + 10)) taskset -c 0 ip netns exec $G iperf3 -c $SINK_IP -t "$TCP_SECS" -O 1 -P "$n" -J \
    >"$WORK/iperf.json" 2>/dev/null
  wait $srv 2>/dev/null
  python3 - "$impl" "tcp$n" "$WORK/iperf.json" >>"$RESULTS" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[3]))
    print(sys.argv[1], sys.argv[2], j["end"]["sum_received"]["bits_per_second"] / 1e9)
except Exception:
    print(sys.argv[1], sys.argv[2], "nan")
PY
}

measure_rtt() {
  local impl=$1
  timeout 60 taskset -c 0 ip netns exec $G ping -n -i 0.002 -c 1000 $SINK_IP 2>/dev/null |
    sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' >"$WORK/rtt"
  python3 - "$impl" "$WORK/rtt" >>"$RESULTS" <<'PY'
import sys
v = sorted(float(x) * 1000 for x in open(sys.argv[2]) if x.strip())
def pct(p): return v[min(len(v) - 1, int(p / 100.0 * len(v)))] if v else float("nan")
print(sys.argv[1], "rtt50", pct(50))
print(sys.argv[1], "rtt99", pct(99))
PY
}

echo "vxlan: implementations: $IMPLS; repetitions: $REPS; pps window ${PPS_SECS}s; tcp ${TCP_SECS}s; offloads on"
for rep in $(seq 1 "$REPS"); do
  for impl in $IMPLS; do
    topo_up "$impl"
    measure_pps "$impl"
    measure_tcp "$impl" 1
    measure_tcp "$impl" 4
    measure_rtt "$impl"
    if [[ $impl == pvland* ]]; then
      for side in a b; do
        ns=$A; [ $side = b ] && ns=$B
        nsx $ns "$CTL" -s "$WORK/$side.sock" stats show >"$WORK/stats.$impl.$rep.$side" 2>&1
        cp "$WORK/stats.$impl.$rep.$side" "${STATS_DIR:-$WORK}/" 2>/dev/null
      done
    fi
    topo_down
    grep "^$impl " "$RESULTS" | awk -v r="$rep" '{v[$2] = $3} END {
      printf "  rep %s %-11s %.3f Mpps  tcp1 %.2f  tcp4 %.2f Gbit/s  rtt %.0f/%.0f us", r, $1, v["mpps"], v["tcp1"], v["tcp4"], v["rtt50"], v["rtt99"];
      if ("swcpu" in v) printf "  sw %.0f%% %.2f us/frame", v["swcpu"], v["usframe"];
      printf "  cpu1 %.0f%%\n", v["cpu1"] }' | tail -1
    sed -i "s/^$impl /$impl.$rep /" "$RESULTS"
  done
done

python3 - "$RESULTS" "$IMPLS" <<'PY'
import statistics, sys
r = {}
for line in open(sys.argv[1]):
    key, metric, value = line.split()
    impl = key.rsplit(".", 1)[0]
    r.setdefault(impl, {}).setdefault(metric, []).append(float(value))
impls = sys.argv[2].split()
def vals(impl, m): return [x for x in r.get(impl, {}).get(m, []) if x == x]
def med(impl, m):
    v = vals(impl, m)
    return statistics.median(v) if v else None
def cell(impl, m, f):
    v = vals(impl, m)
    if not v: return "-"
    return (f % statistics.median(v)) + " (" + (f % min(v)) + "-" + (f % max(v)) + ")"
n = max((len(v) for i in r.values() for v in i.values()), default=0)
print()
print("vxlan tunnel, offloads on, inner MTU 1450: medians of %d repetition(s), (min-max)" % n)
hdr = ["data plane", "64B Mpps", "TCP 1 Gbit/s", "TCP 4 Gbit/s", "RTT p50/p99 us", "sw CPU% @pps", "sw us/frame", "CPU1 busy%"]
print("| " + " | ".join(hdr) + " |")
print("|" + "|".join("---" for _ in hdr) + "|")
for impl in impls:
    rtt = "-" if med(impl, "rtt50") is None else "%.0f / %.0f" % (med(impl, "rtt50"), med(impl, "rtt99"))
    print("| " + " | ".join([impl, cell(impl, "mpps", "%.3f"), cell(impl, "tcp1", "%.2f"), cell(impl, "tcp4", "%.2f"),
                             rtt, cell(impl, "swcpu", "%.0f"), cell(impl, "usframe", "%.2f"), cell(impl, "cpu1", "%.0f")]) + " |")
print()
def ratio(a, b, m):
    x, y = med(a, m), med(b, m)
    return "-" if x is None or not y else "%.3f" % (x / y)
def paired(a, b, m):
    x, y = r.get(a, {}).get(m, []), r.get(b, {}).get(m, [])
    q = sorted(p / q for p, q in zip(x, y) if p == p and q == q and q)
    return "-" if not q else "%.3f (%.3f-%.3f)" % (statistics.median(q), q[0], q[-1])
for a in ("pvland", "pvland-base"):
    if a in r and "kernel" in r:
        print("%s / kernel, medians: 64B %s, TCP 1 %s, TCP 4 %s" % (a, ratio(a, "kernel", "mpps"), ratio(a, "kernel", "tcp1"), ratio(a, "kernel", "tcp4")))
        print("%s / kernel per repetition: 64B %s, TCP 1 %s, TCP 4 %s" % (a, paired(a, "kernel", "mpps"), paired(a, "kernel", "tcp1"), paired(a, "kernel", "tcp4")))
if "pvland" in r and "pvland-base" in r:
    print("pvland / pvland-base per repetition: 64B %s, TCP 1 %s, TCP 4 %s" % (paired("pvland", "pvland-base", "mpps"),
          paired("pvland", "pvland-base", "tcp1"), paired("pvland", "pvland-base", "tcp4")))
PY
