# A mirror target pvland cannot reach, or reaches too slowly, costs its copies, never the
# switch's traffic (docs/mirroring.md §6).
# Asserts: with a session taking every frame of p1 to a target with no route, a blackhole
# route or a prohibit route, ping, HTTP and a TCP stream between h1 and h2 work, the
# session counts its copies as lost and sends none, pvland logs the reason once, and no
# port counts a drop; with the path to the target shaped to 1 Mbit/s behind a deep queue,
# a TCP stream still moves its data, some copies are sent and the rest are lost and
# counted (the socket's send buffer is full), and the session stays usable after.
source "$PVLAND_TESTLIB"

mkns sw h1 h2 tgt
veth h1 eth0 sw p1
veth h2 eth0 sw p2
veth sw up0 tgt eth0
nsx sw ip addr add 192.0.2.1/24 dev up0
nsx tgt ip addr add 192.0.2.9/24 dev eth0
host_addr h1 eth0 10.0.0.1/24
host_addr h2 eth0 10.0.0.2/24
nsx sw ip route add blackhole 198.18.99.0/24
nsx sw ip route add prohibit 198.18.98.0/24
traffic_file 1

start_pvland sw
ctl port add p1 >/dev/null
ctl port add p2 >/dev/null
expect_ok "h1 reaches h2" can_ping h1 10.0.0.2

session() { ctl -j mirror show "$1" | pvjson "$2"; }
drops() { ctl -j stats show | pvjson 'sum(d["count"] for p in j for d in p.get("drops", []))'; }

for case in "none 203.0.113.9 ENETUNREACH no route" "bh 198.18.99.9 EINVAL blackhole" "pr 198.18.98.9 EACCES prohibit"; do
  set -- $case
  name=$1 target=$2 ERR=$3; shift 3
  echo "== target $target: $*"
  ctl mirror add "$name" source p1 target "$target" >/dev/null
  ctl mirror rule add "$name" number 1 accept >/dev/null
  expect_ok "ping h1 -> h2" nsx h1 ping -n -q -c 20 -i 0.01 -W 1 10.0.0.2
  expect_ok "HTTP h2 -> h1" http_ok h2 10.0.0.2 h1
  expect_ok "a TCP stream h1 -> h2" tcp_stream_ok h2 10.0.0.2 h1
  expect_ok "every copy lost: $(session "$name" 'j[0]["lost"]'), none sent" \
    test "$(session "$name" 'j[0]["tx_packets"] == 0 and j[0]["lost"] >= 40')" = True
  expect_eq "mirror show says why" "$(session "$name" 'j[0].get("target_error")')" "$ERR"
  expect_eq "no port counted a drop" "$(drops)" 0
  ctl mirror del "$name" >/dev/null
done
expect_ok "pvland said why" grep -q "mirror session none: target 203.0.113.9 unreachable (ENETUNREACH); copies lost" "$T_DIR/sw.log"
expect_ok "and for the blackhole" grep -q "mirror session bh: target 198.18.99.9 unreachable (EINVAL)" "$T_DIR/sw.log"
expect_ok "and for the prohibit route" grep -q "mirror session pr: target 198.18.98.9 unreachable (EACCES)" "$T_DIR/sw.log"
expect_eq "once each, not once a copy" "$(grep -c "unreachable" "$T_DIR/sw.log")" 3

echo "== a slow target: 1 Mbit/s behind a 10 MB queue"
nsx sw tc qdisc add dev up0 root tbf rate 1mbit burst 5k limit 10mb
ctl mirror add slow source p1 target 192.0.2.9 >/dev/null
ctl mirror rule add slow number 1 accept >/dev/null
expect_ok "a TCP stream h1 -> h2 moves its data" tcp_stream_ok h2 10.0.0.2 h1
BYTES=$(pvjson 'int(j["end"]["sum_received"]["bytes"])' <"$T_DIR/iperf.json")
echo "  (the stream carried $BYTES bytes in 1 s; the mirror's path carries 125000 bytes a second)"
read -r TX LOST <<<"$(session slow 'j[0]["tx_packets"], j[0]["lost"]')"
expect_ok "some copies sent ($TX), the rest lost and counted ($LOST)" test "$TX" -gt 0 -a "$LOST" -gt "$TX"
expect_ok "pvland said so" grep -q "mirror session slow: the mirror socket is full (EAGAIN); copies lost until it drains" "$T_DIR/sw.log"
expect_eq "no port counted a drop" "$(drops)" 0
nsx sw tc qdisc del dev up0 root
sleep 1
expect_ok "the session sends again once the path drains" nsx h1 ping -n -q -c 3 -i 0.2 10.0.0.2
expect_ok "its counter moved" test "$(session slow 'j[0]["tx_packets"]')" -gt "$TX"
expect_eq "and it has no error to show" "$(session slow 'j[0].get("target_error")')" None
expect_ok "pvland said that too" grep -q "mirror session slow: copies to 192.0.2.9 go out again" "$T_DIR/sw.log"
t_done
