# pvland killed with SIGKILL, and the next start on the same socket (docs/operations.md §1).
# Asserts: after SIGKILL the socket file and its lock file stay, the nftables tables of
# the instance are gone (owned by the process: the kernel removes them), the TAPs of tap
# and internal ports are gone (also one moved to another namespace) and the attached
# veths stay; pvlanctl is refused cleanly. The next start with `-c` of the saved
# configuration says it takes over, recreates the TAPs, tables and ARP rules, forwards
# again (ping, TCP) and saves the same configuration. A start right after SIGKILL,
# without waiting for the old process, works too. Tables of the same name left by an
# instance on a kernel without owner tables are replaced; another socket's are kept.
source "$PVLAND_TESTLIB"
command -v nft >/dev/null || t_skip "nft (package nftables) is needed to list nftables tables"

mkns sw h1 h2 ht
veth sw p1 h1 eth0
veth sw p2 h2 eth0
host_addr h1 eth0 10.0.0.1/24
host_addr h2 eth0 10.0.0.2/24
PVSOCK="$T_DIR/sw.sock"
TABLE=$(pvland_table)

# run_pvland ARGS...: pvland itself in sw (ip netns exec execs it: $! is the daemon).
run_pvland() {
  ip netns exec "$(ns sw)" "$PVLAND" -s "$PVSOCK" "$@" >>"$T_DIR/sw.log" 2>&1 &
  PID=$!
  T_PIDS+=("$PID")
  wait_until 5 ctl port show || { fail "pvland did not start"; cat "$T_DIR/sw.log"; exit 1; }
}
tables() { nsx sw nft list tables 2>/dev/null | sort | tr '\n' ';'; }
# What lives on the namespaces' side of the TAPs is not pvland's configuration: a new
# TAP is moved and addressed again, and has a new MAC the hosts must learn.
reattach() {
  nsx sw ip link set t1 netns "$(ns ht)"
  host_addr ht t1 10.0.0.3/24
  nsx ht ip link set t1 up
  nsx sw ip addr add 10.0.0.254/24 dev gw0
  nsx h1 ip neigh flush dev eth0
}
forwards() { can_ping h1 10.0.0.2 && can_ping h1 10.0.0.3 && can_ping h1 10.0.0.254; }

run_pvland
ctl port add p1 >/dev/null && ctl port add p2 type netdev mcast_flood off >/dev/null || fail "port add p1 p2"
ctl port add t1 type tap >/dev/null || fail "port add t1"
ctl port add gw0 type internal >/dev/null || fail "port add gw0"
reattach
ctl bridge set ageing_time 120 >/dev/null
ctl sysctl -w net.ipv4.conf.gw0.arp_announce=2 >/dev/null
ctl save "$T_DIR/sw.conf" || fail "save"
expect_ok "forwarding to a veth, a TAP and an internal port" forwards

echo "== SIGKILL: what stays"
kill -KILL "$PID"; wait "$PID" 2>/dev/null
expect_ok "the socket file stays" test -S "$PVSOCK"
expect_ok "the lock file stays, naming the dead pid" grep -q "^$PID " "$PVSOCK.lock"
expect_eq "the instance's nftables tables are gone" "$(tables)" ""
expect_fail "TAP gw0 is gone" nsx sw ip link show gw0
expect_fail "TAP t1 (moved to ht) is gone" nsx ht ip link show t1
expect_ok "the veths stay" nsx sw ip link show p1
out=$(ctl port show 2>&1)
expect_ok "pvlanctl is refused cleanly ($out)" grep -q "Connection refused" <<<"$out"

echo "== leftovers a kernel without owner tables would keep: ours replaced, others kept"
nsx sw nft add table netdev "$TABLE"
nsx sw nft add table arp "$TABLE"
nsx sw nft add table netdev pvland/tmp/another.sock

echo "== the next start"
run_pvland -c "$T_DIR/sw.conf"
expect_ok "it says it takes over" grep -q "did not stop cleanly" "$T_DIR/sw.log"
expect_eq "tables: its own two, the other socket's kept" "$(tables)" \
  "$(printf '%s\n' "table arp $TABLE" "table netdev $TABLE" "table netdev pvland/tmp/another.sock" | sort | tr '\n' ';')"
expect_ok "its tables are owned by it" sh -c "ip netns exec $(ns sw) nft list table netdev '$TABLE' | grep -q 'flags owner'"
expect_ok "the kernel's ARP replies on gw0 are dropped again" \
  sh -c "ip netns exec $(ns sw) nft list chain arp '$TABLE' kernel_arp_replies | grep -q drop"
ctl save "$T_DIR/again.conf" || fail "save after restart"
if diff "$T_DIR/sw.conf" "$T_DIR/again.conf" >/dev/null; then pass "the same configuration saved again"
else fail "save differs after restart:"; diff "$T_DIR/sw.conf" "$T_DIR/again.conf"; fi
reattach
expect_ok "forwarding again" forwards
expect_ok "TCP through it" tcp_stream_ok h2 10.0.0.2 h1
expect_ok "a new tap port" ctl port add t2 type tap
expect_ok "a new internal port" ctl port add gw1 type internal

echo "== a start as soon as the lock is free, not waiting for the old process to be gone"
# The killed process drops its lock while it closes its files, maybe before its TAPs
# and netlink sockets: the next start must wait for those, not fail on them.
kill -KILL "$PID"
until flock -n "$PVSOCK.lock" true; do sleep 0.001; done
run_pvland -c "$T_DIR/sw.conf"
ctl save "$T_DIR/third.conf" || fail "save"
expect_ok "the same configuration" diff "$T_DIR/sw.conf" "$T_DIR/third.conf"
reattach
expect_ok "forwarding again" forwards

echo "== a clean stop after all that leaves nothing"
kill -TERM "$PID"; wait "$PID"; rc=$?
expect_eq "exit status" "$rc" 0
expect_fail "no socket file" test -e "$PVSOCK"
expect_fail "no lock file" test -e "$PVSOCK.lock"
expect_eq "only the other socket's table" "$(tables)" "table netdev pvland/tmp/another.sock;"
echo "pvland log:"; sed 's/^/  /' "$T_DIR/sw.log"
t_done
