#!/bin/bash
# Runs bench_fib's lookup benchmarks RUNS times pinned to one CPU and prints, per
# benchmark, every run's rate and the min / median / max, with how busy other
# processes kept that CPU during each run (the figure's main source of noise on a
# shared machine).
# Usage: bench_fib_runs.sh [RUNS] [BUILD_DIR] [bench_fib args...]
#   CPU=1 (default) picks the core; PVLAND_BENCH_THP=off runs without huge pages.
set -eu
RUNS=${1:-5}
BUILD=${2:-$(dirname "$0")/../../../build-bench}
shift $(( $# > 2 ? 2 : $# ))
BIN=${BENCH_FIB:-$BUILD/tests/bench/kernel_state/bench_fib}
[ -x "$BIN" ] || { echo "build bench_fib first ($BIN)"; exit 1; }
OUT=$(mktemp /tmp/bench_fib_runs.XXXXXX)
trap 'rm -f "$OUT"' EXIT
for r in $(seq 1 "$RUNS"); do
  taskset -c "${CPU:-1}" "$BIN" --benchmark_filter='Lookup|TrieOnly' "$@" > "$OUT.run" 2>&1
  [ "$r" = 1 ] && grep -E '^(build|cpu|cpus_allowed|thp|prefixes|fib_memory|vm_size|huge_pages)' "$OUT.run"
  other=$(sed -n 's/.*cpu [0-9]*: \([0-9.]*\)% other processes.*/\1/p' "$OUT.run")
  huge=$(sed -n 's/^after the run: huge pages \([0-9.]* of [0-9.]*\) MiB.*/\1/p' "$OUT.run")
  awk -v r="$r" -v o="$other" -v h="$huge" '/^BM_/ {
    for (i = 1; i <= NF; i++) if ($i ~ /^items_per_second=/) {
      v = $i; sub(/items_per_second=/, "", v); m = v + 0
      if (v ~ /k\/s$/) m /= 1000; else if (v ~ /G\/s$/) m *= 1000; else if (v !~ /M\/s$/) m /= 1e6
      printf "%s %d %.2f %s %s\n", $1, r, m, o, h
    }
  }' "$OUT.run" >> "$OUT"
  rm -f "$OUT.run"
done
awk '{ name[$1] = 1; v[$1, ++n[$1]] = $3
       printf "run %d  %-20s %7.2f M/s  (other processes on the cpu: %s%%, huge pages: %s MiB)\n", $2, $1, $3, $4, $5 }
     END {
  for (b in name) {
    k = n[b]
    for (i = 1; i <= k; i++) s[i] = v[b, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
    med = k % 2 ? s[(k + 1) / 2] : (s[k / 2] + s[k / 2 + 1]) / 2
    printf "%-20s runs %d  min %.2f  median %.2f  max %.2f M lookups/s\n", b, k, s[1], med, s[k]
  }
}' "$OUT"
