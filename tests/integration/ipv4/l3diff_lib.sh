# Differential L3 harness: the same router topology built twice, once around a Linux
# bridge (the reference, the kernel decides) and once around pvland (the device under
# test), then the same ARP probes sent to both and the answers compared byte for byte.
#
#   side r (reference)                     side d (pvland)
#   r-h1 eth0 ─ p1 ┐                       d-h1 eth0 ─ p1 ┐
#   r-h2 eth0 ─ p2 ├ br0 (bridge) r-sw     d-h2 eth0 ─ p2 ├ pvland, gw0 (internal) d-sw
#   r-h3 eth0 ─ p3 ┘   eth2 ─ r-peer       d-h3 eth0 ─ p3 ┘   eth2 ─ d-peer
#
# The L3 device (br0 / gw0) has the same MAC and 10.0.1.1/24; eth2 10.0.2.1/24 goes to
# a routed peer 10.0.2.10; hosts h1..h3 are 10.0.1.10..12 with fixed MACs. Knobs named
# with the device "L3" (net.ipv4.conf.L3.rp_filter) are written to br0 with sysctl and
# to gw0 with pvlanctl; all/default likewise (the kernel's vs pvland's store).
# Source after lib.sh.

L3_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROBE="$L3_HERE/arp_probe.py"
L3MAC=02:00:00:00:01:01
H1MAC=02:00:00:00:01:10
H2MAC=02:00:00:00:01:11
H3MAC=02:00:00:00:01:12
E2MAC=02:00:00:00:02:01
PEERMAC=02:00:00:00:02:10
# The reference bridge (br0 in the comments) is named per run: the kernel's martian lines
# go to one log shared by every namespace on the machine, and only the device name tells
# this run's lines from those of another run at the same time.
L3_REF=br$(($$ % 100000))
L3_KNOBS="proxy_arp proxy_arp_pvlan rp_filter log_martians accept_local arp_ignore arp_filter medium_id"


# Martian lines are rate limited by one global budget (net.core.message_cost); the
# comparison needs every line, so the budget is lifted for the test and restored.
# pvland keeps its own copy of that budget (pvlanctl sysctl net.core.message_cost).
L3_MSG_COST=$(cat /proc/sys/net/core/message_cost)
l3_exit() {
  echo "$L3_MSG_COST" >/proc/sys/net/core/message_cost
  t_cleanup
}
trap l3_exit EXIT

# l3_side_ns SIDE: namespaces of one side.
l3_ns_list() { echo "$1-sw $1-h1 $1-h2 $1-h3 $1-peer"; }

# l3_build_common SIDE: hosts, peer, eth2 — everything but the L2/L3 device.
l3_build_common() {
  local s=$1 i
  mkns $(l3_ns_list "$s")
  for i in 1 2 3; do
    veth "$s-sw" "p$i" "$s-h$i" eth0
    nsx "$s-h$i" ip link set eth0 address "02:00:00:00:01:1$((i - 1))"
    nsx "$s-h$i" ip addr add "10.0.1.1$((i - 1))/24" dev eth0
    nsx "$s-h$i" ip route add default via 10.0.1.1
  done
  veth "$s-sw" eth2 "$s-peer" eth0
  nsx "$s-sw" ip link set eth2 address "$E2MAC"
  nsx "$s-peer" ip link set eth0 address "$PEERMAC"
  nsx "$s-peer" ip addr add 10.0.2.10/24 dev eth0
  nsx "$s-peer" ip route add default via 10.0.2.1
  nsx "$s-sw" sysctl -qw net.ipv4.conf.all.forwarding=1
}

# l3_build_ref / l3_build_dut [PRE...]: one side. PRE, if given, is a function run in
# the router namespace's setup before the L3 device exists (conf/default tests).
l3_build_ref() {
  local pre=${1:-}
  l3_build_common r
  [ -n "$pre" ] && "$pre" r
  nsx r-sw ip link add "$L3_REF" type bridge stp_state 0
  nsx r-sw ip link set "$L3_REF" address "$L3MAC"
  local i
  for i in 1 2 3; do nsx r-sw ip link set "p$i" master "$L3_REF"; done
  nsx r-sw ip link set "$L3_REF" up
  nsx r-sw ip addr add 10.0.1.1/24 dev "$L3_REF"
  nsx r-sw ip addr add 10.0.2.1/24 dev eth2
}

l3_build_dut() {
  local pre=${1:-}
  l3_build_common d
  start_pvland d-sw
  [ -n "$pre" ] && "$pre" d
  ctl port add gw0 type internal vlan 10 >/dev/null
  local i
  for i in 1 2 3; do ctl port add "p$i" type netdev vlan 10 >/dev/null; done
  nsx d-sw ip link set gw0 address "$L3MAC"
  nsx d-sw ip link set gw0 up
  nsx d-sw ip addr add 10.0.1.1/24 dev gw0
  nsx d-sw ip addr add 10.0.2.1/24 dev eth2
  l3_dut_wait_route 10.0.2.10 eth2 || { echo "pvland did not sync routes"; cat "$T_DIR/d-sw.log"; exit 1; }
  l3_dut_wait_route 10.0.1.10 gw0 || { echo "pvland did not sync gw0"; cat "$T_DIR/d-sw.log"; exit 1; }
}

# l3_build [PRE]: both sides, then every knob written to its default on both.
l3_build() {
  l3_build_ref "${1:-}"
  l3_build_dut "${1:-}"
  echo 0 >/proc/sys/net/core/message_cost
  ctl sysctl -w net.core.message_cost=0 >/dev/null   # pvland's own budget, likewise
  l3_monitors_start
  [ -n "${L3_NO_RESET:-}" ] || l3_reset
}

# Every interface of the switch is watched, so a reply that leaves the wrong port is
# seen: an ARP monitor (arp_probe.py --monitor) on each host's and the peer's eth0 and on
# the L3 device (br0 / gw0) of both sides, running for the whole test. A probe reports
# what they saw during its window as "elsewhere" (the requester's own monitor aside: the
# probe itself covers it). The L3 device's kernel drops frames for other MACs, and the
# bridge does not even pass them up, so those are left out there.
L3_MON_HOSTS="h1 h2 h3 peer"
l3_monitors_start() {
  local s h
  for s in r d; do
    for h in $L3_MON_HOSTS; do
      nsx "$s-$h" "$PVT_PY" "$PROBE" --monitor eth0 -o "$T_DIR/mon.$s.$h" &
      T_PIDS+=($!)
    done
    nsx "$s-sw" "$PVT_PY" "$PROBE" --monitor "$([ $s = r ] && echo "$L3_REF" || echo gw0)" -o "$T_DIR/mon.$s.l3" &
    T_PIDS+=($!)
  done
  for s in r d; do
    for h in $L3_MON_HOSTS l3; do
      wait_until 5 test -e "$T_DIR/mon.$s.$h" || { echo "ARP monitor $s $h did not start"; exit 1; }
    done
  done
}
# l3_monitor_args SIDE REQUESTER: the probe's --monitors arguments.
l3_monitor_args() {
  local h
  printf '%s\n' --ignore-otherhost l3 --monitors
  for h in $L3_MON_HOSTS l3; do
    [ "$h" = "$2" ] || echo "$h=$T_DIR/mon.$1.$h"
  done
}

# The probe window: at least the configured proxy_delay plus a margin when a delay is
# set, so a delayed reply (right or wrong) lands inside it. l3set tracks the delay.
L3_DELAY_CS=0
l3_window_args() {
  [ "$L3_DELAY_CS" -gt 0 ] || return 0
  local want
  want=$(awk -v d="$L3_DELAY_CS" 'BEGIN { printf "%.2f", d / 100 + 0.15 }')
  local a prev="" given=0.15
  for a in "$@"; do [ "$prev" = --window ] && given=$a; prev=$a; done
  awk -v g="$given" -v w="$want" 'BEGIN { exit !(w > g) }' && printf '%s\n' --window "$want"
  return 0
}

# l3_dut_wait_route ADDR DEV: wait until pvland's FIB sends ADDR out DEV.
l3_dut_wait_route() {
  wait_until 5 l3_dut_route_is "$1" "$2"
}
l3_dut_route_is() { [ "$(ctl -j route get "$1" 2>/dev/null | pvjson "(j[0] if isinstance(j,list) else j).get('dev')")" = "$2" ]; }
# l3_dut_wait_no_route ADDR: until pvland has no usable route for ADDR.
l3_dut_route_type() { ctl -j route get "$1" 2>/dev/null | pvjson "(j[0] if isinstance(j,list) else j).get('route_type')"; }

# l3set KEY=VALUE...: write on both sides; in KEY, ".L3." names br0 / gw0.
l3set() {
  local kv ref=() dut=()
  for kv in "$@"; do
    ref+=("${kv//.L3./.$L3_REF.}")
    dut+=("${kv//.L3./.gw0.}")
    case $kv in net.ipv4.neigh.L3.proxy_delay=*) L3_DELAY_CS=${kv#*=} ;; esac
  done
  nsx r-sw sysctl -qw "${ref[@]}" || fail "reference sysctl ${ref[*]}"
  ctl sysctl -w "${dut[@]}" >/dev/null || fail "pvlanctl sysctl -w ${dut[*]}"
}

# kset KEY=VALUE...: a kernel sysctl of another device (eth2), written on both sides.
# The kernel announces no medium_id change; pvland re-reads it every 0.5 s, so a
# medium_id write waits for that before the next probe.
kset() {
  local kv wait=0
  for kv in "$@"; do
    nsx r-sw sysctl -qw "$kv"
    nsx d-sw sysctl -qw "$kv"
    case $kv in *.medium_id=*) wait=1 ;; esac
  done
  [ "$wait" = 0 ] || sleep 0.7
}

# l3_reset: every knob on all and the L3 device back to its default, forwarding on,
# proxy_delay 0 (answers at once; the delay has its own cases), proxy_qlen 64.
l3_reset() {
  local k args=()
  for k in $L3_KNOBS; do args+=("net.ipv4.conf.all.$k=0" "net.ipv4.conf.L3.$k=0"); done
  args+=(net.ipv4.conf.L3.forwarding=1 net.ipv4.neigh.L3.proxy_delay=0 net.ipv4.neigh.L3.proxy_qlen=64)
  l3set "${args[@]}"
  kset net.ipv4.conf.eth2.medium_id=0
}

# probe_both TAG HOST ARGS...: arp_probe.py on HOST's eth0 of both sides at once;
# reports in $T_DIR/TAG.r.json and TAG.d.json.
probe_both() {
  local tag=$1 h=$2; shift 2
  local win; mapfile -t win < <(l3_window_args "$@")
  local mr md; mapfile -t mr < <(l3_monitor_args r "$h"); mapfile -t md < <(l3_monitor_args d "$h")
  nsx "r-$h" "$PVT_PY" "$PROBE" eth0 "$@" "${win[@]}" "${mr[@]}" -o "$T_DIR/$tag.r.json" &
  local p1=$!
  nsx "d-$h" "$PVT_PY" "$PROBE" eth0 "$@" "${win[@]}" "${md[@]}" -o "$T_DIR/$tag.d.json" &
  local p2=$!
  wait "$p1" "$p2"
}

# nreplies TAG SIDE: number of replies in a report.
nreplies() { pvjson "len(j['replies'])" <"$T_DIR/$1.$2.json"; }

# arpcase NAME WANT [--from HOST] [--known-difference WHY] PROBE_ARGS...: send the probe
# on both sides; the reference must give WANT replies (the kernel's documented verdict: a
# mismatch means the harness or the table is wrong, not pvland), pvland exactly the same
# frames on every interface, and pvland's verdict counters must account for every reply
# from the L3 MAC. --known-difference names a divergence of pvland's that is not fixed
# yet and limited to replies seen on other ports: the case then passes only while that
# difference is still there, so the marker goes when the divergence does.
L3_CASE=0
L3_KNOWN_DIFF=""
arpcase() {
  local name=$1 want=$2 h=h1; shift 2
  if [ "${1:-}" = --from ]; then h=$2; shift 2; fi
  L3_KNOWN_DIFF=""
  if [ "${1:-}" = --known-difference ]; then L3_KNOWN_DIFF=$2; shift 2; fi
  L3_CASE=$((L3_CASE + 1))
  local tag="c$L3_CASE" v0
  v0=$(dut_reply_verdicts)
  probe_both "$tag" "$h" "$@"
  arp_verdict "$name" "$want" "$tag"
  dut_sender_check "$name" "$tag" "$v0"
}

# pvland's ARP verdicts on gw0, as "reason count" lines. The one place that reads them
# (stats show -j: the internal port's `arp` list of {reason, count}).
dut_arp_verdicts() {
  ctl -j stats show gw0 |
    pvjson "'\\n'.join('%s %d' % (v['reason'], v['count']) for p in (j if isinstance(j, list) else [j]) if p.get('name') == 'gw0' for v in p.get('arp', []))"
}
# dut_verdict NAME: one verdict counter (0 when absent).
dut_verdict() { dut_arp_verdicts | awk -v r="$1" '$1 == r { n += $2 } END { print n + 0 }'; }
# The verdicts that send a reply: answering for a local address (and DAD), proxy_arp,
# pvlan and static proxy entry replies (immediate, or when a delayed request leaves the
# queue).
L3_REPLY_VERDICTS="local_reply dad_reply proxy_reply pvlan_reply pneigh_reply"
dut_reply_verdicts() {
  dut_arp_verdicts | awk -v want=" $L3_REPLY_VERDICTS " 'index(want, " " $1 " ") { n += $2 } END { print n + 0 }'
}

# dut_sender_check NAME TAG V0: pvland, not the kernel behind gw0 (which also has the L3
# MAC), sent every reply from the L3 MAC that pvland's side saw: their number equals the
# growth of pvland's reply verdicts since V0.
dut_sender_check() {
  local name=$1 tag=$2 v0=$3 seen grew
  seen=$(pvjson "sum(1 for r in j['replies'] + j.get('elsewhere', []) if r['src'] == '$L3MAC')" <"$T_DIR/$tag.d.json")
  grew=$(( $(dut_reply_verdicts) - v0 ))
  if [ "$seen" = "$grew" ]; then pass "$name: pvland counted the $seen reply(ies) it sent"
  else fail "$name: $seen replies from the L3 MAC seen, pvland's reply verdicts grew by $grew ($(dut_arp_verdicts | tr '\n' ' '))"; fi
}

# arp_verdict NAME WANT TAG: the verdict part of arpcase, for reports probe_both made.
arp_verdict() {
  local name=$1 want=$2 tag=$3
  local cmp rc nr
  cmp=$("$PVT_PY" "$PROBE" --compare "$T_DIR/$tag.r.json" "$T_DIR/$tag.d.json"); rc=$?
  nr=$(pvjson "len(j['replies'])" <"$T_DIR/$tag.r.json")
  if [ "$nr" != "$want" ]; then
    fail "$name: reference kernel gave $nr replies, expected $want ($cmp)"
  elif [ -n "$L3_KNOWN_DIFF" ]; then
    if [ "$rc" = 2 ]; then pass "$name: KNOWN DIFFERENCE ($L3_KNOWN_DIFF): $cmp"
    elif [ "$rc" = 0 ]; then fail "$name: the known difference ($L3_KNOWN_DIFF) is gone: remove its marker"
    else fail "$name: $cmp"; fi
  elif [ "$rc" = 0 ]; then
    pass "$name: $cmp"
  else
    fail "$name: $cmp"
  fi
}

# Martian log lines. The kernel's go to the global ring buffer: a follower started here
# sees only new ones; pvland's go to its stderr. Lines are compared without time stamps
# and with the device name br0 read as gw0.
l3_kmsg_start() {
  dmesg -W -t >"$T_DIR/kmsg.log" 2>/dev/null &
  T_PIDS+=($!)
  sleep 0.2
}
# l3_martians_ref / l3_martians_dut: martian lines (plus their ll header line) seen so far.
l3_martians_ref() {
  awk -v dev="$L3_REF" '/IPv4: martian (source|destination) .* dev / && $NF == dev {print; keep=1; next}
       keep && /^ll header:/ {print; keep=0; next} {keep=0}' "$T_DIR/kmsg.log" | sed "s/dev $L3_REF\$/dev gw0/"
}
l3_martians_dut() {
  sed -n 's/.*\(IPv4: martian .*\)$/\1/p; s/.*\(ll header: .*\)$/\1/p' "$T_DIR/d-sw.log"
}

# martiancase NAME WANT_LINES [--from H] PROBE_ARGS...: an arpcase that also compares the
# martian lines the probe caused (WANT_LINES: how many the kernel should print).
martiancase() {
  local name=$1 want=$2; shift 2
  local kb db
  kb=$(l3_martians_ref | wc -l); db=$(l3_martians_dut | wc -l)
  arpcase "$name" 0 "$@"
  sleep 0.2
  local kl dl
  kl=$(l3_martians_ref | tail -n +$((kb + 1)))
  dl=$(l3_martians_dut | tail -n +$((db + 1)))
  local kn=0; [ -n "$kl" ] && kn=$(printf '%s\n' "$kl" | wc -l)
  if [ "$kn" != "$want" ]; then
    fail "$name: reference kernel logged $kn lines, expected $want: $(printf '%s' "$kl" | tr '\n' '|')"
  elif [ "$kl" = "$dl" ]; then
    pass "$name: log lines identical ($kn) ${kl%%$'\n'*}"
  else
    fail "$name: log differs: kernel '$(printf '%s' "$kl" | tr '\n' '|')' pvland '$(printf '%s' "$dl" | tr '\n' '|')'"
  fi
}

# l3ip ARGS...: the same `ip ARGS` in both router namespaces (routes, addresses, rules),
# then a short pause for pvland's netlink mirror.
# An argument that is exactly "L3" names br0 / gw0.
l3ip() {
  local a r=() d=()
  for a in "$@"; do
    if [ "$a" = L3 ]; then r+=("$L3_REF"); d+=(gw0); else r+=("$a"); d+=("$a"); fi
  done
  nsx r-sw ip "${r[@]}" || fail "reference: ip ${r[*]}"
  nsx d-sw ip "${d[@]}" || fail "dut: ip ${d[*]}"
  sleep 0.15
}

# delay_check NAME TAG SIDE N MAX MINSPREAD: the reply delays of one report: N replies,
# all below MAX seconds, spread over [0, MAX): each quarter of [0, MINSPREAD) holds some
# (MINSPREAD = the configured delay), mean within the middle half.
delay_check() {
  local name=$1 tag=$2 side=$3 n=$4 max=$5 span=$6 out
  if out=$("$PVT_PY" - "$T_DIR/$tag.$side.json" "$n" "$max" "$span" <<'PY'
import json, sys
d = [r["delay"] for r in json.load(open(sys.argv[1]))["replies"]]
n, mx, span = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
bins = [0, 0, 0, 0]
for x in d:
    bins[min(3, int(x / (span / 4)))] += 1
mean = sum(d) / len(d) if d else 0
s = "n=%d min=%.3f max=%.3f mean=%.3f quarters=%s" % (len(d), min(d or [0]), max(d or [0]), mean, bins)
ok = len(d) == n and max(d or [0]) < mx and all(b > 0 for b in bins) and span * 0.25 < mean < span * 0.75
print(s)
sys.exit(0 if ok else 1)
PY
  ); then pass "$name: $out"; else fail "$name: $out"; fi
}

# late_replies TAG SIDE AFTER: replies that arrived later than AFTER seconds.
late_replies() {
  pvjson "sum(1 for r in j['replies'] if r['delay'] > $3)" <"$T_DIR/$1.$2.json"
}

# probe_then TAG CMD... -- PROBE_ARGS...: probe_both from h1, and run CMD once both
# sides have sent their frames (plus 50 ms), while the probes still listen.
probe_then() {
  local tag=$1; shift
  local cmd=()
  while [ "$1" != -- ]; do cmd+=("$1"); shift; done
  shift
  rm -f "$T_DIR/$tag.r.sent" "$T_DIR/$tag.d.sent"
  local mr md; mapfile -t mr < <(l3_monitor_args r h1); mapfile -t md < <(l3_monitor_args d h1)
  nsx r-h1 "$PVT_PY" "$PROBE" eth0 "$@" "${mr[@]}" --sent-file "$T_DIR/$tag.r.sent" -o "$T_DIR/$tag.r.json" &
  local p1=$!
  nsx d-h1 "$PVT_PY" "$PROBE" eth0 "$@" "${md[@]}" --sent-file "$T_DIR/$tag.d.sent" -o "$T_DIR/$tag.d.json" &
  local p2=$!
  wait_until 5 test -e "$T_DIR/$tag.r.sent" -a -e "$T_DIR/$tag.d.sent"
  sleep 0.05
  "${cmd[@]}"
  wait "$p1" "$p2"
}
