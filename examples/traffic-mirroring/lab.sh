#!/usr/bin/env bash
# The traffic mirroring lab: a client and a web server on two ports of pvland, and a
# collector reached over a routed link from pvland's namespace. A mirror session with
# filter rules (lab.conf) sends copies of the client's HTTP and ICMP, in both directions,
# to the collector inside VXLAN, as AWS VPC Traffic Mirroring sends an ENI's traffic to a
# monitoring appliance. The collector runs `tcpdump -n -i eth0 udp port 4789`; each step
# prints what it printed, and at the end the same capture decoded by tshark. See
# README.md beside this file, and docs/mirroring.md.
#
#   sudo bash lab.sh                        # pvland from the build tree or $PATH
#   sudo PVLAND=... PVLANCTL=... bash lab.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }

# pvland and pvlanctl: $PVLAND and $PVLANCTL, else build/'s, else the installed ones.
source "$HERE/../find_pvland.sh"
for t in tcpdump tshark curl; do
  command -v $t >/dev/null || { echo "$t is missing (apt-get install $t)" >&2; exit 1; }
done

# Everything this run creates is named after its pid: namespaces $P-*, files /tmp/$P.*.
P=pvtm$$
SOCK=/tmp/$P.sock LOG=/tmp/$P.log PCAP=/tmp/$P.pcap SEEN=/tmp/$P.seen WWW=/tmp/$P.www
CLIENT=10.0.0.1 WEB=10.0.0.2 COLLECTOR=192.0.2.9

stop() {  # PID...: end our own background processes and reap them
  local pid
  for pid in "$@"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  return 0
}
cleanup() {
  stop "${TCPDUMP:-}" "${HTTPD:-}" "${PVPID:-}"
  local n
  for n in $(ip netns list | awk -v p="$P-" 'index($1, p) == 1 { print $1 }'); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$n"
  done
  rm -rf "$SOCK" "$LOG" "$PCAP" "$SEEN" "$WWW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

at() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }   # at NS CMD...
ctl() { "$PVLANCTL" -s "$SOCK" "$@"; }

# ---- the namespaces --------------------------------------------------------------------
#   client eth0 -- p1 [pvland in sw] p2 -- eth0 web
#                     sw up0 192.0.2.1 -- eth0 collector 192.0.2.9
for n in sw client web collector; do
  ip netns add "$P-$n"
  ip -n "$P-$n" link set lo up
  # IPv6 off: its router solicitations would be mirrored between the steps.
  at "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add eth0 netns "$P-client" address 02:00:00:00:00:01 type veth peer name p1 netns "$P-sw"
ip link add eth0 netns "$P-web" address 02:00:00:00:00:02 type veth peer name p2 netns "$P-sw"
ip link add up0 netns "$P-sw" type veth peer name eth0 netns "$P-collector"
# The collector's link carries a copy with its 50 bytes of VXLAN encapsulation unfragmented.
ip -n "$P-sw" link set up0 mtu 1600
ip -n "$P-collector" link set eth0 mtu 1600
for dev in p1 p2 up0; do ip -n "$P-sw" link set "$dev" up; done
for n in client web collector; do ip -n "$P-$n" link set eth0 up; done
ip -n "$P-client" addr add $CLIENT/24 dev eth0
ip -n "$P-web" addr add $WEB/24 dev eth0
ip -n "$P-sw" addr add 192.0.2.1/24 dev up0
ip -n "$P-collector" addr add $COLLECTOR/24 dev eth0

at sw "$PVLAND" -s "$SOCK" -c "$HERE/lab.conf" 2>"$LOG" &
PVPID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { echo "pvland did not start:"; cat "$LOG"; exit 1; }

mkdir -p "$WWW"
head -c 20000 /dev/urandom >"$WWW/file"
at web /usr/bin/python3 -m http.server 8080 --bind $WEB --directory "$WWW" >/dev/null 2>&1 &
HTTPD=$!
for _ in $(seq 50); do at web ss -ltn 2>/dev/null | grep -q "$WEB:8080" && break; sleep 0.1; done
# Static neighbours: no ARP between the steps (pvland would not mirror it anyway).
at client ip neigh replace $WEB lladdr 02:00:00:00:00:02 dev eth0 nud permanent
at web ip neigh replace $CLIENT lladdr 02:00:00:00:00:01 dev eth0 nud permanent

# The collector: tcpdump prints what arrives and writes it for tshark at the end.
at collector tcpdump -n -l -U -i eth0 -w "$PCAP" --print udp port 4789 >"$SEEN" 2>/dev/null &
TCPDUMP=$!
for _ in $(seq 50); do [ -s "$PCAP" ] && break; sleep 0.1; done

# ---- what each step prints -------------------------------------------------------------
step() {
  kill -0 "$PVPID" 2>/dev/null || { echo "pvland exited:"; cat "$LOG"; exit 1; }
  echo "== $1"
}
SEEN_LINES=0
# seen [MAX]: what tcpdump printed since the last call (the first MAX lines), and a count.
seen() {
  local max=${1:-12} all n
  sleep 0.5
  all=$(tail -n +$((SEEN_LINES + 1)) "$SEEN")
  n=$(printf '%s' "$all" | grep -c ' > [0-9.]*\.4789: VXLAN' || true)
  SEEN_LINES=$(wc -l <"$SEEN")
  echo "  the collector's tcpdump saw $n VXLAN datagram$([ "$n" = 1 ] || echo s)$([ "$n" = 0 ] && echo . || echo :)"
  [ "$n" = 0 ] && return 0
  printf '%s\n' "$all" | head -n "$max" | sed 's/^[0-9:.]* //; s/^/    /'
  [ "$(printf '%s\n' "$all" | wc -l)" -gt "$max" ] && echo "    ..."
  return 0
}

echo "== traffic mirroring lab"
echo "   client $CLIENT -- p1 [pvland] p2 -- web $WEB (HTTP on 8080)"
echo "   pvland's namespace -- collector $COLLECTOR (tcpdump -n -i eth0 udp port 4789)"
echo "   session web (lab.conf): $(ctl mirror show web | head -1)"
ctl mirror show web | sed -n 's/^    \(rule .*\) hits [0-9]*$/     \1/p'
echo

step "1. ping the web server from the client (2 echoes)"
at client ping -n -q -c 2 -i 0.2 $WEB | sed -n 's/^\(.*packets transmitted.*\)$/  \1/p'
seen

step "2. HTTP GET http://$WEB:8080/file from the client"
echo "  $(at client curl -s -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes' http://$WEB:8080/file)"
seen 8

step "3. UDP to $WEB port 9999: no rule takes UDP; the server's ICMP answer is mirrored (rule 30)"
at client /usr/bin/python3 -c "
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'q' * 40, ('$WEB', 9999))"
seen

step "4. a second session, number 2: the client's UDP, cut to its first 100 bytes"
echo "  pvlanctl mirror add cut source p1 direction egress target $COLLECTOR vni 200 length 100 number 2"
ctl mirror add cut source p1 direction egress target $COLLECTOR vni 200 length 100 number 2
echo "  pvlanctl mirror rule add cut number 10 accept protocol udp"
ctl mirror rule add cut number 10 accept protocol udp
at client /usr/bin/python3 -c "
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'q' * 1000, ('$WEB', 9999))"
seen

step "5. pvland's counters (pvlanctl mirror show)"
ctl mirror show | sed 's/^/  /'
sleep 0.3
echo "  copies sent: $(ctl -j mirror show | /usr/bin/python3 -c 'import json, sys; print(sum(s["tx_packets"] for s in json.load(sys.stdin)))');" \
  "datagrams the collector's tcpdump saw: $(grep -c ' > [0-9.]*\.4789: VXLAN' "$SEEN")"
echo

stop "$TCPDUMP"
TCPDUMP=
step "6. the collector's capture, decoded by tshark -d udp.port==4789,vxlan"
tshark -r "$PCAP" -d udp.port==4789,vxlan -T fields -E separator=' ' -e frame.number -e vxlan.vni \
  -e _ws.col.Source -e _ws.col.Destination -e _ws.col.Protocol -e _ws.col.Info 2>/dev/null |
  awk '{ $1 = sprintf("%3d", $1); $2 = "vni " $2; print "  " $0 }' | sed -n '1,6p; 7{s/.*/  .../p}; $p'
echo "  one of them in full (tshark -O vxlan):"
tshark -r "$PCAP" -d udp.port==4789,vxlan -O vxlan -Y 'frame.number == 1' 2>/dev/null |
  sed -n '/^Virtual eXtensible/,/^Ethernet II/p' | sed 's/^/    /'
echo
echo "In words: the session copies only what its rules accept (ICMP and HTTP on 8080, both"
echo "ways), each copy the frame as it was on p1's wire, inside VXLAN with VNI 100; the"
echo "UDP datagram of step 3 matched no rule and was not mirrored, the server's ICMP"
echo "answer to it was; in step 4 a second session took UDP, its copy cut to 100 bytes"
echo "(the outer IPv4 packet is 36 bytes more: IPv4, UDP and VXLAN headers)."
