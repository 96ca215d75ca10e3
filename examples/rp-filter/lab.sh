#!/usr/bin/env bash
# The reverse-path filter lab: host A and router B joined by two paths, each with an
# address on its loopback. A reaches B's loopback over path 1; B's route back to A's
# loopback goes over path 2 (asymmetric), then is moved to path 1 (symmetric). Path 1
# ends at B in gw0, pvland's internal port, so it is pvland that checks every IPv4
# packet arriving there as the kernel's rp_filter would (pvlanctl sysctl sets gw0's
# rp_filter and log_martians). For each mode, ping and an HTTP fetch from A's loopback
# address to B's, and what pvland dropped and logged. See README.md beside this file.
#
#   sudo bash lab.sh                        # pvland from the build tree or $PATH
#   sudo PVLAND=... PVLANCTL=... bash lab.sh
#   sudo DATAPLANE=bridge bash lab.sh       # the same lab on a Linux bridge: the kernel
#                                           # decides (martian lines from its log)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
DATAPLANE=${DATAPLANE:-pvland}
case $DATAPLANE in pvland | bridge) ;; *) echo "DATAPLANE is pvland or bridge" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }

# pvland and pvlanctl: as given, else the build tree's, else the installed ones.
find_bin() {  # NAME BUILD_SUBPATH
  local b
  for b in "$HERE/../../build/$2" "$(command -v "$1" 2>/dev/null)"; do
    [ -n "$b" ] && [ -x "$b" ] && { echo "$b"; return; }
  done
}
if [ "$DATAPLANE" = pvland ]; then
  PVLAND=${PVLAND:-$(find_bin pvland daemon/pvland)}
  PVLANCTL=${PVLANCTL:-$(find_bin pvlanctl ctl/cli/pvlanctl)}
  [ -n "$PVLAND" ] && [ -n "$PVLANCTL" ] ||
    { echo "pvland not found: build it (cmake) or install it (cmake --install build), or set PVLAND and PVLANCTL" >&2; exit 1; }
fi

P=pvrpf$$
A=$P-a B=$P-b
SOCK=/tmp/$P.sock LOG=/tmp/$P.log WWW=/tmp/$P.www
A_LO=10.255.0.1 B_LO=10.255.0.2

cleanup() {
  [ -n "${WEB:-}" ] && kill "$WEB" 2>/dev/null && wait "$WEB" 2>/dev/null
  [ -n "${KMSG:-}" ] && kill "$KMSG" 2>/dev/null && wait "$KMSG" 2>/dev/null
  [ -n "${PVPID:-}" ] && kill "$PVPID" 2>/dev/null && wait "$PVPID" 2>/dev/null
  local n
  for n in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$n"
  done
  rm -rf "$SOCK" "$LOG" "$WWW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

a() { ip netns exec "$A" "$@"; }
b() { ip netns exec "$B" "$@"; }
ctl() { "$PVLANCTL" -s "$SOCK" "$@"; }

# ---- the two namespaces and the two paths --------------------------------------------
for n in "$A" "$B"; do
  ip netns add "$n"
  ip -n "$n" link set lo up
  # New namespaces copy the host's conf/all; the lab starts from the kernel's defaults.
  ip netns exec "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv4.conf.all.log_martians=0 net.ipv4.conf.default.log_martians=0
done
ip -n "$A" addr add $A_LO/32 dev lo
ip -n "$B" addr add $B_LO/32 dev lo
# Path 1: A eth1 -- p1, a port of B's switch; gw0 is B's L3 interface on it.
ip link add eth1 netns "$A" address 02:00:0a:00:01:01 type veth peer name p1 netns "$B"
# Path 2: A eth2 -- B eth2, a plain link.
ip link add eth2 netns "$A" type veth peer name eth2 netns "$B"
ip -n "$B" link set p1 up

if [ "$DATAPLANE" = pvland ]; then
  ip netns exec "$B" "$PVLAND" -s "$SOCK" -c "$HERE/lab.conf" 2>"$LOG" &
  PVPID=$!
  for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
  [ -S "$SOCK" ] || { echo "pvland did not start:"; cat "$LOG"; exit 1; }
else
  # The kernel's martian lines, from its log, from now on.
  dmesg -W -t >"$LOG" 2>/dev/null &
  KMSG=$!
  ip -n "$B" link add gw0 type bridge stp_state 0
  ip -n "$B" link set p1 master gw0
  b sysctl -qw net.ipv4.conf.gw0.log_martians=1
fi
ip -n "$B" link set gw0 address 02:00:0a:00:01:02
ip -n "$B" link set gw0 up
ip -n "$B" addr add 10.0.1.2/24 dev gw0
ip -n "$B" addr add 10.0.2.2/24 dev eth2
ip -n "$B" link set eth2 up
ip -n "$A" addr add 10.0.1.1/24 dev eth1
ip -n "$A" addr add 10.0.2.1/24 dev eth2
ip -n "$A" link set eth1 up
ip -n "$A" link set eth2 up
# A goes to B's loopback over path 1, from its own loopback address. A itself checks no
# source: the replies may come back over either path.
ip -n "$A" route add $B_LO/32 via 10.0.1.2 dev eth1 src $A_LO
# B's route back: over path 2 for now.
ip -n "$B" route add $A_LO/32 via 10.0.2.1 dev eth2

# A small web server on B's loopback address.
mkdir -p "$WWW"
head -c 100000 /dev/urandom >"$WWW/file"
b /usr/bin/python3 -m http.server 8080 --bind $B_LO --directory "$WWW" >/dev/null 2>&1 &
WEB=$!
for _ in $(seq 50); do b ss -ltn 2>/dev/null | grep -q "$B_LO:8080" && break; sleep 0.1; done

# ---- helpers ---------------------------------------------------------------------------
# set_rp MODE: rp_filter of gw0, in pvland's devconf (or the kernel's, on the bridge).
set_rp() {
  if [ "$DATAPLANE" = pvland ]; then ctl sysctl -w net.ipv4.conf.gw0.rp_filter="$1" >/dev/null
  else b sysctl -qw net.ipv4.conf.gw0.rp_filter="$1"; fi
}
# drops: the packets refused at gw0 by reverse-path filtering so far.
drops() {
  if [ "$DATAPLANE" = pvland ]; then
    ctl -j stats show gw0 | /usr/bin/python3 -c 'import json, sys
print(sum(d["count"] for p in json.load(sys.stdin) for d in p.get("drops", []) if d["reason"] == "rp_filter"))'
  else
    b awk '$1 == "TcpExt:" && !n { for (i = 2; i <= NF; i++) f[i] = $i; n = 1; next }
           $1 == "TcpExt:" { for (i = 2; i <= NF; i++) if (f[i] == "IPReversePathFilter") print $i }' /proc/net/netstat
  fi
}
WHO=$([ "$DATAPLANE" = pvland ] && echo pvland || echo "the kernel")
dropped_words() {  # N
  if [ "$1" = 0 ]; then echo "nothing dropped at gw0"
  else echo "$WHO dropped $1 packet$([ "$1" = 1 ] || echo s) at gw0 (rp_filter)"; fi
}
# martians: the martian lines logged so far, without the logger's time stamp.
martians() {
  sed -n 's/.*\(IPv4: martian .*\)$/\1/p; s/.*\(ll header: .*\)$/\1/p' "$LOG" 2>/dev/null |
    if [ "$DATAPLANE" = bridge ]; then grep -A1 "from $A_LO, on dev gw0\$" | grep -v '^--$'; else cat; fi
}
MSEEN=0
new_martians() {
  local all n
  sleep 0.2
  all=$(martians); n=$(printf '%s' "$all" | grep -c . || true)
  if [ "$n" -gt "$MSEEN" ]; then
    echo "  martian lines $WHO logged:"
    printf '%s\n' "$all" | tail -n +$((MSEEN + 1)) | sed 's/^/    /'
  else
    echo "  martian lines $WHO logged: none"
  fi
  MSEEN=$n
}

# try TITLE [ping]: ping and HTTP (only ping with "ping") from A's loopback address to
# B's, in plain words.
try() {
  local d0 d1 got http
  echo "$1"
  d0=$(drops)
  got=$(a ping -n -q -c 3 -i 0.2 -W 1 -I $A_LO $B_LO 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p')
  d1=$(drops)
  if [ "${got:-0}" -gt 0 ]; then
    echo "  ping $B_LO from $A_LO: $got of 3 replies — $(dropped_words $((d1 - d0)))"
  else
    echo "  ping $B_LO from $A_LO: no reply — $(dropped_words $((d1 - d0)))"
  fi
  d0=$d1
  if [ "${2:-}" = ping ]; then new_martians; echo; return; fi
  http=$(a timeout 5 /usr/bin/python3 -c '
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], 8080, timeout=2, source_address=(sys.argv[2], 0))
try:
    c.request("GET", "/file")
    r = c.getresponse()
    print("%d %s, %d bytes" % (r.status, r.reason, len(r.read())))
except OSError as e:
    print("no answer (%s)" % ("timed out after 2 s" if isinstance(e, TimeoutError) else e))
' $B_LO $A_LO)
  d1=$(drops)
  echo "  HTTP GET http://$B_LO:8080/file from $A_LO: ${http:-no answer} — $(dropped_words $((d1 - d0)))"
  new_martians
  echo
}

# synced DEV|none: wait until pvland's copy of B's routes (it follows the kernel's over
# rtnetlink) sends A's loopback address out DEV, or nowhere.
synced() {
  [ "$DATAPLANE" = pvland ] || return 0
  local dev
  for _ in $(seq 50); do
    dev=$(ctl -j route get $A_LO 2>/dev/null | /usr/bin/python3 -c 'import json, sys
j = json.load(sys.stdin); j = j[0] if isinstance(j, list) else j; print(j.get("dev") or "none")' 2>/dev/null)
    [ "${dev:-none}" = "$1" ] && return 0
    sleep 0.1
  done
}
route_of() { ip -n "$1" route show "$2/32" | sed 's/ *$//'; }  # NS ADDR

# ---- the lab ---------------------------------------------------------------------------
echo "== rp_filter lab: A ($A_LO on lo) and B ($B_LO on lo), two paths"
echo "   path 1: A eth1 10.0.1.1 -- p1 [$DATAPLANE] gw0 10.0.1.2 (B)"
echo "   path 2: A eth2 10.0.2.1 -- eth2 10.0.2.2 (B)"
echo "   A -> $B_LO: $(route_of "$A" $B_LO)"
echo "   B -> $A_LO: $(route_of "$B" $A_LO)   (asymmetric: the answer takes path 2)"
if [ "$DATAPLANE" = pvland ]; then
  echo "   gw0 is pvland's internal port; log_martians=$(ctl sysctl -n net.ipv4.conf.gw0.log_martians) (pvlanctl sysctl)"
else
  echo "   gw0 is a Linux bridge; log_martians=$(b sysctl -n net.ipv4.conf.gw0.log_martians) (sysctl)"
fi
echo

set_rp 0
try "== off (rp_filter=0), route back via path 2"
set_rp 2
try "== loose (rp_filter=2), route back via path 2"
set_rp 1
try "== strict (rp_filter=1), route back via path 2"

ip -n "$B" route replace $A_LO/32 via 10.0.1.1 dev gw0
synced gw0
echo "   B -> $A_LO now: $(route_of "$B" $A_LO)   (symmetric)"
echo
try "== strict (rp_filter=1), route back via path 1"

ip -n "$B" route del $A_LO/32
synced none
echo "   B -> $A_LO now: no route at all"
echo
set_rp 2
try "== loose (rp_filter=2), no route back" ping

echo "In words: strict mode accepts a packet only on the interface B would use to answer"
echo "its source, so with the answer on path 2 everything A sends over path 1 is dropped at"
echo "gw0; loose mode only asks that some route back exists, over any interface; off checks"
echo "nothing. Once the route back uses path 1, strict mode passes too; with no route back"
echo "at all, loose mode drops as well."
echo
if [ "$DATAPLANE" = pvland ]; then
  echo "== pvland's counters on gw0 (pvlanctl stats show gw0)"
  ctl stats show gw0
else
  echo "== the kernel's counter in B: IPReversePathFilter $(drops)"
fi
