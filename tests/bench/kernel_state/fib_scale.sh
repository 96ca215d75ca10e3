#!/bin/bash
# Installs N (default 1M) IPv4 routes with `ip -batch` in a throw-away namespace
# while fib_scale_probe mirrors it with RtnlSync, then prints: the kernel's install
# time, how long after the kernel finished the mirror held every route, the Fib's
# memory (its own byte count, and the probe's RSS growth) and the kernel's (slab
# growth from /proc/meminfo and the ip_fib_* caches in /proc/slabinfo).
# Usage: fib_scale.sh [N] [BUILD_DIR]   (root; the namespace is deleted on exit)
set -u
N=${1:-1000000}
BUILD=${2:-${PVLAND_BUILD:-$(dirname "$0")/../../../build-nl}}
PROBE=$BUILD/tests/bench/kernel_state/fib_scale_probe
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$PROBE" ] || { echo "build fib_scale_probe first ($PROBE)"; exit 1; }

NS=pvfibscale$$
TMP=$(mktemp -d /tmp/fib_scale.XXXXXX)
PROBE_PID=
cleanup() {
  [ -n "$PROBE_PID" ] && kill "$PROBE_PID" 2>/dev/null && wait "$PROBE_PID" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
for i in 0 1; do
  ip -n "$NS" link add v$i type veth peer name p$i
  ip -n "$NS" link set v$i up
  ip -n "$NS" link set p$i up
  ip -n "$NS" addr add 10.0.$i.1/24 dev v$i
done
"$PROBE" --emit "$N" > "$TMP/routes"

slab_kib() { awk '/^Slab:/ {print $2}' /proc/meminfo; }
fib_slab_bytes() { awk '/^ip_fib_(trie|alias) / {s += $3 * $4} END {print s + 0}' /proc/slabinfo; }

ip netns exec "$NS" "$PROBE" --follow "$N" > "$TMP/probe.out" 2>&1 &
PROBE_PID=$!
for _ in $(seq 1 100); do grep -q ready "$TMP/probe.out" && break; sleep 0.1; done
grep -q ready "$TMP/probe.out" || { cat "$TMP/probe.out"; exit 1; }

sync; echo 3 > /proc/sys/vm/drop_caches
SLAB0=$(slab_kib); FIB0=$(fib_slab_bytes)
T0=$(date +%s%N)
ip -n "$NS" -batch "$TMP/routes" || { echo "ip -batch failed"; exit 1; }
T1=$(date +%s%N)
SLAB1=$(slab_kib); FIB1=$(fib_slab_bytes)
wait "$PROBE_PID"; RC=$?; PROBE_PID=
cat "$TMP/probe.out"
[ $RC = 0 ] || { echo "probe did not converge"; exit 1; }

CONV=$(sed -n 's/.*converged_ns=\([0-9]*\).*/\1/p' "$TMP/probe.out")
FIBB=$(sed -n 's/.*fib_bytes=\([0-9]*\).*/\1/p' "$TMP/probe.out")
RSS=$(sed -n 's/.*rss_delta_kib=\(-\?[0-9]*\).*/\1/p' "$TMP/probe.out")
awk -v n="$N" -v t0="$T0" -v t1="$T1" -v c="$CONV" -v fb="$FIBB" -v rss="$RSS" \
    -v s0="$SLAB0" -v s1="$SLAB1" -v f0="$FIB0" -v f1="$FIB1" 'BEGIN {
  printf "routes                       %d\n", n
  printf "kernel install (ip -batch)   %.2f s\n", (t1 - t0) / 1e9
  lag = (c - t1) / 1e9
  printf "mirror complete after kernel %.3f s%s\n", lag, lag <= 0 ? " (kept up)" : ""
  printf "fib memory (counted)         %.1f MiB\n", fb / 1048576
  printf "probe RSS growth             %.1f MiB\n", rss / 1024
  printf "kernel slab growth           %.1f MiB (ip_fib_trie+ip_fib_alias %.1f MiB)\n", (s1 - s0) / 1024, (f1 - f0) / 1048576
  if (s1 > s0) printf "fib / kernel slab            %.2f\n", fb / ((s1 - s0) * 1024)
}'
