# Shared helpers for integration tests: namespaces named with a per-test prefix and
# deleted on every exit path, the daemon started inside its own namespace, assertions.
# A test sources this file, sets nothing else up by hand, and calls the helpers.
set -u

# pvt_in_ci: true when the CI variable is set to anything but empty, 0 or false.
pvt_in_ci() {
  case "${CI:-}" in "" | 0 | false | False | FALSE | no) return 1 ;; *) return 0 ;; esac
}

# t_skip REASON: the test cannot run here. Only a non-root run outside CI may skip (exit 77,
# which ctest reports as skipped): as root or in CI nothing may be missing, so a skip there
# fails the test, and a green run means every test ran.
t_skip() {
  if [ "$(id -u)" = 0 ] || pvt_in_ci; then
    echo "FAIL: cannot run: $* (a skip fails the run as root or when CI is set)"
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

[ "$(id -u)" = 0 ] || t_skip "integration tests need root"

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
  t_cpu_line
  rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# t_cpu_line: the CPU seconds of the script and of every process it waited for (its
# daemons, generators, probes). With tests side by side, CI's time follows their CPU
# (docs/testing.md); `grep '^test cpu' Testing/Temporary/LastTest.log` lists it.
t_cpu_line() {
  times >"$T_DIR/times"  # not in a pipe: a subshell would report its own times
  awk '{ for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s[i] += t[1] * 60 + t[2] } }
    END { printf "test cpu: %.1f s user, %.1f s sys\n", s[1], s[2] }' "$T_DIR/times"
}
trap 'exit 130' INT TERM

# ns NAME: the full namespace name for a short one.
ns() { echo "${T_PREFIX}-$1"; }

# nsx NAME CMD...: run CMD in namespace NAME.
nsx() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }

# mkns NAME...: create namespaces with lo up. IPv6 stays on, as in users' labs: router
# solicitations, MLD reports and neighbour discovery cross the switch as they would there.
mkns() {
  local n
  for n in "$@"; do
    ip netns add "$(ns "$n")"
    nsx "$n" ip link set lo up
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

# pvland_pid NS: the pid of the pvland running in namespace NS (start_pvland's $! is the
# shell that ran ip netns exec, not the daemon); empty when there is none.
pvland_pid() {
  local p
  for p in $(ip netns pids "$(ns "$1")"); do
    [ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$PVLAND")" ] && { echo "$p"; return 0; }
  done
  return 1
}

# pvland_table [SOCK]: the name of the nftables tables (netdev and arp) of the pvland
# serving SOCK (default $PVSOCK): "pvland" and the socket's path (docs/operations.md §2).
pvland_table() { echo "pvland$(realpath -m "${1:-$PVSOCK}")"; }

# proc_kb PID FIELD: a kB figure of /proc/PID/status (VmRSS, VmHWM, RssAnon...).
proc_kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# sanitized: the binaries under test are the sanitizer tree's (docs/testing.md), whose
# memory figures are the sanitizers' (shadow, redzones, quarantine): a test leaves its
# memory-size bounds out then (`sanitized || expect_ok ...`), and says so once.
sanitized() {
  [ -n "${PVLAND_SANITIZED:-}" ] || return 1
  [ -n "${T_SAN_SAID:-}" ] || echo "note: sanitized build, memory-size bounds not checked"
  T_SAN_SAID=1
}

# flood_size FULL UNDER_SANITIZERS: how many frames a flood sends. Under the sanitizers a
# flood is there for memory errors and undefined behaviour, which a fifth of the frames
# finds as well (still three times any cap); the full size is the shipped build's test of
# scale, and costs a sanitized daemon four times the CPU.
flood_size() { if [ -n "${PVLAND_SANITIZED:-}" ]; then echo "$2"; else echo "$1"; fi; }

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

# ---- Frame-level helpers (scapy, tcpdump, counters) ------------------------------------
# The system python carries scapy; a python3 earlier on PATH (pyenv, venv) may not.
PVT_PY=${PVT_PY:-/usr/bin/python3}

# need_scapy: skip the test (t_skip) when scapy is missing.
need_scapy() {
  "$PVT_PY" -c 'import scapy' 2>/dev/null || t_skip "$PVT_PY has no scapy (apt-get install python3-scapy)"
}

# pyx NS CODE [ARGS...]: run python CODE in namespace NS (sys.argv[1:] = ARGS).
pyx() { local n=$1 code=$2; shift 2; nsx "$n" "$PVT_PY" -c "$code" "$@"; }

# scapy_send NS IF EXPR [COUNT]: send the frame(s) EXPR COUNT times from IF in namespace
# NS. EXPR is a scapy expression over Ether, Dot1Q, Dot1AD, ARP, IP, UDP, TCP, ICMP, Raw
# ("Ether(dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=5)/IP()/ICMP()", "Raw(bytes.fromhex('..'))")
# or a list of them. Only those layers are imported and the bytes go out on a plain
# AF_PACKET socket: scapy.all takes seconds to import on a loaded machine.
scapy_send() {
  local n=$1 ifc=$2 expr=$3 count=${4:-1}
  pyx "$n" "
import sys, socket
from scapy.layers.l2 import Ether, Dot1Q, Dot1AD, ARP
from scapy.layers.inet import IP, UDP, TCP, ICMP
from scapy.packet import Raw
frames = $expr
frames = [bytes(f) for f in (frames if isinstance(frames, (list, tuple)) else [frames])]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for _ in range(int(sys.argv[2])):
    for f in frames:
        s.send(f)
" "$ifc" "$count"
}

# sniff_start TAG NS IF [FILTER...]: start tcpdump on IF in NS writing $T_DIR/TAG.pcap;
# returns once it is capturing (immediate mode: a frame is on disk as soon as it arrives,
# not when a ring block times out). Stop with sniff_stop TAG; read with sniff_count/sniff_show.
sniff_start() { sniff_launch "$@" && sniff_ready "$1"; }

# sniff_many PREFIX IF "NS..." [FILTER...]: sniff_start PREFIX-NS on IF in every NS at once.
sniff_many() {
  local pre=$1 ifc=$2 list=$3 n; shift 3
  for n in $list; do sniff_launch "$pre-$n" "$n" "$ifc" "$@"; done
  for n in $list; do sniff_ready "$pre-$n" || return 1; done
}

sniff_launch() {
  local tag=$1 n=$2 ifc=$3; shift 3
  rm -f "$T_DIR/$tag.pcap" "$T_DIR/$tag.err"
  # ip netns exec execs tcpdump, so $! is tcpdump itself (a function would fork a subshell).
  ip netns exec "$(ns "$n")" tcpdump -Z root -U --immediate-mode -n -i "$ifc" -w "$T_DIR/$tag.pcap" "$@" 2>"$T_DIR/$tag.err" &
  T_PIDS+=("$!")
  echo "$!" >"$T_DIR/$tag.pid"
}

sniff_ready() {
  local i
  for i in $(seq 1 200); do
    grep -q "listening on" "$T_DIR/$1.err" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "tcpdump $1 did not start:"; cat "$T_DIR/$1.err"; return 1
}

# sniff_stop TAG...: stop captures (after a short drain so in-flight frames land).
sniff_stop() {
  local tag pids=()
  sleep 0.3
  for tag in "$@"; do
    [ -f "$T_DIR/$tag.pid" ] || continue
    pids+=("$(cat "$T_DIR/$tag.pid")"); rm -f "$T_DIR/$tag.pid"
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -INT "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  return 0
}

# Every host's kernel sends IPv6 control frames at times of its own choosing (router
# solicitations with backoff, MLD reports, neighbour solicitations for DAD), all to
# 33:33:* (IPv6 multicast) MACs, tagged or not. A test that counts its own probes leaves
# them out with this filter; pvland forwards them like any multicast.
PVT_V6_CONTROL='(ether[0] = 0x33 and ether[1] = 0x33)'

# sniff_show_all TAG [FILTER...]: the capture as text with link-level headers (-e).
sniff_show_all() { local tag=$1; shift; tcpdump -r "$T_DIR/$tag.pcap" -n -e "$@" 2>/dev/null; }

# sniff_show TAG [FILTER...]: the same without the IPv6 control frames.
sniff_show() {
  local tag=$1; shift
  if [ $# -gt 0 ]; then sniff_show_all "$tag" "( $* ) and not $PVT_V6_CONTROL"
  else sniff_show_all "$tag" "not $PVT_V6_CONTROL"; fi
}

# sniff_count TAG [FILTER...]: number of captured frames matching FILTER, IPv6 control
# frames left out (lines that start with a timestamp: tcpdump adds hex lines for
# payloads it cannot decode).
sniff_count() { sniff_show "$@" | grep -c '^[0-9]'; }

# sniff_count_all TAG [FILTER...]: the same, IPv6 control frames included.
sniff_count_all() { sniff_show_all "$@" | grep -c '^[0-9]'; }

# t_now: the time as capture time stamps give it (epoch seconds with a fraction).
t_now() { date +%s.%N; }

# sniff_between TAG T0 T1: "FRAMES BYTES" of the captured frames stamped in [T0, T1).
sniff_between() {
  tcpdump -r "$T_DIR/$1.pcap" -tt -n -e 2>/dev/null | awk -v a="$2" -v b="$3" '
    $1 >= a && $1 < b { n++; if (match($0, /, length [0-9]+:/)) s += substr($0, RSTART + 9, RLENGTH - 10) }
    END { print n + 0, s + 0 }'
}

# pvjson EXPR: evaluate python EXPR over the JSON document on stdin bound to `j`; prints it.
pvjson() { "$PVT_PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# port_stat PORT FIELD: a numeric counter of PORT (rx_packets, rx_bytes, tx_packets, tx_bytes).
port_stat() { ctl -j stats show "$1" | pvjson "[p for p in j if p['name']=='$1'][0]['$2']"; }

# port_drop PORT REASON: the drop counter REASON of PORT (0 when not listed).
port_drop() {
  ctl -j stats show "$1" |
    pvjson "sum(d['count'] for p in j if p['name']=='$1' for d in p.get('drops',[]) if d['reason']=='$2')"
}

# port_field PORT KEY: one field of `port show -j PORT` (e.g. state, vlan).
port_field() { ctl -j port show "$1" | pvjson "[p for p in j if p['name']=='$1'][0].get('$2')"; }

# wait_until SECS CMD...: poll CMD every 0.1 s until it succeeds (0) or SECS pass (1).
wait_until() {
  local secs=$1; shift
  local end=$((SECONDS + secs))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.1
  done
}

# cannot_ping NS ADDR: no echo answered within a second (one try; use after can_ping
# probes have proven the path works elsewhere).
cannot_ping() { ! nsx "$1" ping -n -c 1 -W 1 "$2" >/dev/null 2>&1; }

# ---- Application traffic (tests/integration/traffic.py) ---------------------------------
# Hosts keep the kernel's default offloads (TX checksum, TSO/GSO, GRO on), as users' do:
# these helpers carry real TCP and UDP, so a switch that mishandles a CHECKSUM_PARTIAL
# frame or a GSO super-frame fails them.
PVT_TRAFFIC="$(dirname "${BASH_SOURCE[0]}")/traffic.py"
# The folder of lib.sh and the Python helpers beside it (paced_send.py).
PVT_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Diagnostics of a failing check reach the test log through fd 3 even when expect_ok
# silences the check itself.
exec 3>&2

# traffic_file MIB: a random payload for HTTP checks; sets T_FILE and T_SHA.
traffic_file() {
  T_FILE="$T_DIR/payload.bin"
  T_SHA=$("$PVT_PY" "$PVT_TRAFFIC" mkfile "$T_FILE" "$1")
}

# url_host ADDR: ADDR as it goes in a URL (IPv6 in brackets).
url_host() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }

# http_ok SERVER_NS ADDR CLIENT_NS: CLIENT_NS fetches $T_FILE over HTTP from a server at
# ADDR in SERVER_NS and checks its sha256 (bulk TCP data flows server -> client).
http_ok() {
  local srv=$1 addr=$2 cli=$3 port=8080 pid rc
  nsx "$srv" "$PVT_PY" "$PVT_TRAFFIC" http-serve "$addr" "$port" "$T_FILE" 2>>"$T_DIR/http.err" &
  pid=$!
  nsx "$srv" "$PVT_PY" "$PVT_TRAFFIC" wait-port "$addr" "$port" tcp
  nsx "$cli" timeout 30 "$PVT_PY" "$PVT_TRAFFIC" http-fetch "http://$(url_host "$addr"):$port/" "$T_SHA" 15 2>&3
  rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return $rc
}

# udp_ok SERVER_NS ADDR CLIENT_NS [SIZES]: datagrams from CLIENT_NS to an echo server at
# ADDR come back intact (default sizes include one that IP fragments).
udp_ok() {
  local srv=$1 addr=$2 cli=$3 sizes=${4:-64,1400,4000} port=9090 pid rc
  nsx "$srv" "$PVT_PY" "$PVT_TRAFFIC" udp-echo "$addr" "$port" 2>>"$T_DIR/udp.err" &
  pid=$!
  nsx "$srv" "$PVT_PY" "$PVT_TRAFFIC" wait-port "$addr" "$port" udp
  nsx "$cli" timeout 20 "$PVT_PY" "$PVT_TRAFFIC" udp-ping "$addr" "$port" "$sizes" 2>&3
  rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return $rc
}

# tcp_stream_ok SERVER_NS ADDR CLIENT_NS: a one-second iperf3 TCP stream, with its
# retransmissions, must move data (receiver-side bytes > 0).
tcp_stream_ok() {
  local srv=$1 addr=$2 cli=$3 pid rc
  nsx "$srv" iperf3 -s -1 -B "$addr" -p 5201 >/dev/null 2>&1 &
  pid=$!
  nsx "$srv" "$PVT_PY" "$PVT_TRAFFIC" wait-port "$addr" 5201 tcp
  nsx "$cli" timeout 15 iperf3 -c "$addr" -p 5201 -t 1 -J >"$T_DIR/iperf.json" 2>/dev/null
  rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  [ $rc = 0 ] && [ "$(pvjson "int(j['end']['sum_received']['bytes'])" <"$T_DIR/iperf.json")" -gt 0 ]
}
