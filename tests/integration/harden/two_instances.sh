# Two pvland instances in one namespace, each with its own socket (docs/operations.md §2).
# Asserts: both run and forward between their own ports, each with its own two nftables
# tables named after its socket; a third start on the first one's socket is refused with
# a clear error and touches nothing of the first (its tables stay, it still forwards);
# stopping one (SIGTERM) removes only its tables and the other forwards on; killing one
# (SIGKILL) does the same.
source "$PVLAND_TESTLIB"
command -v nft >/dev/null || t_skip "nft (package nftables) is needed to list nftables tables"

mkns sw h1 h2 h3 h4
for i in 1 2 3 4; do
  veth sw p$i h$i eth0
  host_addr h$i eth0 10.0.0.$i/24
done
A="$T_DIR/a.sock"
B="$T_DIR/b.sock"
# start NAME SOCK: pvland itself in sw ($! is the daemon); sets PID_<NAME>.
start() {
  ip netns exec "$(ns sw)" "$PVLAND" -s "$2" >>"$T_DIR/$1.log" 2>&1 &
  eval "PID_$1=$!"
  T_PIDS+=("$!")
  wait_until 5 "$PVLANCTL" -s "$2" port show || { fail "pvland $1 did not start"; cat "$T_DIR/$1.log"; exit 1; }
}
tables() { nsx sw nft list tables 2>/dev/null | sort | tr '\n' ';'; }
expected() { printf 'table %s\n' "$@" | sort | tr '\n' ';'; }
# The kernel must not see frames of attached ports: a host's ARP for an address of the
# namespace itself stays unanswered (the ingress drop chains of the instance's table).
# With a route back to each host, the kernel would answer if it saw the frames.
nsx sw ip addr add 10.0.0.100/32 dev lo
for i in 1 2 3 4; do nsx sw ip route add 10.0.0.$i/32 dev p$i; done

start a "$A"
"$PVLANCTL" -s "$A" port add p1 >/dev/null && "$PVLANCTL" -s "$A" port add p2 >/dev/null || fail "A: port add"
start b "$B"
"$PVLANCTL" -s "$B" port add p3 >/dev/null && "$PVLANCTL" -s "$B" port add p4 >/dev/null || fail "B: port add"
TA=$(pvland_table "$A")
TB=$(pvland_table "$B")
expect_eq "four tables, two per instance" "$(tables)" "$(expected "arp $TA" "netdev $TA" "arp $TB" "netdev $TB")"
expect_ok "A forwards h1 -> h2" can_ping h1 10.0.0.2
expect_ok "B forwards h3 -> h4" can_ping h3 10.0.0.4
expect_ok "TCP through A" tcp_stream_ok h2 10.0.0.2 h1
expect_ok "TCP through B" tcp_stream_ok h4 10.0.0.4 h3
expect_ok "A keeps the kernel off its ports" cannot_ping h1 10.0.0.100
expect_ok "B keeps the kernel off its ports" cannot_ping h3 10.0.0.100
expect_eq "A: two ports" "$("$PVLANCTL" -s "$A" -j port show | pvjson "sorted(p['name'] for p in j)")" "['p1', 'p2']"

echo "== a second pvland on A's socket"
out=$(nsx sw "$PVLAND" -s "$A" 2>&1); rc=$?
expect_eq "refused with exit status 1" "$rc" 1
expect_ok "... saying who serves it ($out)" grep -q "another pvland (pid $PID_a) serves $A" <<<"$out"
expect_eq "A's and B's tables untouched" "$(tables)" "$(expected "arp $TA" "netdev $TA" "arp $TB" "netdev $TB")"
expect_ok "A still forwards" can_ping h1 10.0.0.2
expect_ok "A still keeps the kernel off its ports" cannot_ping h1 10.0.0.100
expect_ok "A still answers" "$PVLANCTL" -s "$A" port show

echo "== B stopped"
kill -TERM "$PID_b"; wait "$PID_b"
expect_eq "only A's tables left" "$(tables)" "$(expected "arp $TA" "netdev $TA")"
expect_ok "A forwards on" can_ping h1 10.0.0.2
expect_ok "TCP through A" tcp_stream_ok h2 10.0.0.2 h1
expect_ok "A still keeps the kernel off its ports" cannot_ping h1 10.0.0.100
expect_ok "B's ports are the kernel's again" can_ping h3 10.0.0.100

echo "== B again, then A killed"
start b "$B"
"$PVLANCTL" -s "$B" port add p3 >/dev/null && "$PVLANCTL" -s "$B" port add p4 >/dev/null || fail "B: port add"
kill -KILL "$PID_a"; wait "$PID_a" 2>/dev/null
expect_eq "only B's tables left" "$(tables)" "$(expected "arp $TB" "netdev $TB")"
nsx h3 ip neigh flush dev eth0
expect_ok "B forwards on" can_ping h3 10.0.0.4
expect_ok "TCP through B" tcp_stream_ok h4 10.0.0.4 h3
nsx h3 ip neigh flush dev eth0
expect_ok "B keeps the kernel off its ports" cannot_ping h3 10.0.0.100
t_done
