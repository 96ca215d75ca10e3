#!/bin/bash
# Routed benchmark: the cost of the IP guard's rp_filter at internal ports. Traffic goes
# from one VLAN to another through the kernel's router, which sits behind two internal
# ports (pvland) or two bridge devices (Linux bridge, the reference); each is measured
# with rp_filter 0 and 1 on both L3 devices, interleaved, in one run. Manual, not part of
# ctest; needs root.
#
#   tests/bench/switch/routed.sh             # 3 repetitions
#   REPS=5 IMPLS="pvland-rp0 pvland-rp1" tests/bench/switch/routed.sh
#
# Environment:
#   REPS     repetitions (default 3); implementations are interleaved A B C D A B C D ...
#   IMPLS    subset of: pvland-rp0 pvland-rp1 bridge-rp0 bridge-rp1 (default: all four),
#            pvland-base-rp0 pvland-base-rp1 (pvland from BASE_BUILD)
#   BASE_BUILD  for pvland-base-*: another build directory (an older commit's Release
#            build), so a change is measured against its parent in one interleaved run
#   BUILD    pvland build directory (default <repo>/build-bench, Release, built if missing)
#   PPS_SECS counting window of the 64-byte test (default 6, after 2 s warm-up)
#   TCP_SECS iperf3 duration (default 6, plus 1 s omitted)
#
# Topology, fresh for every implementation and repetition (offloads on: the veths keep
# the kernel's defaults, as in users' labs; IPv6 off; MTU 1500):
#
#   <pfx>-gen [gen0] ==veth== [sw0] ┐               ┌ [sw1] ==veth== [sink0] <pfx>-sink
#   10.0.10.2/24                    │   <pfx>-sw    │                10.0.20.2/24
#   default via 10.0.10.1           │               │                default via 10.0.20.1
#                  pvland: sw0 access VLAN 10, gw10 (internal, VLAN 10) 10.0.10.1/24
#                          sw1 access VLAN 20, gw20 (internal, VLAN 20) 10.0.20.1/24
#                  bridge: bridge gw10 (port sw0) 10.0.10.1/24, bridge gw20 (port sw1)
#                          10.0.20.1/24; RPS of sw0 and sw1 on CPU1
#                  ip_forward 1; rp_filter R on gw10 and gw20 (pvland: pvlanctl sysctl -w,
#                  the kernel's own stays 0; bridge: sysctl -w); conf/all rp_filter 0
#
# pvland carries each frame twice (gen -> gw10 with the IP guard, gw20 -> sink plain L2);
# the kernel forwards between the TAPs in pvland's write calls. pvland and the bridge's
# receive work run on CPU1; generator, iperf3 client and ping on CPU0.
#
# Metrics, per implementation and repetition:
#   64B Mpps  pktgen floods 60-byte UDP frames 10.0.10.2 -> 10.0.20.2 to gw10's MAC
#             (sendmmsg x64, PACKET_QDISC_BYPASS); the sink counts rx_packets of sink0
#             over PPS_SECS after 2 s of warm-up; sw CPU% is pvland's run time meanwhile
#             (its own work and the kernel's forwarding, done in its write calls to the
#             TAP), and sw us/frame that run time per frame the sink received: on a
#             shared machine pvland gets a varying share of CPU1, and the time per frame
#             varies less than the rate.
#   TCP 1/4   iperf3 -t TCP_SECS -O 1 -P 1 / -P 4 gen -> sink, receiver-side Gbit/s.
# The table prints medians, min-max across repetitions, the ratio of rp_filter 1 to 0
# for each data plane, and pvland's ratio to the bridge.
set -u

REPS=${REPS:-3}
PPS_SECS=${PPS_SECS:-6}
TCP_SECS=${TCP_SECS:-6}
IMPLS=${IMPLS:-pvland-rp0 pvland-rp1 bridge-rp0 bridge-rp1}
PFX=pvr$$
NAME=routed
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RESULTS=$WORK/results

bench_require ip ethtool iperf3 ping taskset gcc python3 timeout
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (CPU0 for the load, CPU1 for the switch)"
for impl in $IMPLS; do
  case $impl in
    pvland-rp[012] | bridge-rp[012]) ;;
    pvland-base-rp[012]) [ -x "${BASE_BUILD:-}/daemon/pvland" ] || die "$impl needs BASE_BUILD with a built pvland" ;;
    *) die "unknown implementation '$impl'" ;;
  esac
done
bench_build

G=$PFX-gen S=$PFX-sw K=$PFX-sink
GEN_IP=10.0.10.2 SINK_IP=10.0.20.2
SWPID=""

topo_up() {  # impl
  local impl=$1 rp=${1##*-rp}
  new_ns $G; new_ns $S; new_ns $K
  ip link add gen0 netns $G type veth peer name sw0 netns $S || die "veth"
  ip link add sink0 netns $K type veth peer name sw1 netns $S || die "veth"
  ip -n $S link set sw0 up; ip -n $S link set sw1 up
  ip -n $G addr add $GEN_IP/24 dev gen0; ip -n $G link set gen0 up
  ip -n $K addr add $SINK_IP/24 dev sink0; ip -n $K link set sink0 up
  ip -n $G route add default via 10.0.10.1
  ip -n $K route add default via 10.0.20.1
  # A new namespace copies the host's conf/all: the runs start from the kernel's defaults.
  nsx $S sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.ip_forward=1
  SWPID=""
  case $impl in
    pvland-base-*) start_pvland "$rp" "$BASE_BUILD/daemon/pvland" "$BASE_BUILD/ctl/cli/pvlanctl" ;;
    pvland-*) start_pvland "$rp" "$PVLAND" "$PVLANCTL" ;;
    bridge-*) start_bridge "$rp" ;;
  esac
  local ok=0
  for _ in $(seq 1 50); do
    if nsx $G ping -n -c 1 -W 1 $SINK_IP >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
  done
  [ $ok = 1 ] || die "$impl: gen cannot ping sink through the router"
  GW_MAC=$(nsx $S cat /sys/class/net/gw10/address)
}

topo_down() {
  local p ns
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null; wait "$p" 2>/dev/null; done
  PIDS=()
  for ns in $G $S $K; do
    ip netns list | grep -q "^$ns\b" || continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns"
  done
}

SOCK=$WORK/pvland.sock
CTL=$PVLANCTL
ctl() { nsx $S "$CTL" -s "$SOCK" "$@" || die "pvlanctl $*"; }
start_pvland() {  # rp daemon client
  rm -f "$SOCK"
  CTL=$3
  taskset -c 1 ip netns exec $S "$2" -s "$SOCK" >"$WORK/pvland.log" 2>&1 &
  SWPID=$!
  PIDS+=("$SWPID")
  for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
  [ -S "$SOCK" ] || die "pvland did not start: $(cat "$WORK/pvland.log")"
  ctl port add sw0 type netdev vlan 10 >/dev/null
  ctl port add sw1 type netdev vlan 20 >/dev/null
  ctl port add gw10 type internal vlan 10 >/dev/null
  ctl port add gw20 type internal vlan 20 >/dev/null
  ip -n $S addr add 10.0.10.1/24 dev gw10; ip -n $S link set gw10 up
  ip -n $S addr add 10.0.20.1/24 dev gw20; ip -n $S link set gw20 up
  ctl sysctl -w net.ipv4.conf.gw10.rp_filter="$1" net.ipv4.conf.gw20.rp_filter="$1" >/dev/null
}

start_bridge() {  # rp
  local br
  ip -n $S link add gw10 type bridge stp_state 0 || die "bridge"
  ip -n $S link add gw20 type bridge stp_state 0 || die "bridge"
  ip -n $S link set sw0 master gw10; ip -n $S link set sw1 master gw20
  ip -n $S addr add 10.0.10.1/24 dev gw10; ip -n $S link set gw10 up
  ip -n $S addr add 10.0.20.1/24 dev gw20; ip -n $S link set gw20 up
  nsx $S sysctl -qw net.ipv4.conf.gw10.rp_filter="$1" net.ipv4.conf.gw20.rp_filter="$1"
  # Receive processing of the switch-side veths on CPU1, like a userspace switch's.
  nsx $S sh -c 'echo 2 > /sys/class/net/sw0/queues/rx-0/rps_cpus; echo 2 > /sys/class/net/sw1/queues/rx-0/rps_cpus'
}

cpu_ticks() {  # pid -> run time of all its threads in clock ticks
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" '{ns += $1} END {printf "%.3f\n", ns * hz / 1e9}'
}
cpu1_ticks() { awk '$1 == "cpu1" {t = 0; for (i = 2; i <= NF; ++i) t += $i; print t - $5 - $6, t}' /proc/stat; }
sink_rx() { nsx $K cat /sys/class/net/sink0/statistics/rx_packets; }
now() { date +%s.%N; }

measure_pps() {
  local impl=$1 total=$((PPS_SECS + 4))
  nsx $K timeout $((total + 5)) "$PKTGEN" sink $SINK_IP $GEN_IP $((total + 2)) &
  local sinkpid=$!
  sleep 0.2
  timeout $((total + 5)) taskset -c 0 ip netns exec $G "$PKTGEN" tx gen0 "$GW_MAC" $GEN_IP $SINK_IP $total \
    >"$WORK/gen.out" 2>&1 &
  local genpid=$!
  sleep 2
  local t0 r0 c0 b0 t1 r1 c1 b1
  t0=$(now); r0=$(sink_rx); c0=$(cpu_ticks "$SWPID"); b0=$(cpu1_ticks)
  sleep "$PPS_SECS"
  t1=$(now); r1=$(sink_rx); c1=$(cpu_ticks "$SWPID"); b1=$(cpu1_ticks)
  wait $genpid; wait $sinkpid
  python3 - "$impl" "$t0" "$t1" "$r0" "$r1" "$c0" "$c1" "$b0" "$b1" "$(getconf CLK_TCK)" "$SWPID" >>"$RESULTS" <<'EOF'
import sys
impl, t0, t1, r0, r1, c0, c1, b0, b1, hz, swpid = sys.argv[1:]
b0, b1 = [list(map(int, x.split())) for x in (b0, b1)]
dt = float(t1) - float(t0)
print(impl, "mpps", (int(r1) - int(r0)) / dt / 1e6)
if swpid:
    cpu = (float(c1) - float(c0)) / int(hz)
    print(impl, "swcpu", 100.0 * cpu / dt)
    print(impl, "usframe", 1e6 * cpu / max(1, int(r1) - int(r0)))
print(impl, "cpu1", 100.0 * (b1[0] - b0[0]) / max(1, b1[1] - b0[1]))
EOF
}

measure_tcp() {  # impl streams
  local impl=$1 n=$2
  nsx $K timeout $((TCP_SECS + 15)) iperf3 -s -1 -B $SINK_IP >/dev/null 2>&1 &
  local srv=$!
  for _ in $(seq 1 30); do nsx $K ss -ltn 2>/dev/null | grep -q ':5201' && break; sleep 0.1; done
  timeout $((TCP_SECS + 10)) taskset -c 0 ip netns exec $G iperf3 -c $SINK_IP -t "$TCP_SECS" -O 1 -P "$n" -J \
    >"$WORK/iperf.json" 2>/dev/null
  wait $srv 2>/dev/null
  python3 - "$impl" "tcp$n" "$WORK/iperf.json" >>"$RESULTS" <<'EOF'
import json, sys
try:
    j = json.load(open(sys.argv[3]))
    print(sys.argv[1], sys.argv[2], j["end"]["sum_received"]["bits_per_second"] / 1e9)
except Exception:
    print(sys.argv[1], sys.argv[2], "nan")
EOF
}

echo "routed: implementations: $IMPLS; repetitions: $REPS; pps window ${PPS_SECS}s; tcp ${TCP_SECS}s; offloads on"
for rep in $(seq 1 "$REPS"); do
  for impl in $IMPLS; do
    topo_up "$impl"
    measure_pps "$impl"
    measure_tcp "$impl" 1
    measure_tcp "$impl" 4
    if [[ $impl == pvland-* ]]; then
      # The guard must have dropped nothing: every frame had a route back via its port.
      nsx $S "$CTL" -s "$SOCK" stats show gw10 >"$WORK/stats.$impl.$rep" 2>&1
      if grep -Eq 'drop (rp_filter|martian_source|martian_destination)' "$WORK/stats.$impl.$rep"; then
        die "$impl: the guard dropped frames: $(tr '\n' ' ' <"$WORK/stats.$impl.$rep")"
      fi
    fi
    topo_down
    grep "^$impl " "$RESULTS" | awk -v r="$rep" '{v[$2] = $3} END {
      printf "  rep %s %-11s %.3f Mpps  tcp1 %.2f  tcp4 %.2f Gbit/s", r, $1, v["mpps"], v["tcp1"], v["tcp4"];
      if ("swcpu" in v) printf "  sw %.0f%% %.2f us/frame", v["swcpu"], v["usframe"];
      printf "  cpu1 %.0f%%\n", v["cpu1"] }' | tail -1
    sed -i "s/^$impl /$impl.$rep /" "$RESULTS"
  done
done

python3 - "$RESULTS" "$IMPLS" <<'EOF'
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
print("routed, offloads on: medians of %d repetition(s), (min-max)" % n)
hdr = ["data plane, rp_filter", "64B Mpps", "TCP 1 Gbit/s", "TCP 4 Gbit/s", "sw CPU% @pps", "sw us/frame", "CPU1 busy%"]
print("| " + " | ".join(hdr) + " |")
print("|" + "|".join("---" for _ in hdr) + "|")
for impl in impls:
    print("| " + " | ".join([impl, cell(impl, "mpps", "%.3f"), cell(impl, "tcp1", "%.2f"),
                             cell(impl, "tcp4", "%.2f"), cell(impl, "swcpu", "%.0f"), cell(impl, "usframe", "%.2f"),
                             cell(impl, "cpu1", "%.0f")]) + " |")
print()
def ratio(a, b, m):
    x, y = med(a, m), med(b, m)
    return "-" if x is None or not y else "%.3f" % (x / y)
for dp in ("pvland", "pvland-base", "bridge"):
    a, b = dp + "-rp1", dp + "-rp0"
    if a in r and b in r:
        print("%s rp_filter 1 / 0: 64B %s, TCP 1 %s, TCP 4 %s, sw us/frame %s" % (dp, ratio(a, b, "mpps"), ratio(a, b, "tcp1"),
              ratio(a, b, "tcp4"), ratio(a, b, "usframe")))
# The same ratios repetition by repetition (rp_filter 1 and 0 ran back to back, under
# nearly the same load): median and range of the per-repetition ratios.
def paired(a, b, m):
    x, y = r.get(a, {}).get(m, []), r.get(b, {}).get(m, [])
    q = sorted(p / q for p, q in zip(x, y) if p == p and q == q and q)
    return "-" if not q else "%.3f (%.3f-%.3f)" % (statistics.median(q), q[0], q[-1])
for dp in ("pvland", "pvland-base", "bridge"):
    a, b = dp + "-rp1", dp + "-rp0"
    if a in r and b in r:
        print("%s rp_filter 1 / 0 per repetition: 64B %s, TCP 1 %s, TCP 4 %s, sw us/frame %s" % (dp, paired(a, b, "mpps"),
              paired(a, b, "tcp1"), paired(a, b, "tcp4"), paired(a, b, "usframe")))
for rp in ("rp0", "rp1"):
    for base in ("bridge", "pvland-base"):
        a, b = "pvland-" + rp, base + "-" + rp
        if a in r and b in r:
            print("pvland / %s, %s: 64B %s, TCP 1 %s, TCP 4 %s" % (base, rp, ratio(a, b, "mpps"), ratio(a, b, "tcp1"), ratio(a, b, "tcp4")))
EOF
