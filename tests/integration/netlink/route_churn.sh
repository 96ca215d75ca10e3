#!/usr/bin/env bash
# The kernel-state mirror under a route storm it cannot keep up with: pvland runs with
# its rtnetlink receive buffer forced to 32 KiB (PVLAND_NETLINK_RCVBUF), so the kernel
# drops notifications (ENOBUFS) again and again while ROUTES routes are added (300,000 by
# default, to keep CI's time; PVT_CHURN_ROUTES=1000000 for the full million, which takes
# about 3.5 minutes on a loaded 2-core machine, most of it the kernel's own route adds),
# half of them replaced with another gateway, a quarter deleted, and the gateways' link
# flapped (which flushes routes without a notification). Every loss must end in a full
# re-dump: afterwards pvland's FIB answers `route get` exactly as `ip route get` does on
# random addresses, pvland's route count equals the kernel's, and pvland forwarded
# frames between two hosts throughout.
source "$PVLAND_TESTLIB"
source "$PVT_LIB_DIR/route_compare.sh"
SEED=${SEED:-$RANDOM}
ROUTES=${PVT_CHURN_ROUTES:-300000}
echo "seed $SEED (rerun with SEED=$SEED to replay), $ROUTES routes"

mkns sw gw h1 h2
veth sw v1 gw eth0
veth sw v2 gw eth1
nsx sw ip addr add 10.255.1.1/24 dev v1
nsx sw ip addr add 10.255.2.1/24 dev v2
veth sw p1 h1 eth0
veth sw p2 h2 eth0
host_addr h1 eth0 10.0.0.1/24
host_addr h2 eth0 10.0.0.2/24
PVLAND_NETLINK_RCVBUF=32768 start_pvland sw
ctl port add p1 >/dev/null
ctl port add p2 >/dev/null
bridge_num() { ctl -j bridge show | pvjson "j[0]['$1']"; }

# Routes: /28s of 11.0.0.0/8 (2^20 of them), the first ROUTES in a shuffled order.
"$PVT_PY" - "$SEED" "$ROUTES" "$T_DIR" <<'PY'
import random, sys
seed, n, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)
nets = ["11.%d.%d.%d/28" % (i >> 12, (i >> 4) & 255, (i & 15) << 4) for i in range(n)]
rnd.shuffle(nets)
with open(d + "/add", "w") as f:
    f.writelines("route add %s via 10.255.1.2\n" % p for p in nets)
with open(d + "/replace", "w") as f:
    f.writelines("route replace %s via 10.255.2.2\n" % p for p in nets[: n // 2])
with open(d + "/del", "w") as f:
    f.writelines("route del %s\n" % p for p in nets[n // 2 : n // 2 + n // 4])
with open(d + "/addrs", "w") as f:
    # Addresses inside the routes (replaced, deleted and untouched ones alike), then
    # anywhere in 11/8 and anywhere at all.
    for p in rnd.sample(nets, min(2000, n)):
        a, b, c, _ = p.split("/")[0].split(".")
        f.write("%s.%s.%s.%d\n" % (a, b, c, int(_) + rnd.randrange(16)))
    for _ in range(1000):
        f.write("11.%d.%d.%d\n" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    for _ in range(500):
        f.write("%d.%d.%d.%d\n" % (rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
PY

# Traffic through the switch during the whole storm.
ip netns exec "$(ns h1)" ping -n -i 0.05 10.0.0.2 >"$T_DIR/ping" 2>&1 &
PING=$!
T_PIDS+=("$PING")

# kernel_routes: IPv4 routes in table main, as the kernel has them.
kernel_routes() { nsx sw ip -4 route show table main | wc -l; }
step() {
  local what=$1 file=$2 t0
  t0=$(t_now)
  nsx sw ip -batch "$file" || fail "$what: ip -batch failed"
  echo "$what: $(wc -l <"$file") commands in $(awk -v a="$t0" -v b="$(t_now)" 'BEGIN{printf "%.1f", b-a}') s; kernel table main now $(kernel_routes) routes"
}
O0=$(bridge_num netlink_overruns)
step "add" "$T_DIR/add"
step "replace half via the second gateway" "$T_DIR/replace"
step "delete a quarter" "$T_DIR/del"
# The second gateway's link flaps: the kernel flushes the routes through it on the way
# down and tells nobody about each one; they stay gone when it comes back.
nsx sw ip link set v2 down
nsx sw ip link set v2 up
echo "link flap: kernel table main now $(kernel_routes) routes"

# pvland catches up: overflow means a re-dump of a million routes, which takes a while.
want_main=$(kernel_routes)
wait_until 60 sh -c "[ \"\$($PVLANCTL -s $PVSOCK -j bridge show | $PVT_PY -c 'import json,sys; print(json.load(sys.stdin)[0][\"netlink_resyncs\"])')\" -ge 1 ]" ||
  fail "no resync happened"
sleep 2
OVER=$(($(bridge_num netlink_overruns) - O0))
RESYNCS=$(bridge_num netlink_resyncs)
echo "pvland: netlink_overruns +$OVER, netlink_resyncs $RESYNCS, netlink_events $(bridge_num netlink_events), fib_routes $(bridge_num fib_routes); kernel table main $want_main"
expect_ok "the kernel dropped notifications (ENOBUFS) more than once" test "$OVER" -ge 2
expect_ok "pvland re-dumped after losses" test "$RESYNCS" -ge 1
compare_route_get "$T_DIR/addrs"
if [ $? = 0 ]; then pass "route get: pvland agrees with the kernel on every address after the churn"; else fail "route get disagrees (replay: SEED=$SEED)"; fi

kill -INT "$PING"
wait "$PING" 2>/dev/null
TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T_DIR/ping")
RX=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_DIR/ping")
echo "h1 -> h2 ping during the churn: $RX of $TX answered"
expect_ok "the switch forwarded throughout the churn (>= 90% of pings answered)" \
  test "$TX" -gt 0 -a $((RX * 10)) -ge $((TX * 9))
expect_ok "pvland is alive" ctl port show
t_done
