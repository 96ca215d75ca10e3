#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, twice: the shipped build (GCC,
# build/) runs the whole suite, unit tests (GoogleTest, and each fuzz corpus replayed)
# and the integration tests in real network namespaces (need root); the sanitizer tree
# (clang, ASan+UBSan, build-checked/) runs it again but for the instruction budgets, and
# its fuzz targets are fuzzed for a bounded time each (tests/fuzz/run.sh). The second
# tree is built while the first runs its tests, and the fuzzers run beside the second
# suite, one at a time, both at a low CPU priority (nice 19 and 10), so they take mostly
# the CPU the tests leave idle (the integration tests wait far more than they compute).
# The fuzzers' priority is not the lowest: a starved target would hit its per-input
# timeout. ctest runs three tests per core at once (PVLAND_TEST_SLOTS; docs/testing.md).
# Exit status: non-zero when any part failed; each part's wall and CPU time is printed.
#
# Run as root or with CI set, a test that cannot run (a missing tool, no privilege)
# fails instead of skipping, so a green run means every test ran; a non-root run outside
# CI skips the integration tests. Arguments go to both ctest runs (e.g. -R NAME);
# PVLAND_FUZZ_SECONDS (default 60) is each fuzz target's time, 0 skips fuzzing.
source "$(dirname "$0")/bootstrap.sh"
set +e
pvland_install_deps || exit 1
CHECKED=${PVLAND_CHECKED_BUILD:-$PVLAND_SRC/build-checked}
FUZZ_SECONDS=${PVLAND_FUZZ_SECONDS:-60}
# Tests that run at once. The integration tests wait far more than they compute, so three
# per core keep the CPU busy; floods run alone and bulk transfers take more slots (ALONE
# and CPUS in tests/CMakeLists.txt).
SLOTS=${PVLAND_TEST_SLOTS:-$(($(nproc) * 3))}
LOGS=$(mktemp -d /tmp/pvland-ci.XXXXXX)
TIMEFORMAT='%R %U %S'

# Sanitizer settings for everything the checked tree runs: any report fails. Reports of
# processes whose exit status no test looks at (a daemon a test stops) go to files in
# $LOGS/san, and any file there fails the run.
mkdir -p "$LOGS/san"
SAN_ENV=(
  ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1:log_path=$LOGS/san/asan"
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$LOGS/san/ubsan"
  ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
)

declare -A result
# phase NAME CMD...: runs CMD with its output to a file, records its status and its
# wall/user/sys seconds. live_phase also shows the output as it comes (the test suites,
# which run in the foreground).
phase() {
  local name=$1
  shift
  busy >"$LOGS/$name.busy0"
  { time "$@" >"$LOGS/$name.out" 2>&1; echo $? >"$LOGS/$name.rc"; } 2>"$LOGS/$name.time"
  busy >"$LOGS/$name.busy1"
}
live_phase() {
  local name=$1
  shift
  busy >"$LOGS/$name.busy0"
  { time ("$@" 2>&1 | tee "$LOGS/$name.out"; exit "${PIPESTATUS[0]}"); echo $? >"$LOGS/$name.rc"; } \
    2>"$LOGS/$name.time"
  busy >"$LOGS/$name.busy1"
}
# busy: the machine's non-idle CPU seconds so far (/proc/stat). A phase's CPU above counts
# only the processes it waited for; packet forwarding in softirq, namespace teardown in
# kernel workers and daemons killed from outside count only here (the whole machine,
# including whatever ran beside the phase).
busy() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }
report() {
  local name=$1 rc
  rc=$(cat "$LOGS/$name.rc" 2>/dev/null || echo 1)
  read -r wall user sys <"$LOGS/$name.time"
  local b0 b1
  b0=$(cat "$LOGS/$name.busy0" 2>/dev/null || echo 0)
  b1=$(cat "$LOGS/$name.busy1" 2>/dev/null || echo 0)
  printf '== %-14s %-11s wall %5.0f s  cpu %5.0f s  machine busy %5.0f s\n' "$name" \
    "$([ "$rc" = 0 ] && echo ok || echo "FAILED ($rc)")" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$(awk -v a="$b0" -v b="$b1" 'BEGIN { print b - a }')"
  result[$name]=$rc
}
show() { echo "---- $1"; cat "$LOGS/$1.out"; }

build_checked() {
  pvland_configure_checked "$CHECKED" && nice -n 19 cmake --build "$CHECKED" -j"$(nproc)"
}
ctest_shipped() (
  cd "$PVLAND_BUILD" || exit 1
  ctest --output-on-failure -j"$SLOTS" --timeout 300 "$@"
  rc=$?
  sweep_namespaces
  exit $rc
)
ctest_checked() (
  cd "$CHECKED" || exit 1
  env "${SAN_ENV[@]}" ctest --output-on-failure -j"$SLOTS" --timeout 600 -LE budget "$@"
  rc=$?
  sweep_namespaces
  no_reports || rc=1
  exit $rc
)
# sweep_namespaces: a test ctest kills at its timeout never runs its EXIT trap; its
# namespaces (lib.sh: pvt<its pid>-NAME) are deleted here, and named (the test failed).
sweep_namespaces() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^pvt[0-9]+-'); do
    pid=${ns#pvt}
    pid=${pid%%-*}
    kill -0 "$pid" 2>/dev/null && continue
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null && echo "deleted $ns, left by a killed test"
  done
}
no_reports() {
  local f found=0
  for f in "$LOGS"/san/*; do
    [ -f "$f" ] || continue
    found=1
    echo "sanitizer report: $f"
    cat "$f"
  done
  return $found
}
fuzz() {
  [ "$FUZZ_SECONDS" = 0 ] && { echo "skipped (PVLAND_FUZZ_SECONDS=0)"; return 0; }
  PVLAND_FUZZ_OUT=$LOGS/fuzz nice -n 10 bash "$PVLAND_SRC/tests/fuzz/run.sh" "$CHECKED" "$FUZZ_SECONDS" 1
}

phase build pvland_build
report build
if [ "${result[build]}" != 0 ]; then show build; exit 1; fi

phase build_checked build_checked &
echo "== tests (build/), while build-checked/ builds"
live_phase tests ctest_shipped "$@"
report tests
wait
report build_checked
if [ "${result[build_checked]}" != 0 ]; then
  show build_checked
  exit 1
fi

phase fuzz fuzz &
echo "== tests_checked (build-checked/), while the fuzzers run"
live_phase tests_checked ctest_checked "$@"
report tests_checked
wait
show fuzz
report fuzz

echo "== summary (seconds: wall; user+sys CPU of the phase and its children; the machine's busy CPU meanwhile)"
status=0
for p in build tests build_checked tests_checked fuzz; do
  report "$p"
  [ "${result[$p]}" = 0 ] || status=1
done
exit $status
