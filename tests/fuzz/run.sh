#!/usr/bin/env bash
# Fuzzes every target of a PVLAND_FUZZ tree for a bounded time each, JOBS at once:
#   bash tests/fuzz/run.sh BUILD [SECONDS_PER_TARGET=60] [JOBS=2] [TARGET...]
# Starts from tests/fuzz/corpus/NAME/; what the run finds goes to a scratch directory,
# never into the source tree. Exits non-zero when any target crashed, leaked, timed out
# or had a sanitizer report; the log tail and the offending input (hex) are printed, and
# the input is kept for `fuzz_NAME FILE` and for the corpus, as docs/testing.md says.
set -u
BUILD=$(cd "$1" && pwd)
SECS=${2:-60}
JOBS=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${PVLAND_FUZZ_OUT:-$(mktemp -d /tmp/pvland-fuzz.XXXXXX)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
[ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/bin/llvm-symbolizer-14 ] && export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in "$SRC"/tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi

fuzz_one() {
  local name=$1 dir=$OUT/$1 bin=$BUILD/tests/fuzz/fuzz_$1
  mkdir -p "$dir/new" "$dir/artifacts"
  if [ ! -x "$bin" ]; then
    echo "fuzz $name: $bin not built" >"$dir/log"
    echo 1 >"$dir/rc"
    return
  fi
  # -close_fd_mask=1: the targets' own output (the daemon's log lines) is not the point;
  # libFuzzer's and the sanitizers' reports still come out on stderr.
  "$bin" -max_total_time="$SECS" -timeout=60 -rss_limit_mb=2560 -max_len=4096 -print_final_stats=1 -print_funcs=0 \
    -close_fd_mask=1 -artifact_prefix="$dir/artifacts/" "$dir/new" "$SRC/tests/fuzz/corpus/$name" \
    >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}

for t in "${targets[@]}"; do
  fuzz_one "$t" &
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done
wait

fail=0
for t in "${targets[@]}"; do
  dir=$OUT/$t
  rc=$(cat "$dir/rc" 2>/dev/null || echo 1)
  stats=$(grep -E '^stat::(number_of_executed_units|new_units_added)' "$dir/log" | awk '{printf "%s ", $2}')
  cov=$(grep -oE 'cov: [0-9]+' "$dir/log" | tail -1)
  if [ "$rc" = 0 ]; then
    echo "fuzz $t: ok (${SECS}s; executions, new inputs: ${stats:-?}; $cov)"
  else
    fail=1
    echo "fuzz $t: FAILED (exit $rc)"
    grep -v '^#' "$dir/log" | tail -60 | sed 's/^/  | /'
    for a in "$dir"/artifacts/*; do
      [ -f "$a" ] || continue
      echo "  input $a ($(stat -c %s "$a") bytes):"
      od -An -tx1 -v "$a" | head -40 | sed 's/^/    /'
    done
  fi
done
exit $fail
