#!/usr/bin/env bash
# A skip is a pass only for a non-root run outside CI. Runs tiny scripts that source
# lib.sh and call t_skip (and the root-only GoogleTest binary) as root, as an unprivileged
# user, and as that user with CI set, and checks the exit status and the message of each.
source "$PVLAND_TESTLIB"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
SKIPPER="$T_DIR/skipper.sh"
printf 'source "%s"\nt_skip "no frobnicator installed"\necho "t_skip returned"\n' "$PVLAND_TESTLIB" >"$SKIPPER"
chmod 755 "$T_DIR"; chmod 644 "$SKIPPER"

# run_case NAME WANT_RC WANT_TEXT CMD...: CMD's exit status is WANT_RC and its output holds WANT_TEXT.
run_case() {
  local name=$1 want_rc=$2 want_text=$3 out rc; shift 3
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want_rc" ] && grep -qF -- "$want_text" <<<"$out"; then
    pass "$name (exit $rc)"
  else
    fail "$name: exit $rc, want $want_rc with '$want_text'; output: $(tail -3 <<<"$out" | tr '\n' '|')"
  fi
}

# As root a missing tool fails the test with a message naming it (not 77, not 0).
run_case "root: t_skip fails" 1 "FAIL: cannot run: no frobnicator installed" env -u CI bash "$SKIPPER"
run_case "root, CI=true: t_skip fails" 1 "no frobnicator installed" env CI=true bash "$SKIPPER"
# Without root lib.sh itself stops at its root check: a skip outside CI, a failure in CI.
run_case "non-root outside CI: skipped (77)" 77 "SKIP: integration tests need root" \
  env -u CI "${NOBODY[@]}" bash "$SKIPPER"
run_case "non-root, CI=false: still a skip" 77 "SKIP: integration tests need root" \
  env CI=false "${NOBODY[@]}" bash "$SKIPPER"
run_case "non-root, CI=1: fails" 1 "FAIL: cannot run: integration tests need root" \
  env CI=1 "${NOBODY[@]}" bash "$SKIPPER"

# need_scapy with a python that has no scapy: the message names the missing module.
printf 'source "%s"\nneed_scapy\n' "$PVLAND_TESTLIB" >"$T_DIR/scapy.sh"
run_case "root, no scapy: fails naming scapy" 1 "has no scapy" env PVT_PY=/bin/false bash "$T_DIR/scapy.sh"

# The GoogleTest integration tests follow the same rule (tests/integration/skip_or_fail.h).
GT="$PVLAND_BUILD/tests/integration/netlink/netlink_rtnl_sync_diff_test"
if [ -x "$GT" ]; then
  FILTER=--gtest_filter='RtnlSyncDiffTest.*'
  run_case "gtest non-root outside CI: skipped" 0 "[  SKIPPED ]" env -u CI "${NOBODY[@]}" "$GT" "$FILTER"
  run_case "gtest non-root, CI=1: fails naming root" 1 "cannot run: needs root" env CI=1 "${NOBODY[@]}" "$GT" "$FILTER"
else
  fail "gtest binary $GT not built"
fi
t_done
