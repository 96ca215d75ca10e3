#!/bin/bash
# Forwarding benchmark: pvland against the Linux bridge (and Open vSwitch's userspace
# datapath when it is installed), measured in the same run (method: the notes below and
# results.md). Manual, not part of ctest; needs root.
#
#   tests/bench/switch/bench.sh            # 3 repetitions
#   REPS=5 tests/bench/switch/bench.sh
#   IMPLS="pvland bridge" tests/bench/switch/bench.sh
#
# Environment:
#   REPS     repetitions (default 3); implementations are interleaved A B C A B C ...
#   OFFLOADS configurations to run, in order (default "on off"): on = the veths keep the
#            kernel's defaults (TX checksum, TSO/GSO, GRO), as in every user's lab; off =
#            TX checksum/TSO/GSO/GRO off on all four veth ends (per-frame cost at MTU size)
#   IMPLS    subset of: pvland pvland-iso pvland-sec pvland-mirror pvland-base bridge ovs veth (default: pvland
#            pvland-iso bridge, plus ovs when ovs-vswitchd is installed)
#   BASE_BUILD  for pvland-base: another build directory (an older commit's Release
#            build), so a change is measured against its parent in one interleaved run
#   BUILD    pvland build directory (default <repo>/build-bench; configured as Release and
#            built if pvland is missing there)
#   PPS_SECS counting window of the 64-byte test (default 6, after 2 s warm-up)
#   TCP_SECS iperf3 duration (default 6, plus 1 s omitted)
#
# Implementations:
#   pvland      two AF_PACKET ports, learning on, isolated off
#   pvland-iso  the same plus a third port, isolated on, on a veth to a fourth namespace
#               (the egress isolation check runs against a populated port table)
#   pvland-sec  like pvland, both ports with forged_transmits and mac_changes reject
#               (port security's checks on every frame; docs/port-security.md)
#   pvland-mirror like pvland, with a mirror session on sw0 in both directions whose rule
#               takes every frame: each forwarded frame is also encapsulated (VXLAN) and sent
#               to a fifth namespace over a veth (docs/mirroring.md)
#   pvland-base like pvland, with the binaries of BASE_BUILD
#   bridge      Linux bridge, RPS of both switch-side veths steered to CPU1
#   ovs         ovs-vswitchd, datapath_type=netdev (userspace), AF_PACKET ports, pinned
#               to CPU1, other_config:userspace-tso-enable=true when offloads are on
#               (without it TCP fails through it: partial checksums forwarded as they are).
#               Installed by this script (openvswitch-switch) when missing.
#   veth        gen and sink on one veth pair, no switch: the harness ceiling (not in
#               the default set)
#
# Topology, fresh for every implementation and repetition:
#   <pfx>-gen [gen0] ==veth== [sw0] <pfx>-sw [sw1] ==veth== [sink0] <pfx>-sink
#   198.18.0.1/24                                               198.18.0.2/24
# IPv6 off in every namespace; offloads as OFFLOADS says; MTU 1500. Generator, iperf3 client and ping run on CPU0 (taskset); the switch on CPU1.
#
# Metrics, per implementation and repetition:
#   64B Mpps   pktgen (pktgen.c, compiled here) floods 60-byte UDP frames to the sink's
#              MAC with sendmmsg x64 and PACKET_QDISC_BYPASS; the sink holds a connected
#              UDP socket with a minimal buffer; frames counted from the sink interface's
#              rx_packets over PPS_SECS after 2 s of warm-up.
#   sw CPU%    run time of the switch process (pvland, ovs-vswitchd; all threads, from
#              /proc/PID/task/*/schedstat) over that window,
#              in % of one CPU. CPU1 busy% is all non-idle time of CPU1 (includes softirq,
#              where the bridge does its work).
#   TCP 1/4    iperf3 -t TCP_SECS -O 1 -P 1 / -P 4, receiver-side Gbit/s.
#   RTT        ping -n -i 0.002 -c 2000 gen -> sink, p50 / p99 in microseconds.
#   idle CPU%  run time of the switch process over 2 s without traffic.
#   CPU@1k/10k run time of the switch process while pktgen sends 1,000 and 10,000
#              frames/s (one at a time, evenly spaced) for CPU_SECS.
# The final tables (one per configuration) print medians, the ratio of each median to the
# bridge's, and pvland's ratio to Open vSwitch's.
# On a shared machine other tenants' processes take CPU time from a userspace switch,
# iperf3 and the generator, but not from the bridge's softirq work: expect wide spreads
# between repetitions and read ratios of medians, never single runs.
set -u

REPS=${REPS:-3}
PPS_SECS=${PPS_SECS:-6}
TCP_SECS=${TCP_SECS:-6}
CPU_SECS=${CPU_SECS:-4}
OFFLOADS=${OFFLOADS:-on off}
PFX=pvb$$
NAME=bench
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RESULTS=$WORK/results

bench_require ip ethtool iperf3 ping taskset gcc python3 timeout
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (CPU0 for the load, CPU1 for the switch)"
bench_build

if ! command -v ovs-vswitchd >/dev/null && [ -z "${IMPLS:-}" ]; then
  echo "bench: installing openvswitch-switch for the comparison" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openvswitch-switch >/dev/null 2>&1 ||
    echo "bench: could not install openvswitch-switch; Open vSwitch is left out" >&2
  # The package starts its own daemons in the root namespace; the benchmark runs its own.
  systemctl stop openvswitch-switch >/dev/null 2>&1 || true
fi
if [ -z "${IMPLS:-}" ]; then
  IMPLS="pvland pvland-iso bridge"
  command -v ovs-vswitchd >/dev/null && command -v ovsdb-server >/dev/null && IMPLS="$IMPLS ovs"
fi
for impl in $IMPLS; do
  case $impl in
    pvland|pvland-iso|pvland-sec|pvland-mirror|bridge|veth) ;;
    pvland-base) [ -x "${BASE_BUILD:-}/daemon/pvland" ] || die "pvland-base needs BASE_BUILD with a built pvland" ;;
    ovs) command -v ovs-vswitchd >/dev/null || die "ovs requested but ovs-vswitchd is not installed" ;;
    *) die "unknown implementation '$impl'" ;;
  esac
done

G=$PFX-gen S=$PFX-sw K=$PFX-sink I=$PFX-iso M=$PFX-mtgt
GEN_IP=198.18.0.1 SINK_IP=198.18.0.2
SWPID=""  # the switch process whose CPU is measured


OFF=on  # the configuration being measured
no_offloads() {  # ns dev: offloads off in the "off" configuration; defaults otherwise
  [ "$OFF" = off ] || return 0
  nsx "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 ||
    die "ethtool -K $2 failed"
}

topo_up() {  # impl
  local impl=$1
  new_ns $G; new_ns $K
  if [ "$impl" = veth ]; then
    ip link add gen0 netns $G type veth peer name sink0 netns $K || die "veth"
  else
    new_ns $S
    ip link add gen0 netns $G type veth peer name sw0 netns $S || die "veth"
    ip link add sink0 netns $K type veth peer name sw1 netns $S || die "veth"
    no_offloads $S sw0; no_offloads $S sw1
    ip -n $S link set sw0 up; ip -n $S link set sw1 up
  fi
  no_offloads $G gen0; no_offloads $K sink0
  ip -n $G addr add $GEN_IP/24 dev gen0; ip -n $G link set gen0 up
  ip -n $K addr add $SINK_IP/24 dev sink0; ip -n $K link set sink0 up
  SWPID=""
  case $impl in
    pvland|pvland-iso|pvland-sec|pvland-mirror|pvland-base) start_pvland "$impl" ;;
    bridge) start_bridge ;;
    ovs) start_ovs ;;
  esac
  # Resolve ARP and let the switch learn both MACs.
  local ok=0
  for _ in $(seq 1 50); do
    if nsx $G ping -n -c 1 -W 1 $SINK_IP >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
  done
  [ $ok = 1 ] || die "$impl: gen cannot ping sink"
  SINK_MAC=$(nsx $K cat /sys/class/net/sink0/address)
}

topo_down() {
  local p ns
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null; wait "$p" 2>/dev/null; done
  PIDS=()
  for ns in $G $S $K $I $M; do
    ip netns list | grep -q "^$ns\b" || continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns"
  done
  rm -rf "$WORK/ovs"
}

start_pvland() {
  local sock=$WORK/pvland.sock daemon=$PVLAND client=$PVLANCTL
  if [ "$1" = pvland-base ]; then daemon=$BASE_BUILD/daemon/pvland client=$BASE_BUILD/ctl/cli/pvlanctl; fi
  rm -f "$sock"
  taskset -c 1 ip netns exec $S "$daemon" -s "$sock" >"$WORK/pvland.log" 2>&1 &
  SWPID=$!
  PIDS+=("$SWPID")
  for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || die "pvland did not start: $(cat "$WORK/pvland.log")"
  ctl() { nsx $S "$client" -s "$sock" "$@" || die "pvlanctl $*"; }
  ctl port add sw0
  ctl port add sw1
  if [ "$1" = pvland-iso ]; then
    new_ns $I
    ip link add iso0 netns $I type veth peer name sw2 netns $S || die "veth"
    no_offloads $S sw2; no_offloads $I iso0
    ip -n $S link set sw2 up; ip -n $I link set iso0 up
    ctl port add sw2
    ctl port set sw2 isolated on
  fi
  if [ "$1" = pvland-sec ]; then
    ctl port set sw0 forged_transmits reject mac_changes reject
    ctl port set sw1 forged_transmits reject mac_changes reject
  fi
  if [ "$1" = pvland-mirror ]; then
    # The target: a namespace behind a veth from pvland's, nothing listening on 4789.
    new_ns $M
    ip link add mt0 netns $S type veth peer name mt1 netns $M || die "veth"
    no_offloads $S mt0; no_offloads $M mt1
    ip -n $S addr add 198.19.0.1/24 dev mt0; ip -n $S link set mt0 up
    ip -n $M addr add 198.19.0.2/24 dev mt1; ip -n $M link set mt1 up
    ctl mirror add m1 source sw0 target 198.19.0.2 vni 42
    ctl mirror rule add m1 number 1 accept
  fi
  PVLANCTL_SOCK=$sock
}

start_bridge() {
  ip -n $S link add br0 type bridge || die "bridge"
  ip -n $S link set sw0 master br0; ip -n $S link set sw1 master br0
  ip -n $S link set br0 up
  # Receive processing of the switch-side veths on CPU1, like a userspace switch's.
  nsx $S sh -c 'echo 2 > /sys/class/net/sw0/queues/rx-0/rps_cpus; echo 2 > /sys/class/net/sw1/queues/rx-0/rps_cpus'
}

start_ovs() {
  local d=$WORK/ovs
  mkdir -p "$d"
  local schema=/usr/share/openvswitch/vswitch.ovsschema
  ovsdb-tool create "$d/conf.db" "$schema" >/dev/null || die "ovsdb-tool"
  nsx $S ovsdb-server "$d/conf.db" --remote=punix:"$d/db.sock" --unixctl="$d/db.ctl" \
    --pidfile="$d/db.pid" --no-chdir --log-file="$d/db.log" >/dev/null 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 50); do [ -S "$d/db.sock" ] && break; sleep 0.1; done
  local vsctl="ovs-vsctl --db=unix:$d/db.sock --no-wait"
  nsx $S $vsctl init
  # Read once at start-up: with offloads on, carry vnet headers (partial checksums, TSO).
  [ "$OFF" = on ] && nsx $S $vsctl set Open_vSwitch . other_config:userspace-tso-enable=true
  taskset -c 1 ip netns exec $S ovs-vswitchd unix:"$d/db.sock" --unixctl="$d/vs.ctl" \
    --pidfile="$d/vs.pid" --no-chdir --log-file="$d/vs.log" >/dev/null 2>&1 &
  SWPID=$!
  PIDS+=("$SWPID")
  sleep 0.5
  nsx $S ovs-vsctl --db=unix:"$d/db.sock" --timeout=10 add-br br0 -- set bridge br0 datapath_type=netdev \
    -- add-port br0 sw0 -- add-port br0 sw1 || die "ovs-vsctl"
  ip -n $S link set br0 up 2>/dev/null
}

cpu_ticks() {  # pid -> CPU time of all its threads, in clock ticks (1/CLK_TCK s)
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
  # schedstat's first field is the exact run time in ns. utime+stime from /proc/PID/stat
  # is sampled at the scheduler tick, and a switch woken by a sender paced on the same
  # millisecond grid is caught running at nearly every tick (1k frames/s read as 15%).
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" '{ns += $1} END {printf "%.3f\n", ns * hz / 1e9}'
}
cpu1_ticks() {  # -> "busy total" of CPU1 in clock ticks
  awk '$1 == "cpu1" {t = 0; for (i = 2; i <= NF; ++i) t += $i; print t - $5 - $6, t}' /proc/stat
}
sink_rx() { nsx $K cat /sys/class/net/sink0/statistics/rx_packets; }
now() { date +%s.%N; }
record() { echo "$1 $2 $3" >>"$RESULTS"; }  # impl metric value

measure_cpu_at() {  # impl rate
  local impl=$1 rate=$2
  [ -n "$SWPID" ] || return 0
  nsx $K timeout $((CPU_SECS + 8)) "$PKTGEN" sink $SINK_IP $GEN_IP $((CPU_SECS + 4)) &
  local sinkpid=$!
  sleep 0.2
  timeout $((CPU_SECS + 10)) taskset -c 0 ip netns exec $G "$PKTGEN" tx gen0 "$SINK_MAC" $GEN_IP $SINK_IP \
    $((CPU_SECS + 2)) -1 "$rate" >/dev/null 2>&1 &
  local genpid=$! t0 c0 t1 c1
  sleep 1
  t0=$(now); c0=$(cpu_ticks "$SWPID")
  sleep "$CPU_SECS"
  t1=$(now); c1=$(cpu_ticks "$SWPID")
  wait $genpid; wait $sinkpid
  python3 -c "print('$impl', 'cpu$rate', 100.0 * ($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0))" >>"$RESULTS"
}

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
  t0=$(now); r0=$(sink_rx); c0=$(cpu_ticks "$SWPID"); b0=$(cpu1_ticks)
  sleep "$PPS_SECS"
  t1=$(now); r1=$(sink_rx); c1=$(cpu_ticks "$SWPID"); b1=$(cpu1_ticks)
  wait $genpid; wait $sinkpid
  local hz; hz=$(getconf CLK_TCK)
  python3 - "$impl" "$t0" "$t1" "$r0" "$r1" "$c0" "$c1" "$b0" "$b1" "$hz" "$SWPID" >>"$RESULTS" <<'EOF'
import sys
impl, t0, t1, r0, r1, c0, c1, b0, b1, hz, swpid = sys.argv[1:]
b0, b1 = [list(map(int, x.split())) for x in (b0, b1)]
dt = float(t1) - float(t0)
print(impl, "mpps", (int(r1) - int(r0)) / dt / 1e6)
if swpid:
    print(impl, "swcpu", 100.0 * (float(c1) - float(c0)) / int(hz) / dt)
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

measure_rtt() {
  local impl=$1
  timeout 60 taskset -c 0 ip netns exec $G ping -n -i 0.002 -c 2000 $SINK_IP 2>/dev/null |
    sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' >"$WORK/rtt"
  python3 - "$impl" "$WORK/rtt" >>"$RESULTS" <<'EOF'
import sys
v = sorted(float(x) * 1000 for x in open(sys.argv[2]) if x.strip())
def pct(p): return v[min(len(v) - 1, int(p / 100.0 * len(v)))] if v else float("nan")
print(sys.argv[1], "rtt50", pct(50))
print(sys.argv[1], "rtt99", pct(99))
print(sys.argv[1], "pings", len(v))
EOF
}

measure_idle() {
  local impl=$1
  [ -n "$SWPID" ] || return 0
  sleep 0.5
  local t0 c0 t1 c1
  t0=$(now); c0=$(cpu_ticks "$SWPID")
  sleep 2
  t1=$(now); c1=$(cpu_ticks "$SWPID")
  python3 -c "import sys; print('$impl', 'idle', 100.0 * ($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0))" >>"$RESULTS"
}

echo "bench: implementations: $IMPLS; offloads: $OFFLOADS; repetitions: $REPS; pps window ${PPS_SECS}s; tcp ${TCP_SECS}s"
for OFF in $OFFLOADS; do
  echo "offloads $OFF:"
  for rep in $(seq 1 "$REPS"); do
    for impl in $IMPLS; do
      topo_up "$impl"
      measure_idle "$impl"
      measure_cpu_at "$impl" 1000
      measure_cpu_at "$impl" 10000
      measure_pps "$impl"
      measure_tcp "$impl" 1
      measure_tcp "$impl" 4
      measure_rtt "$impl"
      if [ -n "${PVLANCTL_SOCK:-}" ] && [[ $impl == pvland* ]]; then
        nsx $S "$PVLANCTL" -s "$PVLANCTL_SOCK" stats show >"$WORK/stats.$OFF.$impl.$rep" 2>&1
        [ "$impl" = pvland-mirror ] && nsx $S "$PVLANCTL" -s "$PVLANCTL_SOCK" mirror show >>"$WORK/stats.$OFF.$impl.$rep" 2>&1
        cp "$WORK/stats.$OFF.$impl.$rep" "${STATS_DIR:-$WORK}/" 2>/dev/null
      fi
      topo_down
      grep "^$impl " "$RESULTS" | awk -v r="$rep" '{v[$2] = $3} END {
        printf "  rep %s %-11s", r, $1;
        printf " %.3f Mpps  tcp1 %.2f  tcp4 %.2f Gbit/s  rtt %.0f/%.0f us", v["mpps"], v["tcp1"], v["tcp4"], v["rtt50"], v["rtt99"];
        if ("swcpu" in v) printf "  sw %.0f%%  idle %.1f%%  @1k %.1f%%  @10k %.1f%%", v["swcpu"], v["idle"], v["cpu1000"], v["cpu10000"];
        printf "  cpu1 %.0f%%\n", v["cpu1"] }' | tail -1
      # Only this repetition's line matters; earlier repetitions were printed already.
      sed -i "s/^$impl /$OFF:$impl.$rep /" "$RESULTS"
    done
  done
done

python3 - "$RESULTS" "$IMPLS" "$OFFLOADS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    key, metric, value = line.split()
    conf, rest = key.split(":", 1)
    impl = rest.rsplit(".", 1)[0]
    rows.setdefault(conf, {}).setdefault(impl, {}).setdefault(metric, []).append(float(value))
impls = sys.argv[2].split()
for conf in sys.argv[3].split():
    r = rows.get(conf, {})
    def med(impl, m):
        v = [x for x in r.get(impl, {}).get(m, []) if x == x]
        return statistics.median(v) if v else None
    def fmt(v, f):
        return "-" if v is None else f % v
    def ratio(impl, m, base="bridge"):
        a, b = med(impl, m), med(base, m)
        return "" if a is None or not b or impl == base else " (%.2f)" % (a / b)
    n = max((len(v) for i in r.values() for v in i.values()), default=0)
    print()
    print("offloads %s: medians of %d repetition(s); ratio to the Linux bridge of the same run in ()" % (conf, n))
    hdr = ["implementation", "64B Mpps", "TCP 1 Gbit/s", "TCP 4 Gbit/s", "RTT p50/p99 us",
           "sw CPU% @pps", "CPU1 busy%", "idle CPU%", "CPU% @1k/10k fps"]
    print("| " + " | ".join(hdr) + " |")
    print("|" + "|".join("---" for _ in hdr) + "|")
    for impl in impls:
        print("| " + " | ".join([
            impl,
            fmt(med(impl, "mpps"), "%.3f") + ratio(impl, "mpps"),
            fmt(med(impl, "tcp1"), "%.2f") + ratio(impl, "tcp1"),
            fmt(med(impl, "tcp4"), "%.2f") + ratio(impl, "tcp4"),
            fmt(med(impl, "rtt50"), "%.0f") + ratio(impl, "rtt50") + " / " + fmt(med(impl, "rtt99"), "%.0f") + ratio(impl, "rtt99"),
            fmt(med(impl, "swcpu"), "%.0f"),
            fmt(med(impl, "cpu1"), "%.0f"),
            fmt(med(impl, "idle"), "%.1f"),
            fmt(med(impl, "cpu1000"), "%.1f") + " / " + fmt(med(impl, "cpu10000"), "%.1f"),
        ]) + " |")
    # What a mirror session costs: pvland-mirror against plain pvland of the same run.
    if "pvland-mirror" in r and "pvland" in r:
        print("pvland-mirror / pvland (offloads %s): 64B %s, TCP 1 %s, TCP 4 %s, sw CPU%% @10k fps %s" % (conf,
              ratio("pvland-mirror", "mpps", "pvland").strip() or "-", ratio("pvland-mirror", "tcp1", "pvland").strip() or "-",
              ratio("pvland-mirror", "tcp4", "pvland").strip() or "-", ratio("pvland-mirror", "cpu10000", "pvland").strip() or "-"))
    if "ovs" in r:
        for impl in impls:
            if impl.startswith("pvland"):
                print("%s / ovs (offloads %s): 64B %s, TCP 1 %s, TCP 4 %s" % (impl, conf,
                      ratio(impl, "mpps", "ovs").strip() or "-", ratio(impl, "tcp1", "ovs").strip() or "-",
                      ratio(impl, "tcp4", "ovs").strip() or "-"))
EOF
