# examples/systemd/pvland@.service, as far as it can be checked without systemd running.
# Asserts: `systemd-analyze verify` takes an instance of the unit without a word; the
# unit's ExecStart= line, with %i a real namespace and its paths moved into the test's
# directory, run by hand as systemd would run it, starts pvland in that namespace with
# the configuration file loaded (its TAP is there) and the socket where the unit says;
# `pvlanctl save` to the configuration file works (the README's workflow) and the next
# start from it restores the same; the unit's stop signal ends pvland with status 0 and
# no socket left.
source "$PVLAND_TESTLIB"
command -v systemd-analyze >/dev/null || t_skip "systemd-analyze (package systemd) is needed"
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
UNIT=$SRC/examples/systemd/pvland@.service
expect_ok "the unit exists" test -f "$UNIT"

mkdir -p "$T_DIR/units"
cp "$UNIT" "$T_DIR/units/"
ln -s pvland@.service "$T_DIR/units/pvland@lab.service"
out=$(systemd-analyze verify "$T_DIR/units/pvland@lab.service" 2>&1); rc=$?
expect_eq "systemd-analyze verify: status" "$rc" 0
expect_eq "systemd-analyze verify: no warning" "$out" ""

mkns lab
NS=$(ns lab)
expect_ok "the namespace the unit asserts exists" test -e "/run/netns/$NS"
key() { sed -n "s/^$1=//p" "$UNIT"; }
expect_eq "stopped with SIGTERM" "$(key KillSignal)" SIGTERM
# The ExecStart line with %i the namespace; the installed paths point into T_DIR.
mkdir -p "$T_DIR/run" "$T_DIR/etc"
line=$(key ExecStart | sed -e "s|%i|$NS|g" -e "s|/usr/local/bin/pvland|$PVLAND|" \
  -e "s|/run/pvland/|$T_DIR/run/|" -e "s|/etc/pvland/|$T_DIR/etc/|")
echo "ExecStart, by hand: $line"
read -ra argv <<<"$line"
SOCK="$T_DIR/run/$NS.sock"
CONF="$T_DIR/etc/$NS.conf"
printf 'vlan add 10\nport add t1 type tap vlan 10\n' >"$CONF"
start_unit() {
  "${argv[@]}" >>"$T_DIR/unit.log" 2>&1 &
  PID=$!
  T_PIDS+=("$PID")
  wait_until 5 "$PVLANCTL" -s "$SOCK" port show || { fail "ExecStart did not start pvland"; cat "$T_DIR/unit.log"; exit 1; }
}
start_unit
expect_ok "pvland serves the unit's socket" test -S "$SOCK"
expect_ok "it runs in the namespace: its TAP is there" nsx lab ip link show t1
expect_eq "the configuration file was loaded" "$("$PVLANCTL" -s "$SOCK" -j port show | pvjson "[(p['name'], p['vlan']) for p in j]")" "[('t1', 10)]"
expect_ok "port add after start" "$PVLANCTL" -s "$SOCK" port add gw0 type internal
expect_ok "pvlanctl save to the configuration file" "$PVLANCTL" -s "$SOCK" save "$CONF"
kill -"$(key KillSignal | sed 's/^SIG//')" "$PID"; wait "$PID"; rc=$?
expect_eq "the stop signal: pvland exits 0" "$rc" 0
expect_fail "no socket left" test -e "$SOCK"
start_unit
expect_eq "the next start restores the saved ports" "$("$PVLANCTL" -s "$SOCK" -j port show | pvjson "sorted(p['name'] for p in j)")" "['gw0', 't1']"
kill -TERM "$PID"; wait "$PID"
t_done
