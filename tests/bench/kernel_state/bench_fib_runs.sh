#!/bin/bash
# Runs bench_fib RUNS times pinned to one CPU and prints every run's rates and, per
# binary and benchmark, the min / median / max, with how busy other processes kept
# that CPU and the memory latency bench_fib measured in each run (the figure's main
# sources of noise on a shared machine). Given several binaries (e.g. a build of
# the parent commit and one of the change), it interleaves them: A B A B ...
# Usage: bench_fib_runs.sh [RUNS] [BENCH_FIB...]
#   default binary: build-bench/tests/bench/kernel_state/bench_fib at the top of the tree
#   CPU=1 picks the core (default 1); FILTER is the --benchmark_filter (default
#   'Lookup|TrieOnly'); PVLAND_BENCH_THP=off runs without huge pages.
set -eu
RUNS=${1:-5}
[ $# -gt 0 ] && shift
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=("$(dirname "$0")/../../../build-bench/tests/bench/kernel_state/bench_fib")
for b in "${BINS[@]}"; do [ -x "$b" ] || { echo "not built: $b"; exit 1; }; done
OUT=$(mktemp /tmp/bench_fib_runs.XXXXXX)
trap 'rm -f "$OUT" "$OUT.run"' EXIT
for r in $(seq 1 "$RUNS"); do
  for b in "${BINS[@]}"; do
    taskset -c "${CPU:-1}" "$b" --benchmark_filter="${FILTER:-Lookup|TrieOnly}" > "$OUT.run" 2>&1
    if [ "$r" = 1 ]; then
      echo "== $b"
      grep -E '^(build|cpu|cpus_allowed|thp|prefixes|fib_memory|vm_size|huge_pages)' "$OUT.run" | sed 's/^/   /'
    fi
    other=$(sed -n 's/.*cpu [0-9]*: \([0-9.]*\)% other processes.*/\1/p' "$OUT.run")
    mem=$(sed -n 's/^memory: \([0-9]*\) ns per dependent read.*/\1/p' "$OUT.run")
    awk -v r="$r" -v b="$b" -v o="${other:-?}" -v m="${mem:-?}" '/^BM_/ {
      for (i = 1; i <= NF; i++) if ($i ~ /^items_per_second=/) {
        v = $i; sub(/items_per_second=/, "", v); x = v + 0
        if (v ~ /k\/s$/) x /= 1000; else if (v ~ /G\/s$/) x *= 1000; else if (v !~ /M\/s$/) x /= 1e6
        printf "%s %s %d %.6g %s %s\n", b, $1, r, x, o, m
      }
    }' "$OUT.run" >> "$OUT"
  done
done
awk '{ printf "run %d  %-28s %9.4g M/s  other processes on the cpu %s%%, memory latency %s ns  %s\n", $3, $2, $4, $5, $6, $1
       k = $1 SUBSEP $2; if (!(k in n)) order[++nk] = k; v[k, ++n[k]] = $4 }
     END {
  print ""
  for (j = 1; j <= nk; j++) {
    k = order[j]; c = n[k]
    for (i = 1; i <= c; i++) s[i] = v[k, i]
    for (i = 1; i <= c; i++) for (l = i + 1; l <= c; l++) if (s[l] < s[i]) { t = s[i]; s[i] = s[l]; s[l] = t }
    med = c % 2 ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
    split(k, parts, SUBSEP)
    printf "%-28s runs %d  min %8.4g  median %8.4g  max %8.4g M/s  %s\n", parts[2], c, s[1], med, s[c], parts[1]
  }
}' "$OUT"
