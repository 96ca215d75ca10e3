#!/usr/bin/env bash
# A SYN flood through a port with protocol state filtering (docs/psf.md §4): h3 sends TCP
# SYNs from random source addresses and ports (every 4-tuple distinct) to h2, whose port
# p2 has psf enabled, while h1 keeps an established connection with h2 through the same
# port (a line echoed every 50 ms, opened before the flood). Three phases:
#   1. psf_max_entries at its default (65536), PVT_SYN_FLOOD frames (default 1,000,000;
#      200,000 under the sanitizers, lib.sh flood_size):
#      the table fills to the limit and stays there, the oldest half-open entries evicted;
#      pvland's resident memory grows by about the entries' size (≤ 128 bytes each);
#   2. psf_max_entries 1000, 100,000 more: the table shrinks to the new limit on the next
#      insert and stays there, evicting; RSS does not grow;
#   3. psf_max_entries 1 (= the established connections): every SYN refused, counted
#      psf_table_full.
# Each phase checks an exact ledger: frames that reached p3 (kernel) = pvland rx +
# rx_ring_full; every frame pvland took is a new connection at p2, inserted or refused
# (psf_inserted + psf_table_full); entries = before + inserted - evicted; and psf_entries,
# sampled every 0.2 s during the flood, never above the limit (a lowered limit applies at
# the next insert, docs/psf.md §4: until then the table keeps what it held). A full
# conntrack dump's memory is measured too (kept by the allocator, not grown by repeats).
# The established connection
# must echo every line during and after the flood, stay ESTABLISHED in conntrack show,
# and a new TCP connection must work after phase 1.
source "$PVLAND_TESTLIB"
HERE=$(cd "$(dirname "$0")" && pwd)
APPS="$HERE/psf_apps.py"
FLOOD1=${PVT_SYN_FLOOD:-$(flood_size 1000000 200000)}
FLOOD_SMALL=${PVT_SYN_FLOOD_SMALL:-100000}
RATE=${PVT_SYN_FLOOD_RATE:-100000}
DEFAULT_MAX=65536
# RSS pvland may gain per tracked entry in phase 1 (bytes): docs/psf.md measures 118-127
# bytes an entry with malloc's own accounting; RSS adds page rounding and the hash index's
# previous array (freed on growth, maybe kept by the allocator: 64 Ki slots x 5 bytes).
RSS_PER_ENTRY_MAX=${PVT_SYN_RSS_PER_ENTRY:-160}

mkns sw h1 h2 h3
# The attacker's kernel sends nothing of its own: every frame p3 receives is the flood's.
nsx h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
start_pvland sw
for i in 1 2 3; do
  veth sw p$i h$i eth0
  ctl port add p$i >/dev/null || fail "port add p$i"
done
H2_MAC=02:00:00:00:00:02
host_addr h1 eth0 10.0.0.1/24 02:00:00:00:00:01
host_addr h2 eth0 10.0.0.2/24 "$H2_MAC"
nsx h3 ip link set eth0 address 02:00:00:00:00:03

PVPID=$(pvland_pid sw) || { echo "FAIL: pvland's pid not found in $(ns sw)"; exit 1; }
rss_kb() { proc_kb "$PVPID" VmRSS; }
hwm_kb() { proc_kb "$PVPID" VmHWM; }
kstat() { nsx "$1" cat "/sys/class/net/$2/statistics/$3"; }
port_num() { ctl -j port show "$1" | pvjson "[p for p in j if p['name']=='$1'][0].get('$2') or 0"; }
alive() { kill -0 "$PVPID" 2>/dev/null && ctl port show >/dev/null; }

# The sender: COUNT SYNs with distinct (source address, source port), source addresses'
# first octet in [LO, HI] (each phase its own range: no tuple repeats an earlier phase's),
# valid IPv4 and TCP checksums, an MSS option; to h2 (10.0.0.2:80, nothing listens: h2's
# kernel answers with a RST it has no route for). Built before the clock starts; one
# send() each on an AF_PACKET socket, RATE frames/s in bursts of 64.
SENDER='
import os, struct, sys
sys.path.insert(0, sys.argv.pop())  # tests/integration, for paced_send
from paced_send import send_paced
ifname, count, lo, hi, dst, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], float(sys.argv[6])
span = hi - lo + 1
tuples = set()
while len(tuples) < count:
    r = os.urandom(6 * (count - len(tuples)))
    tuples.update(bytes([lo + r[i] % span]) + r[i + 1:i + 6] for i in range(0, len(r), 6))
daddr = bytes([10, 0, 0, 2])
def fold(s):
    s = (s & 0xffff) + (s >> 16)
    return (s & 0xffff) + (s >> 16)
ip0 = struct.pack("!BBHHHBBH", 0x45, 0, 44, 0, 0x4000, 64, 6, 0)
ip_base = sum(struct.unpack("!6H", ip0[:12])) + 0x0a00 + 0x0002
tcp_base = (0x0a00 + 0x0002 + 6 + 24) + 80 + (6 << 12 | 0x02) + 64240 + 0x0204 + 1460
eth = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex("020000000003") + b"\x08\x00"
frames = []
for t in tuples:
    sa, sp = t[:4], t[4:]
    s1, s2 = sa[0] << 8 | sa[1], sa[2] << 8 | sa[3]
    spn = sp[0] << 8 | sp[1]
    seq = spn * 40503 & 0xffffffff
    ipc = ~fold(ip_base + s1 + s2) & 0xffff
    tc = ~fold(tcp_base + s1 + s2 + spn + (seq >> 16) + (seq & 0xffff)) & 0xffff
    frames.append(eth + ip0[:10] + struct.pack("!H", ipc) + sa + daddr + sp +
                  struct.pack("!HIIBBHHHBBH", 80, seq, 0, 6 << 4, 0x02, 64240, tc, 0, 2, 4, 1460))
print(len(frames), "%.2f" % send_paced(ifname, frames, rate))
'

# snap TAG: the counters a phase's ledger needs, as TAG_name.
snap() {
  local t=$1
  eval "${t}_krx=$(kstat sw p3 rx_packets)"
  eval "${t}_rx=$(port_stat p3 rx_packets)"
  eval "${t}_ring=$(port_drop p3 rx_ring_full)"
  eval "${t}_full=$(port_drop p2 psf_table_full)"
  eval "${t}_nost=$(port_drop p2 psf_no_state)"
  eval "${t}_ent=$(port_num p2 psf_entries)"
  eval "${t}_ins=$(port_num p2 psf_inserted)"
  eval "${t}_evi=$(port_num p2 psf_evicted)"
  eval "${t}_htx=$(kstat h3 eth0 tx_packets)"
}
d() { echo $(($(eval echo "\$${2}_$1") - $(eval echo "\$${3}_$1"))); }

# Sample p2's entries and pvland's RSS while a flood runs (stops when $T_DIR/sample.stop exists).
sampler() {
  rm -f "$T_DIR/sample.stop"
  : >"$T_DIR/samples"
  while [ ! -e "$T_DIR/sample.stop" ]; do
    echo "$(port_num p2 psf_entries) $(rss_kb)" >>"$T_DIR/samples"
    sleep 0.2
  done
}

# flood PHASE COUNT LO HI LIMIT: flood, then check the ledger against LIMIT.
flood() {
  local phase=$1 count=$2 lo=$3 hi=$4 limit=$5 out sent secs t0 spid maxe
  RSS0=$(rss_kb)
  snap B
  sampler &
  spid=$!
  t0=$(t_now)
  out=$(pyx h3 "$SENDER" eth0 "$count" "$lo" "$hi" "$H2_MAC" "$RATE" "$PVT_LIB_DIR") || fail "phase $phase: the sender failed"
  read -r sent secs <<<"$out"
  sleep 0.5
  touch "$T_DIR/sample.stop"; wait "$spid"
  snap A
  RSS1=$(rss_kb)
  maxe=$(awk 'BEGIN {m = 0} $1 > m {m = $1} END {print m}' "$T_DIR/samples")
  echo "phase $phase: sent $sent SYNs in $secs s ($(awk -v n="$sent" -v s="$secs" 'BEGIN{printf "%d", n/s}') frames/s); with frame building $(awk -v a="$t0" -v b="$(t_now)" 'BEGIN{printf "%.1f", b-a}') s"
  echo "phase $phase: h3 tx +$(d htx A B); p3 kernel rx +$(d krx A B), rx_ring_full +$(d ring A B); pvland rx +$(d rx A B)"
  echo "phase $phase: p2 psf_entries $B_ent -> $A_ent (max sampled $maxe, $(wc -l <"$T_DIR/samples") samples), psf_inserted +$(d ins A B), psf_evicted +$(d evi A B), psf_table_full +$(d full A B), psf_no_state +$(d nost A B)"
  echo "phase $phase: pvland VmRSS $RSS0 -> $RSS1 KiB (+$((RSS1 - RSS0))), VmHWM $(hwm_kb) KiB"
  expect_eq "phase $phase: the sender sent every frame" "$sent" "$count"
  expect_ok "phase $phase: p3 kernel rx == pvland rx + rx_ring_full" \
    test "$(d krx A B)" = $(($(d rx A B) + $(d ring A B)))
  expect_ok "phase $phase: every SYN pvland took was inserted or refused at p2 (rx == psf_inserted + psf_table_full)" \
    test "$(d rx A B)" = $(($(d ins A B) + $(d full A B)))
  expect_ok "phase $phase: entries == before + inserted - evicted" \
    test "$A_ent" = $((B_ent + $(d ins A B) - $(d evi A B)))
  # A lowered limit removes nothing at once (docs/psf.md §4): the first insert after it
  # evicts down to the limit. Until then the table may hold what it held before.
  local bound=$limit
  [ "$B_ent" -gt "$bound" ] && bound=$B_ent
  expect_ok "phase $phase: psf_entries never above max($limit, $B_ent before) (sampled max $maxe)" test "$maxe" -le "$bound"
  expect_ok "phase $phase: psf_entries at the end within $limit ($A_ent)" test "$A_ent" -le "$limit"
  expect_eq "phase $phase: no psf_no_state on p2 (the established connection lost nothing)" "$(d nost A B)" 0
  expect_ok "phase $phase: pvland is alive and answers" alive
  expect_ok "phase $phase: the ticker has not stalled" bash -c "! grep -q stalled '$T_DIR/ticker.out'"
}

# ct_state_of SPORT: p2's entry for h1's source port SPORT.
ct_state_of() {
  ctl -j conntrack show p2 | pvjson "' '.join(e['state'] for e in j if e['src'] == '10.0.0.1:$1')"
}

ctl port set p2 psf enabled >/dev/null || fail "port set p2 psf enabled"
expect_eq "p2 psf_max_entries default" "$(port_field p2 psf_max_entries)" "$DEFAULT_MAX"
expect_ok "h1 reaches h2" can_ping h1 10.0.0.2
nsx h2 "$PVT_PY" "$APPS" echo-serve 10.0.0.2 7007 >"$T_DIR/echo.log" 2>&1 &
T_PIDS+=($!)
nsx h2 "$PVT_PY" "$PVT_TRAFFIC" wait-port 10.0.0.2 7007 tcp
ctl conntrack flush p2 >/dev/null
nsx h1 "$PVT_PY" "$APPS" ticker 10.0.0.2 7007 0.05 "$T_DIR/ticker.stop" >"$T_DIR/ticker.out" 2>&1 &
TICKER=$!
T_PIDS+=("$TICKER")
wait_until 5 grep -q '^connected' "$T_DIR/ticker.out" || fail "the established connection did not connect: $(cat "$T_DIR/ticker.out")"
SP=$(awk '/^connected/ {print $2}' "$T_DIR/ticker.out")
sleep 0.5
expect_eq "before the flood: the connection h1:$SP -> h2:7007 is ESTABLISHED on p2" "$(ct_state_of "$SP")" ESTABLISHED
expect_eq "before the flood: p2 tracks 1 entry" "$(port_field p2 psf_entries)" 1
RSS_START=$(rss_kb)
echo "pvland pid $PVPID, VmRSS at start $RSS_START KiB"

echo "== phase 1: psf_max_entries $DEFAULT_MAX (default), $FLOOD1 SYNs"
flood 1 "$FLOOD1" 11 110 "$DEFAULT_MAX"
WANT=$((B_ent + $(d rx A B)))
[ "$WANT" -gt "$DEFAULT_MAX" ] && WANT=$DEFAULT_MAX
expect_eq "phase 1: the table holds min(before + rx, $DEFAULT_MAX)" "$A_ent" "$WANT"
expect_eq "phase 1: nothing refused (half-open entries are evictable)" "$(d full A B)" 0
GROW=$((A_ent - B_ent))
if [ "$GROW" -gt 1000 ]; then
  PER=$(((RSS1 - RSS0) * 1024 / GROW))
  echo "phase 1: RSS growth per tracked entry: $PER bytes ($((RSS1 - RSS0)) KiB / $GROW entries)"
  sanitized || expect_ok "phase 1: RSS grew by at most $RSS_PER_ENTRY_MAX bytes an entry ($PER)" test "$PER" -le "$RSS_PER_ENTRY_MAX"
else
  fail "phase 1: the table grew by only $GROW entries"
fi
# conntrack show of the full table: the reply's records (with their window strings) and
# datagrams are built in pvland, which the allocator may keep; a second dump must reuse
# that memory, not add to it.
T0=$(t_now)
expect_eq "phase 1: the established connection is still ESTABLISHED" "$(ct_state_of "$SP")" ESTABLISHED
RSS_D1=$(rss_kb)
echo "phase 1: conntrack show of $A_ent entries took $(awk -v a="$T0" -v b="$(t_now)" 'BEGIN{printf "%.2f", b-a}') s; VmRSS $RSS1 -> $RSS_D1 KiB (+$((RSS_D1 - RSS1)))"
expect_eq "phase 1: conntrack show lists $A_ent entries" "$(ctl -j conntrack show p2 | pvjson 'len(j)')" "$A_ent"
RSS_D2=$(rss_kb)
for i in 3 4 5; do ctl -j conntrack show p2 >/dev/null; done
RSS_D5=$(rss_kb)
echo "phase 1: after the second dump VmRSS $RSS_D2 KiB (+$((RSS_D2 - RSS_D1))), after the fifth $RSS_D5 KiB (+$((RSS_D5 - RSS_D2)))"
sanitized || expect_ok "phase 1: dumps 3 to 5 of the full table add less than 1 MiB" test $((RSS_D5 - RSS_D2)) -lt 1024
RSS_P1=$RSS_D5
expect_ok "phase 1: a new TCP stream h1 -> h2 after the flood" tcp_stream_ok h2 10.0.0.2 h1

echo "== phase 2: psf_max_entries 1000, $FLOOD_SMALL SYNs"
ctl port set p2 psf_max_entries 1000 >/dev/null || fail "port set p2 psf_max_entries 1000"
flood 2 "$FLOOD_SMALL" 111 160 1000
expect_eq "phase 2: the table holds 1000" "$A_ent" 1000
expect_eq "phase 2: nothing refused" "$(d full A B)" 0
sanitized || expect_ok "phase 2: RSS did not grow (< 1 MiB)" test "$RSS1" -lt $((RSS_P1 + 1024))
expect_eq "phase 2: the established connection is still ESTABLISHED" "$(ct_state_of "$SP")" ESTABLISHED

echo "== phase 3: psf_max_entries 1 (the one established connection), $FLOOD_SMALL SYNs"
ctl port set p2 psf_max_entries 1 >/dev/null || fail "port set p2 psf_max_entries 1"
flood 3 "$FLOOD_SMALL" 161 210 1
expect_eq "phase 3: the table holds only the established connection" "$A_ent" 1
expect_eq "phase 3: every SYN pvland took was refused psf_table_full" "$(d full A B)" "$(d rx A B)"
expect_eq "phase 3: nothing inserted" "$(d ins A B)" 0
expect_eq "phase 3: the established connection is still ESTABLISHED" "$(ct_state_of "$SP")" ESTABLISHED

touch "$T_DIR/ticker.stop"
wait "$TICKER"; trc=$?
echo "established connection: $(tail -1 "$T_DIR/ticker.out")"
expect_eq "the established connection echoed every line through the three floods" "$trc" 0
RSS_END=$(rss_kb)
echo "pvland VmRSS: start $RSS_START KiB, end $RSS_END KiB (+$((RSS_END - RSS_START))), peak (VmHWM) $(hwm_kb) KiB; total $SECONDS s"
expect_ok "pvland is alive and answers at the end" alive
t_done
