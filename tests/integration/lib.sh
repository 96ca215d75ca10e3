# Shared helpers for integration tests: namespaces named with a per-test prefix and
# deleted on every exit path, the daemon started inside its own namespace, assertions.
# A test sources this file, sets nothing else up by hand, and calls the helpers.
set -u

[ "$(id -u)" = 0 ] || { echo "SKIP: integration tests need root"; exit 77; }

# Prefix: pvt-<test name>-<pid>, short enough that "<prefix>-<name>" stays a valid netns.
T_NAME=${T_NAME:-$(basename "${BASH_SOURCE[1]:-$0}" .sh)}
T_PREFIX="pvt${$}"
T_FAILS=0
T_PASSES=0
T_DIR=$(mktemp -d /tmp/pvt.XXXXXX)
T_PIDS=()

t_cleanup() {
  local pid ns
  for pid in "${T_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${T_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^${T_PREFIX}-"); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# ns NAME: the full namespace name for a short one.
ns() { echo "${T_PREFIX}-$1"; }

# nsx NAME CMD...: run CMD in namespace NAME.
nsx() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }

# mkns NAME...: create namespaces with lo up and IPv6 off (no RS/MLD noise in captures).
mkns() {
  local n
  for n in "$@"; do
    ip netns add "$(ns "$n")"
    nsx "$n" ip link set lo up
    nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
}

# veth NS_A IF_A NS_B IF_B: a veth pair between two namespaces, both ends up.
veth() {
  ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
  nsx "$1" ip link set "$2" up
  nsx "$3" ip link set "$4" up
}

# host NS IF ADDR/LEN [MAC]: address a host-side interface.
host_addr() {
  [ $# -ge 4 ] && nsx "$1" ip link set "$2" address "$4"
  nsx "$1" ip addr add "$3" dev "$2"
}

# start_pvland NS [ARGS...]: run the daemon in NS with its socket in $T_DIR; waits until
# it answers. Sets PVSOCK.
start_pvland() {
  local n=$1; shift
  PVSOCK="$T_DIR/$n.sock"
  nsx "$n" "$PVLAND" -s "$PVSOCK" "$@" >"$T_DIR/$n.log" 2>&1 &
  T_PIDS+=($!)
  local i
  for i in $(seq 1 100); do
    [ -S "$PVSOCK" ] && "$PVLANCTL" -s "$PVSOCK" port show >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "pvland did not start:"; cat "$T_DIR/$n.log"; exit 1
}

# ctl ARGS...: pvlanctl against the daemon started last (runs in the caller's netns:
# the socket is a file, not bound to a namespace).
ctl() { "$PVLANCTL" -s "$PVSOCK" "$@"; }

# Assertions. Each prints one line and counts; t_done exits non-zero if any failed.
pass() { T_PASSES=$((T_PASSES + 1)); echo "PASS: $*"; }
fail() { T_FAILS=$((T_FAILS + 1)); echo "FAIL: $*"; }
expect_ok() { local what=$1; shift; if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi; }
expect_fail() { local what=$1; shift; if "$@" >/dev/null 2>&1; then fail "$what"; else pass "$what"; fi; }
expect_eq() { if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', want '$3'"; fi; }

# can_ping NS ADDR: one echo answered within a second (three tries for ARP warm-up).
can_ping() { nsx "$1" ping -n -c 1 -W 1 "$2" >/dev/null 2>&1 || nsx "$1" ping -n -c 2 -W 1 "$2" >/dev/null 2>&1; }

t_done() {
  echo "$T_PASSES passed, $T_FAILS failed"
  [ "$T_FAILS" = 0 ]
}
