#!/usr/bin/env bash
# Protocol state filtering (docs/psf.md) and asymmetric routing, end to end with real
# applications (kernel TCP, default offloads): policies.md §2.8, topology T2, cases P1-P6,
# P9, P10, P12.
#
#   cli eth0 ─ eth0 [rtr: ip_forward, rp_filter 0] leg1 ─ r1 ┐        ┌ a ─ eth0 [vm]
#   10.20.9.2/24    10.20.9.1             10.20.1.1/24        ├ pvland ┤   10.20.1.10/24
#                                         leg2 ─ r2 ──────────┘        └ b ─ eth1
#                                         10.20.2.1/24                     10.20.2.10/24
#   pvland: a, r1 in VLAN 1; b, r2 in VLAN 2.
#
# vm's default route is via 10.20.1.1 (eth0), so what cli sends to 10.20.2.10 enters vm by
# eth1 (port b, to-port) and vm's answers leave by eth0 (port a, from-port): the TCP
# handshake's SYN is seen only by b, its SYN-ACK only by a. vm runs rp_filter 2 (loose):
# strict (1) drops the requests that arrive on eth1. Ports pa, pb, pr1, pr2 are
# policies.md's A, B, R1, R2.
source "$PVLAND_TESTLIB"
HERE=$(cd "$(dirname "$0")" && pwd)
APPS="$HERE/psf_apps.py"
EXPLAIN_SRC="$HERE/../../../daemon/observe/explain.cc"
SRV=10.20.2.10
ECHO_PORT=7007
# A session whose process has exited must not kill the test when it is written to.
trap '' PIPE

mkns sw cli rtr vm
veth cli eth0 rtr eth0
veth rtr leg1 sw pr1
veth rtr leg2 sw pr2
veth vm eth0 sw pa
veth vm eth1 sw pb
host_addr cli eth0 10.20.9.2/24
host_addr rtr eth0 10.20.9.1/24
host_addr rtr leg1 10.20.1.1/24
host_addr rtr leg2 10.20.2.1/24
host_addr vm eth0 10.20.1.10/24
host_addr vm eth1 10.20.2.10/24
nsx cli ip route add default via 10.20.9.1
nsx vm ip route add default via 10.20.1.1
nsx rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
  net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.leg1.rp_filter=0 net.ipv4.conf.leg2.rp_filter=0
# vm_rp_filter N: vm's reverse-path filter on every interface (the kernel uses the larger
# of `all` and the interface's value).
vm_rp_filter() {
  nsx vm sysctl -qw net.ipv4.conf.all.rp_filter="$1" net.ipv4.conf.default.rp_filter="$1" \
    net.ipv4.conf.eth0.rp_filter="$1" net.ipv4.conf.eth1.rp_filter="$1"
}
vm_rp_filter 2
# vm gives up a handshake that never completes after one SYN-ACK retransmission (3 s,
# not 63): the failed cases' half-open connections are gone before the next case.
nsx vm sysctl -qw net.ipv4.tcp_synack_retries=1

start_pvland sw
for p in pa pb pr1 pr2; do ctl port add $p >/dev/null || fail "port add $p"; done
ctl port set pb vlan 2 >/dev/null || fail "port set pb vlan 2"
ctl port set pr2 vlan 2 >/dev/null || fail "port set pr2 vlan 2"

# The echo server runs for the whole test; its log says which connections vm accepted.
nsx vm "$PVT_PY" "$APPS" echo-serve 0.0.0.0 "$ECHO_PORT" >"$T_DIR/echo.log" 2>&1 &
T_PIDS+=($!)
nsx vm "$PVT_PY" "$PVT_TRAFFIC" wait-port 0.0.0.0 "$ECHO_PORT" tcp
traffic_file 1

# ---- helpers --------------------------------------------------------------------------
# oneshot: cli connects to vm's echo server, sends a line, reads it back (3 s per step).
oneshot() {
  nsx cli timeout 10 "$PVT_PY" "$APPS" oneshot "$SRV" "$ECHO_PORT" 3 >"$T_DIR/oneshot.out" 2>&1
  local rc=$?
  sed 's/^/    oneshot: /' "$T_DIR/oneshot.out" >&3
  return $rc
}
# http_fails: an HTTP fetch from vm with a 3 s timeout does not complete.
http_fails() {
  nsx vm "$PVT_PY" "$PVT_TRAFFIC" http-serve "$SRV" 8080 "$T_FILE" 2>>"$T_DIR/http.err" &
  local pid=$! rc
  nsx vm "$PVT_PY" "$PVT_TRAFFIC" wait-port "$SRV" 8080 tcp
  nsx cli timeout 10 "$PVT_PY" "$PVT_TRAFFIC" http-fetch "http://$SRV:8080/" "$T_SHA" 3 >/dev/null 2>&1
  rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  [ $rc != 0 ]
}

# Sessions: a long-lived connection from cli, driven through a FIFO.
declare -A SFD=()
sess_open() {
  local n=$1 fd
  rm -f "$T_DIR/$n.in" "$T_DIR/$n.out"; mkfifo "$T_DIR/$n.in"
  nsx cli "$PVT_PY" "$APPS" session "$SRV" "$ECHO_PORT" 3 <"$T_DIR/$n.in" >"$T_DIR/$n.out" 2>&1 &
  T_PIDS+=($!)
  exec {fd}>"$T_DIR/$n.in"
  SFD[$n]=$fd
  wait_until 8 grep -Eq '^(connected|connect failed)' "$T_DIR/$n.out"
  grep -q '^connected' "$T_DIR/$n.out"
}
sess_port() { awk '/^connected/ {print $2}' "$T_DIR/$1.out"; }
# sess_do NAME send|wait TAG SECS: succeeds when TAG's echo came back within SECS.
sess_do() {
  local n=$1 cmd=$2 tag=$3 secs=$4
  echo "$cmd $tag $secs" >&"${SFD[$n]}"
  wait_until $((secs + 3)) grep -Eq "^$cmd $tag (ok|timeout)" "$T_DIR/$n.out"
  grep -q "^$cmd $tag ok" "$T_DIR/$n.out"
}
# sess_close NAME [abort]
sess_close() {
  local fd=${SFD[$1]}
  echo "${2:-close}" >&"$fd"
  wait_until 6 grep -q '^closed' "$T_DIR/$1.out"
  exec {fd}>&-
}
# vm_accepted SPORT: vm's echo server accepted the connection from cli's port SPORT.
vm_accepted() { grep -q "^accept 10.20.9.2:$1\$" "$T_DIR/echo.log"; }

# ct PORT: conntrack show PORT as "src dst origin state" lines (empty without psf).
ct() { ctl -j conntrack show "$1" 2>/dev/null | pvjson "'\n'.join('%s %s %s %s' % (e['src'], e['dst'], e['origin'], e['state']) for e in j)"; }
# ct_state PORT SPORT: the state of PORT's entry for cli's source port SPORT.
ct_state() { ct "$1" | awk -v s="10.20.9.2:$2" '$1 == s {print $4}'; }
ct_origin() { ct "$1" | awk -v s="10.20.9.2:$2" '$1 == s {print $3}'; }
show_ct() {
  echo "  conntrack show $1 ($(ctl -j conntrack show "$1" | pvjson 'len(j)') entries):"
  ctl conntrack show "$1" 2>&1 | sed 's/^/    /'
}
# psf_drops PORT: every psf_* drop counted on PORT, as "reason=count ...".
psf_drops() {
  ctl -j stats show "$1" | pvjson "' '.join('%s=%d' % (d['reason'], d['count']) for p in j if p['name']=='$1' for d in p.get('drops', []) if d['reason'].startswith('psf_')) or '-'"
}
psf_total() { ctl -j stats show "$1" | pvjson "sum(d['count'] for p in j if p['name']=='$1' for d in p.get('drops', []) if d['reason'].startswith('psf_'))"; }
drops_line() { echo "  psf drops: a: $(psf_drops pa); b: $(psf_drops pb)"; }
psf_set() { ctl port set "$@" >/dev/null || fail "port set $*"; }
flush_ct() { for p in "$@"; do ctl conntrack flush "$p" >/dev/null 2>&1; done; }

# ---- the path -----------------------------------------------------------------------------
echo "== the asymmetric path, psf at its defaults (auto, role bare-metal)"
expect_eq "a: psf default" "$(port_field pa psf)" auto
expect_eq "a: role default" "$(port_field pa role)" bare-metal
expect_eq "a: psf_active (auto + bare-metal = off)" "$(port_field pa psf_active)" False
expect_ok "cli pings vm's eth1 address (rp_filter 2)" can_ping cli "$SRV"
vm_rp_filter 1
expect_ok "with strict rp_filter in vm the same ping fails (the request enters by eth1, the route back is eth0)" \
  cannot_ping cli "$SRV"
vm_rp_filter 2
A_RX0=$(port_stat pa rx_packets) B_TX0=$(port_stat pb tx_packets)
can_ping cli "$SRV" >/dev/null
echo "  one ping: port b tx_packets +$(($(port_stat pb tx_packets) - B_TX0)), port a rx_packets +$(($(port_stat pa rx_packets) - A_RX0))"

echo "== P3: a and b psf disabled"
psf_set pa psf disabled; psf_set pb psf disabled
expect_ok "P3: TCP echo" oneshot
expect_ok "P3: HTTP fetch (1 MiB, sha256)" http_ok vm "$SRV" cli
expect_ok "P3: iperf3 TCP stream" tcp_stream_ok vm "$SRV" cli
expect_eq "P3: no psf drop on a" "$(psf_total pa)" 0
expect_eq "P3: no psf drop on b" "$(psf_total pb)" 0

echo "== P4: psf auto, role bare-metal"
psf_set pa psf auto role bare-metal; psf_set pb psf auto role bare-metal
expect_eq "P4: a psf_active" "$(port_field pa psf_active)" False
expect_ok "P4: TCP echo" oneshot

echo "== P5: psf auto, role instance"
psf_set pa role instance; psf_set pb role instance
expect_eq "P5: a psf_active" "$(port_field pa psf_active)" True
expect_eq "P5: b psf_active" "$(port_field pb psf_active)" True
N0=$(port_drop pa psf_no_state)
expect_fail "P5: TCP echo fails" oneshot
expect_ok "P5: a counted psf_no_state (the SYN-ACK)" test "$(port_drop pa psf_no_state)" -gt "$N0"
drops_line

echo "== P1: a and b psf enabled (role bare-metal)"
psf_set pa psf enabled role bare-metal; psf_set pb psf enabled role bare-metal
flush_ct pa pb
expect_eq "P1: a psf_active" "$(port_field pa psf_active)" True
N0=$(port_drop pa psf_no_state)
expect_fail "P1: TCP echo fails" oneshot
NA=$(($(port_drop pa psf_no_state) - N0))
echo "  P1: a psf_no_state +$NA (vm's SYN-ACK and its retransmissions)"
expect_ok "P1: a counted psf_no_state" test "$NA" -ge 1
show_ct pb
# The client gave up; its SYN's entry on b stays (SYN_SENT lasts 120 s).
SP=$(ct pb | awk '$2 == "'"$SRV:$ECHO_PORT"'" {split($1, x, ":"); print x[2]; exit}')
expect_eq "P1: b lists the connection in SYN_SENT" "$(ct_state pb "$SP")" SYN_SENT
expect_eq "P1: b's entry was opened to-port" "$(ct_origin pb "$SP")" to-port
expect_eq "P1: a tracks nothing (the SYN-ACK opened no entry)" "$(port_field pa psf_entries)" 0
expect_ok "P1: an HTTP fetch fails as well" http_fails
echo "  P1: pvlanctl why pa -n 1:"
ctl why pa -n 1 2>&1 | sed 's/^/    /' | tee "$T_DIR/why.txt"
expect_ok "P1: why a names the drop psf_no_state" grep -q psf_no_state "$T_DIR/why.txt"
if grep -q kPsfNoState "$EXPLAIN_SRC" 2>/dev/null; then
  expect_ok "P1: why a explains it (mentions psf, not 'no explanation')" \
    bash -c "grep -qi psf '$T_DIR/why.txt' && ! grep -q 'no explanation' '$T_DIR/why.txt'"
else
  echo "  P1: (explain.cc has no psf_no_state explainer yet: why's text is printed, not checked)"
fi
drops_line

echo "== P9: ICMP and UDP on the asymmetric path, psf enabled"
PA=$(psf_total pa) PB=$(psf_total pb)
if can_ping cli "$SRV"; then pass "P9: cli pings $SRV"; else
  fail "P9: cli pings $SRV"
  nsx cli ping -n -c 3 -W 1 "$SRV" 2>&1 | sed 's/^/    /'
  echo "    rtr neigh: $(nsx rtr ip -4 neigh | tr '\n' ';')"
  echo "    vm neigh: $(nsx vm ip -4 neigh | tr '\n' ';')"
  for p in pa pb pr1 pr2; do echo "    $p: rx $(port_stat $p rx_packets) tx $(port_stat $p tx_packets) drops $(ctl -j stats show $p | pvjson "' '.join('%s=%d' % (d['reason'], d['count']) for p in j for d in p.get('drops', []))")"; done
  ctl why -n 5 2>&1 | sed 's/^/    /'
fi
expect_ok "P9: UDP echo (64, 1400, 4000 bytes)" udp_ok vm "$SRV" cli
expect_eq "P9: no psf drop on a for ICMP/UDP" "$(psf_total pa)" "$PA"
expect_eq "P9: no psf drop on b for ICMP/UDP" "$(psf_total pb)" "$PB"

echo "== P2: a disabled, b enabled"
psf_set pa psf disabled
flush_ct pb
I0=$(port_drop pb psf_invalid_state)
expect_ok "P2: connect() returns (the SYN-ACK leaves by a, unfiltered)" sess_open p2
SP=$(sess_port p2)
expect_fail "P2: the line sent gets no echo" sess_do p2 send p2data 3
NI=$(($(port_drop pb psf_invalid_state) - I0))
echo "  P2: b psf_invalid_state +$NI (cli's ACK and data: ORIGINAL ACK in SYN_SENT)"
show_ct pb
expect_ok "P2: b counted psf_invalid_state" test "$NI" -ge 1
expect_eq "P2: b's entry stays SYN_SENT" "$(ct_state pb "$SP")" SYN_SENT
expect_fail "P2: vm never accepted the connection" vm_accepted "$SP"
sess_close p2 abort
drops_line

# leftovers_gone: no half-open connection of the failed cases is left in vm (SYN-RECV)
# or cli (anything but TIME-WAIT): none of their retransmissions can cross a port later.
leftovers_gone() {
  [ -z "$(nsx vm ss -Htn state syn-recv)" ] &&
    [ -z "$(nsx cli ss -Htan dst "$SRV" | awk '$1 != "TIME-WAIT"')" ]
}
T0=$SECONDS
expect_ok "the failed cases' connections are gone in vm and cli" wait_until 20 leftovers_gone
echo "  (after $((SECONDS - T0)) s)"

echo "== P6: symmetric (vm's default route via 10.20.2.1), a and b enabled"
psf_set pa psf enabled
nsx vm ip route replace default via 10.20.2.1
flush_ct pa pb
PA=$(psf_total pa) PB=$(psf_total pb)
expect_ok "P6: TCP echo" oneshot
expect_ok "P6: HTTP fetch (1 MiB, sha256)" http_ok vm "$SRV" cli
expect_ok "P6: iperf3 TCP stream" tcp_stream_ok vm "$SRV" cli
expect_ok "P6: a session connects" sess_open p6
SP=$(sess_port p6)
expect_ok "P6: the session's line is echoed" sess_do p6 send p6a 3
show_ct pb
expect_eq "P6: b's entry is ESTABLISHED" "$(ct_state pb "$SP")" ESTABLISHED
expect_eq "P6: opened to-port" "$(ct_origin pb "$SP")" to-port
sess_close p6
wait_until 3 bash -c "[ \"\$(\"$PVLANCTL\" -s '$PVSOCK' -j conntrack show pb | '$PVT_PY' -c \"import json,sys; print([e['state'] for e in json.load(sys.stdin) if e['src']=='10.20.9.2:$SP'])\")\" = \"['TIME_WAIT']\" ]"
show_ct pb
expect_eq "P6: after the close b's entry is TIME_WAIT" "$(ct_state pb "$SP")" TIME_WAIT
expect_eq "P6: no psf drop on a" "$(psf_total pa)" "$PA"
expect_eq "P6: no psf drop on b" "$(psf_total pb)" "$PB"

echo "== P10: an established connection when b's psf is disabled and enabled again"
expect_ok "P10: a session connects" sess_open p10
SP=$(sess_port p10)
expect_ok "P10: first line echoed" sess_do p10 send p10a 3
expect_eq "P10: ESTABLISHED on b" "$(ct_state pb "$SP")" ESTABLISHED
psf_set pb psf disabled
psf_set pb psf enabled
expect_eq "P10: re-enabling started an empty table" "$(port_field pb psf_entries)" 0
N0=$(port_drop pb psf_no_state)
expect_fail "P10: the next line gets no echo (psf_liberal off)" sess_do p10 send p10b 3
NN=$(($(port_drop pb psf_no_state) - N0))
echo "  P10: b psf_no_state +$NN (cli's data and its retransmissions)"
expect_ok "P10: b counted psf_no_state" test "$NN" -ge 1
psf_set pb psf_liberal on
expect_ok "P10: with psf_liberal on the retransmission is picked up and echoed" sess_do p10 wait p10b 10
expect_ok "P10: and the connection goes on" sess_do p10 send p10c 3
show_ct pb
expect_eq "P10: b lists the picked-up connection ESTABLISHED" "$(ct_state pb "$SP")" ESTABLISHED
sess_close p10
psf_set pb psf_liberal off

echo "== P12: psf_max_entries 2 on b"
flush_ct pa pb
psf_set pb psf_max_entries 2
F0=$(port_drop pb psf_table_full)
expect_ok "P12: session 1 connects" sess_open p12a
expect_ok "P12: session 1 echoes (established)" sess_do p12a send x1 3
expect_ok "P12: session 2 connects" sess_open p12b
expect_ok "P12: session 2 echoes (established)" sess_do p12b send x2 3
expect_eq "P12: b tracks 2" "$(port_field pb psf_entries)" 2
expect_fail "P12: a third connection fails" oneshot
NF=$(($(port_drop pb psf_table_full) - F0))
echo "  P12: b psf_table_full +$NF (the third SYN and its retransmissions)"
expect_ok "P12: b counted psf_table_full" test "$NF" -ge 1
expect_eq "P12: b still tracks 2" "$(port_field pb psf_entries)" 2
expect_ok "P12: session 1 still works" sess_do p12a send x3 3
expect_ok "P12: session 2 still works" sess_do p12b send x4 3
show_ct pb
sess_close p12a; sess_close p12b
psf_set pb psf_max_entries 65536
drops_line
{ ctl port show pa; ctl port show pb; } 2>&1 | sed 's/^/  /'
t_done
