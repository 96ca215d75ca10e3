# The daemon's start-up defaults and its shutdown.
# Asserts: `pvland` with no arguments serves /run/pvland.sock and `pvlanctl` with no -s
# reaches it; after SIGTERM the daemon exits 0 and leaves nothing behind in its
# namespace: the socket file and its lock file are removed, the nftables tables
# `pvland/run/pvland.sock` (netdev: keeps the kernel off frames arriving on attached
# interfaces; arp: silences the kernel behind internal ports) are gone, and the TAP interfaces of
# tap and internal ports are gone (a TAP moved to another namespace too), while the
# attached veth, which pvland did not create, stays.
source "$PVLAND_TESTLIB"
command -v nft >/dev/null || t_skip "nft (package nftables) is needed to list nftables tables"

DEFAULT_SOCK=/run/pvland.sock
if [ -e "$DEFAULT_SOCK" ]; then
  # Another pvland on this machine owns it; never touch it.
  fail "$DEFAULT_SOCK already exists (another pvland is running): cannot test the default socket"
  t_done; exit
fi
SOCK_OURS=0
lifecycle_exit() {
  [ "$SOCK_OURS" = 1 ] && rm -f "$DEFAULT_SOCK" "$DEFAULT_SOCK.lock"
  t_cleanup
}
trap lifecycle_exit EXIT

mkns sw h1 ht
veth sw p1 h1 eth0
# ip netns exec execs pvland, so $! is the daemon itself (nsx, a function, would fork).
ip netns exec "$(ns sw)" "$PVLAND" >"$T_DIR/sw.log" 2>&1 &
PVPID=$!
T_PIDS+=("$PVPID")
SOCK_OURS=1
expect_ok "pvland with no arguments serves $DEFAULT_SOCK" wait_until 5 test -S "$DEFAULT_SOCK"
expect_ok "pvlanctl without -s reaches it" wait_until 5 "$PVLANCTL" port show
PVSOCK=$DEFAULT_SOCK
expect_ok "port add p1 (veth)" "$PVLANCTL" port add p1
expect_ok "port add t1 type tap" "$PVLANCTL" port add t1 type tap
expect_ok "port add gw0 type internal" "$PVLANCTL" port add gw0 type internal
nsx sw ip link set t1 netns "$(ns ht)"
expect_ok "t1 moved to another namespace" nsx ht ip link show t1
expect_ok "gw0 exists" nsx sw ip link show gw0
nft_has_table() { nsx sw nft list tables 2>/dev/null | grep -q "pvland/run/pvland.sock"; }
expect_eq "nftables tables named after the socket" "$(nsx sw nft list tables | sort | tr '\n' ';')" \
  "table arp pvland/run/pvland.sock;table netdev pvland/run/pvland.sock;"
expect_ok "lock file beside the socket" test -f "$DEFAULT_SOCK.lock"
expect_eq "port show lists three ports" "$("$PVLANCTL" -j port show | pvjson 'len(j)')" 3

kill -TERM "$PVPID"
rc=0
exited() { ! kill -0 "$PVPID" 2>/dev/null; }
if wait_until 5 exited; then wait "$PVPID"; rc=$?; else rc=timeout; fi
expect_eq "SIGTERM: pvland exits with status 0" "$rc" 0
expect_fail "socket file removed" test -e "$DEFAULT_SOCK"
expect_fail "lock file removed" test -e "$DEFAULT_SOCK.lock"
expect_fail "nftables tables removed" nft_has_table
expect_fail "internal port's TAP gw0 removed" nsx sw ip link show gw0
expect_fail "TAP t1 removed from the namespace it was moved to" nsx ht ip link show t1
expect_ok "the attached veth p1 stays" nsx sw ip link show p1
expect_fail "pvlanctl without -s now fails" "$PVLANCTL" port show
echo "daemon log:"; sed 's/^/  /' "$T_DIR/sw.log"
t_done
