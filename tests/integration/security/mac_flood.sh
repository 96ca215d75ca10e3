# A MAC flood (a CAM-table overflow, as macof does it): frames each from a different
# random source MAC, sent by an attacker h3 behind port p3 while h1 and h2 (p1, p2) keep
# talking. Three phases, each with fresh sources (100,000 in the first two, 1,000,000 in
# the third; 200,000 under the sanitizers, lib.sh flood_size):
#   1. p3 mac_learning on, mac_limit 4096, mac_limit_policy drop: exactly 4096 learned,
#      every other frame dropped as mac_limit;
#   2. the same with mac_limit_policy allow: every frame forwarded unlearned and counted in
#      mac_not_learned_allowed; nothing more learned;
#   3. p3 mac_learning off (the default): 1M sources; the FDB learns until its global cap
#      (Fdb::kDefaultMaxEntries, 65536) and no further.
# Each phase checks an exact ledger of the frames (pvland's counters against the kernel's
# count of frames that reached p3), the FDB's size, h1 <-> h2 (a ping running through the
# flood, a TCP stream during and after it), pvland's resident memory, and that the daemon
# still answers. The figures are printed for the CI log.
#
# The flood's destination is one unknown unicast MAC (02:00:00:00:ff:fe, never a source):
# like broadcast it is flooded to every port, which is what the attack is after, but h1's
# and h2's kernels discard it on the MAC filter instead of taking 100,000 broadcast UDP
# datagrams each up their IP stack, on a machine whose CPUs the switch and the attacker
# share.
source "$PVLAND_TESTLIB"

FLOOD=${PVT_FLOOD_FRAMES:-100000}
FLOOD_BIG=${PVT_FLOOD_BIG_FRAMES:-$(flood_size 1000000 200000)}
LIMIT=4096
FDB_CAP=65536  # Fdb::kDefaultMaxEntries
FLOOD_DST=02:00:00:00:ff:fe
RATE=${PVT_FLOOD_RATE:-100000}
RATE_BIG=${PVT_FLOOD_BIG_RATE:-150000}
# Resident memory pvland may gain in a phase (KiB), see the sizes below.
#   Phases 1 and 2 add at most 4096 FDB entries. An absl::flat_hash_map slot is 25 bytes
#   (8-byte key, 16-byte entry, 1 control byte) and 4096 entries need 8192 slots: 200 KiB,
#   plus the 100 KiB table it grew from. An FDB that ignored mac_limit would hold the
#   100,000 sources in 131,072 slots: 3.2 MiB. The bound sits between: 1.5 MiB.
#   Phase 3 fills the FDB to 65536 entries: 131,072 slots (3.2 MiB) plus the 1.6 MiB table
#   freed when it last grew, which the allocator may keep resident: 4.8 MiB. Without the
#   cap the ~204,000 sources of the three floods would need 262,144 slots (6.4 MiB, plus
#   3.2 MiB freed): ~9.6 MiB. The bound: 7 MiB.
#   A dump of the full FDB (fdb show) holds 65536 records of ~60 bytes (80-byte heap
#   chunks: 5 MiB), their vector (up to 4 MiB while it doubles) and 64 KiB datagrams:
#   ~10 MiB, which the allocator may keep. With the 4.8 MiB FDB: 24 MiB over the start
#   for the whole test. (When every reply record kept its 64 KiB message buffer, one dump
#   of the full FDB took pvland to 4 GiB.)
RSS_SLACK_LIMITED_KB=${PVT_FLOOD_RSS_LIMITED_KB:-1536}
RSS_SLACK_CAPPED_KB=${PVT_FLOOD_RSS_CAPPED_KB:-7168}
RSS_SLACK_TOTAL_KB=${PVT_FLOOD_RSS_TOTAL_KB:-24576}

mkns sw h1 h2 h3
# The attacker's kernel sends nothing of its own (no IPv6 router solicitations, MLD or
# DAD; no IPv4 address): every frame p3 receives is the flood's, so the ledgers are exact.
nsx h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
start_pvland sw
for i in 1 2 3; do
  veth sw p$i h$i eth0
  ctl port add p$i >/dev/null
done
host_addr h1 eth0 10.0.0.1/24 02:00:00:00:00:01
host_addr h2 eth0 10.0.0.2/24 02:00:00:00:00:02
nsx h3 ip link set eth0 address 02:00:00:00:00:03

PVPID=$(pvland_pid sw) || { echo "FAIL: pvland's pid not found in $(ns sw)"; exit 1; }

# The sender: distinct random unicast, locally administered source MACs, the first byte
# 0x02 | PHASE << 2 so that no phase repeats another's (nor h1/h2/h3's 02:...). Frames are
# built before the clock starts; one send() each on an AF_PACKET socket, RATE frames/s
# in bursts of 64.
SENDER='
import os, struct, sys
sys.path.insert(0, sys.argv.pop())  # tests/integration, for paced_send
from paced_send import send_paced
ifname, count, phase, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rate = float(sys.argv[5])
first = bytes([0x02 | (phase << 2)])
macs = set()
while len(macs) < count:
    r = os.urandom(5 * (count - len(macs)))
    macs.update(r[i:i + 5] for i in range(0, len(r), 5))
ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, 0, 0, 64, 17, 0,
                           bytes([10, 0, 0, 3]), bytes([10, 0, 0, 254])))
s = sum(struct.unpack("!10H", ip))
s = (s & 0xffff) + (s >> 16)
struct.pack_into("!H", ip, 10, ~((s & 0xffff) + (s >> 16)) & 0xffff)
tail = b"\x08\x00" + bytes(ip) + struct.pack("!HHHH", 9, 9, 26, 0) + bytes(18)
head = bytes.fromhex(dst.replace(":", "")) + first
frames = [head + m + tail for m in list(macs)[:count]]
print(len(frames), "%.2f" % send_paced(ifname, frames, rate))
'

rss_kb() { proc_kb "$PVPID" VmRSS; }
anon_kb() { proc_kb "$PVPID" RssAnon; }
kstat() { nsx "$1" cat "/sys/class/net/$2/statistics/$3"; }
fdb_count() { ctl -j fdb show "$@" | pvjson "len(j)"; }
# port_num PORT KEY: a numeric field of port show, 0 when absent (macs_learned, without
# mac_learning).
port_num() { ctl -j port show "$1" | pvjson "[p for p in j if p['name']=='$1'][0].get('$2') or 0"; }
has_mac() { ctl fdb show | grep -q "$1"; }
alive() { kill -0 "$PVPID" 2>/dev/null && ctl port show >/dev/null; }

# snap TAG: every counter a phase's ledger needs, as shell variables TAG_name.
snap() {
  local t=$1
  eval "${t}_krx=$(kstat sw p3 rx_packets)"          # frames that reached p3 (kernel)
  eval "${t}_rx=$(port_stat p3 rx_packets)"           # frames pvland took from p3's ring
  eval "${t}_ring=$(port_drop p3 rx_ring_full)"       # frames the kernel lost: ring full
  eval "${t}_lim=$(port_drop p3 mac_limit)"
  eval "${t}_learned=$(port_num p3 macs_learned)"
  eval "${t}_allowed=$(port_num p3 mac_not_learned_allowed)"
  eval "${t}_htx=$(kstat h3 eth0 tx_packets)"
  eval "${t}_hdrop=$(kstat h3 eth0 tx_dropped)"
}
d() { echo $(($(eval echo "\$${2}_$1") - $(eval echo "\$${3}_$1"))); }

# flood PHASE [FRAMES [RATE]]: h3 floods while h1 pings h2 (every 20 ms) and a TCP stream runs; prints
# the figures; sets B_ and A_ snapshots, RSS0/RSS1, and checks legitimate traffic.
flood() {
  local phase=$1 frames=${2:-$FLOOD} rate=${3:-$RATE} out t0 t1 sent secs tx rx loss
  RSS0=$(rss_kb) ANON0=$(anon_kb)
  snap B
  ip netns exec "$(ns h1)" ping -n -i 0.02 10.0.0.2 >"$T_DIR/ping$phase" 2>&1 &
  local ping=$!
  T_PIDS+=("$ping")
  (tcp_stream_ok h2 10.0.0.2 h1 && echo ok >"$T_DIR/tcp$phase") &
  local tcp=$!
  sleep 0.3
  t0=$(t_now)
  out=$(pyx h3 "$SENDER" eth0 "$frames" "$phase" "$FLOOD_DST" "$rate" "$PVT_LIB_DIR") || fail "phase $phase: the sender failed"
  t1=$(t_now)
  read -r sent secs <<<"$out"
  wait "$tcp"
  sleep 0.3
  kill -INT "$ping"; wait "$ping"
  # Let pvland drain its ring before the counters are read.
  sleep 0.5
  snap A
  RSS1=$(rss_kb) ANON1=$(anon_kb)
  tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T_DIR/ping$phase")
  rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_DIR/ping$phase")
  echo "phase $phase: sent $sent frames from $sent sources in ${secs} s ($(awk -v n="$sent" -v s="$secs" 'BEGIN{printf "%d", n/s}') frames/s), flood + traffic $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s"
  echo "phase $phase: h3 eth0 tx_packets +$(d htx A B), tx_dropped +$(d hdrop A B); p3 kernel rx_packets +$(d krx A B), rx_ring_full +$(d ring A B); pvland rx_packets +$(d rx A B)"
  echo "phase $phase: mac_limit drops +$(d lim A B), macs_learned $B_learned -> $A_learned, mac_not_learned_allowed +$(d allowed A B)"
  echo "phase $phase: pvland VmRSS ${RSS0} -> ${RSS1} KiB (+$((RSS1 - RSS0))), RssAnon ${ANON0} -> ${ANON1} KiB (+$((ANON1 - ANON0)))"
  echo "phase $phase: h1 -> h2 ping through the flood: $rx of $tx answered"
  expect_eq "phase $phase: the sender sent every frame" "$sent" "$frames"
  expect_ok "phase $phase: h1 <-> h2 ping held through the flood (>= 90% answered)" \
    test "$tx" -gt 0 -a $((rx * 10)) -ge $((tx * 9))
  expect_ok "phase $phase: a TCP stream h1 -> h2 during the flood" test -f "$T_DIR/tcp$phase"
  expect_ok "phase $phase: the kernel lost nothing between h3 and p3 but ring-full frames: p3 kernel rx == pvland rx + rx_ring_full" \
    test "$(d krx A B)" = $(($(d rx A B) + $(d ring A B)))
  expect_ok "phase $phase: pvland is alive and answers" alive
  expect_ok "phase $phase: h1 reaches h2 after the flood" can_ping h1 10.0.0.2
  expect_ok "phase $phase: TCP h1 -> h2 after the flood" tcp_stream_ok h2 10.0.0.2 h1
}

# The veths came up with random MACs before host_addr set these: forget what was learned
# from those, so that the FDB's legitimate entries are h1's and h2's MACs.
sleep 0.5
ctl fdb flush dynamic
for i in 1 2; do expect_ok "h$i reaches h$((3 - i)) before the flood" can_ping h$i 10.0.0.$((3 - i)); done
expect_ok "TCP h1 -> h2 before the flood" tcp_stream_ok h2 10.0.0.2 h1
RSS_START=$(rss_kb)
echo "pvland pid $PVPID, VmRSS at start ${RSS_START} KiB, FDB $(fdb_count) entries"

echo "== phase 1: mac_learning on, mac_limit $LIMIT, mac_limit_policy drop"
expect_ok "p3 mac_learning on mac_limit $LIMIT mac_limit_policy drop" \
  ctl port set p3 mac_learning on mac_limit $LIMIT mac_limit_policy drop
flood 1
expect_eq "phase 1: macs_learned on p3 is the limit exactly" "$A_learned" "$LIMIT"
expect_ok "phase 1: every frame pvland received was learned or dropped as mac_limit: rx == learned + mac_limit" \
  test "$(d rx A B)" = $((A_learned - B_learned + $(d lim A B)))
expect_ok "phase 1: mac_limit + rx_ring_full + learned == frames that reached p3" \
  test $(($(d lim A B) + $(d ring A B) + A_learned - B_learned)) = "$(d krx A B)"
expect_eq "phase 1: nothing counted as allowed" "$(d allowed A B)" 0
P3=$(fdb_count port p3) ALL=$(fdb_count)
echo "phase 1: FDB $ALL entries, $P3 on p3"
expect_eq "phase 1: the FDB holds $LIMIT entries on p3" "$P3" "$LIMIT"
expect_ok "phase 1: FDB size <= $LIMIT + h1's and h2's entries" test "$ALL" -le $((LIMIT + 2))
sanitized || expect_ok "phase 1: RSS grew by less than $RSS_SLACK_LIMITED_KB KiB" test $((RSS1 - RSS0)) -lt "$RSS_SLACK_LIMITED_KB"

echo "== phase 2: mac_limit_policy allow"
expect_ok "p3 mac_limit_policy allow" ctl port set p3 mac_limit_policy allow
flood 2
expect_ok "phase 2: every frame pvland received was forwarded unlearned: rx == mac_not_learned_allowed" \
  test "$(d rx A B)" = "$(d allowed A B)"
expect_ok "phase 2: mac_not_learned_allowed + rx_ring_full == frames that reached p3" \
  test $(($(d allowed A B) + $(d ring A B))) = "$(d krx A B)"
expect_eq "phase 2: macs_learned stays at the limit" "$A_learned" "$LIMIT"
expect_eq "phase 2: no mac_limit drop" "$(d lim A B)" 0
P3=$(fdb_count port p3) ALL=$(fdb_count)
echo "phase 2: FDB $ALL entries, $P3 on p3"
expect_eq "phase 2: the FDB still holds $LIMIT entries on p3" "$P3" "$LIMIT"
expect_ok "phase 2: FDB size <= $LIMIT + h1's and h2's entries" test "$ALL" -le $((LIMIT + 2))
sanitized || expect_ok "phase 2: RSS grew by less than $RSS_SLACK_LIMITED_KB KiB" test $((RSS1 - RSS0)) -lt "$RSS_SLACK_LIMITED_KB"

echo "== phase 3: mac_learning off (the FDB's global cap, $FDB_CAP)"
expect_ok "p3 mac_learning off" ctl port set p3 mac_learning off
E0=$(fdb_count)
flood 3 "$FLOOD_BIG" "$RATE_BIG"
T0=$(t_now)
ALL=$(fdb_count)
echo "phase 3: fdb show of the full FDB took $(awk -v a="$T0" -v b="$(t_now)" 'BEGIN{printf "%.2f", b-a}') s; pvland VmRSS then $(rss_kb) KiB, VmHWM $(awk '/^VmHWM:/ {print $2}' "/proc/$PVPID/status") KiB"
WANT=$((E0 + $(d rx A B)))
[ "$WANT" -gt "$FDB_CAP" ] && WANT=$FDB_CAP
echo "phase 3: FDB $E0 -> $ALL entries ($(fdb_count port p3) on p3)"
expect_ok "phase 3: FDB size <= $FDB_CAP" test "$ALL" -le "$FDB_CAP"
expect_eq "phase 3: the FDB learned every new source until the cap: min($E0 + rx, $FDB_CAP)" "$ALL" "$WANT"
expect_eq "phase 3: nothing dropped as mac_limit" "$(d lim A B)" 0
sanitized || expect_ok "phase 3: RSS grew by less than $RSS_SLACK_CAPPED_KB KiB" test $((RSS1 - RSS0)) -lt "$RSS_SLACK_CAPPED_KB"
for i in 1 2; do
  expect_ok "phase 3: h$i's entry is still in the full FDB" has_mac 02:00:00:00:00:0$i
done
# Each fdb show above built a 65536-record reply; the daemon must not keep it.
RSS_END=$(rss_kb)
echo "pvland VmRSS: start ${RSS_START} KiB, end ${RSS_END} KiB (+$((RSS_END - RSS_START))), peak (VmHWM) $(awk '/^VmHWM:/ {print $2}' "/proc/$PVPID/status") KiB"
sanitized || expect_ok "RSS at the end, after four dumps of the full FDB, within $RSS_SLACK_TOTAL_KB KiB of the start" \
  test $((RSS_END - RSS_START)) -lt "$RSS_SLACK_TOTAL_KB"
expect_ok "pvland is alive and answers at the end" alive
t_done
