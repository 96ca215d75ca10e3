#!/usr/bin/env bash
# The private-VLAN lab: one subnet, 10.30.0.0/24, split by a pvland switch into a
# promiscuous server, isolated hosts and a community, with the router (pvland's own
# namespace, interface gw0) on the primary VLAN. Prints who can reach whom, and fetches
# a file over HTTP through the switch.
#   PVLAND=... PVLANCTL=... bash lab.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${PVLAND:?path to pvland}" "${PVLANCTL:?path to pvlanctl}"
P=pvdemo$$
SW=$P-sw
SOCK=/tmp/$P.sock
HOSTS=(srv iso1 iso2 com1 com2)
declare -A ADDR=([gw0]=10.30.0.1 [srv]=10.30.0.100 [iso1]=10.30.0.11 [iso2]=10.30.0.12 [com1]=10.30.0.21 [com2]=10.30.0.22)
declare -A ROLE=([gw0]="router" [srv]="promiscuous" [iso1]="isolated" [iso2]="isolated" [com1]="community" [com2]="community")

cleanup() {
  [ -n "${PVPID:-}" ] && kill "$PVPID" 2>/dev/null && wait "$PVPID" 2>/dev/null
  for n in $(ip netns list | awk '{print $1}' | grep "^$P-"); do ip netns del "$n"; done
  rm -f "$SOCK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$SW"
ip -n "$SW" link set lo up
for h in "${HOSTS[@]}"; do
  ip netns add "$P-$h"
  ip -n "$P-$h" link set lo up
  ip link add "p-$h" netns "$SW" type veth peer name eth0 netns "$P-$h"
  ip -n "$SW" link set "p-$h" up
  ip -n "$P-$h" addr add "${ADDR[$h]}/24" dev eth0
  ip -n "$P-$h" link set eth0 up
  ip -n "$P-$h" route add default via 10.30.0.1
done

ip netns exec "$SW" "$PVLAND" -s "$SOCK" -c "$HERE/lab.conf" 2>"/tmp/$P.log" &
PVPID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { echo "pvland did not start:"; cat "/tmp/$P.log"; exit 1; }
# The router: an address on pvland's internal port, forwarding on.
ip -n "$SW" addr add 10.30.0.1/24 dev gw0
ip netns exec "$SW" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.gw0.send_redirects=0

echo "== pvland private-VLAN lab: VLAN 100 primary, 101 isolated, 102 community"
"$PVLANCTL" -s "$SOCK" vlan show
echo
reach() {  # reach FROM TO -> 0 if one ping is answered
  local from=$1 to=$2 ns
  if [ "$from" = gw0 ]; then ns=$SW; else ns=$P-$from; fi
  ip netns exec "$ns" ping -n -c 1 -W 1 "${ADDR[$to]}" >/dev/null 2>&1 ||
    ip netns exec "$ns" ping -n -c 1 -W 1 "${ADDR[$to]}" >/dev/null 2>&1
}
matrix() {
  local from to
  printf '%-18s' "from \\ to"
  for to in gw0 "${HOSTS[@]}"; do printf '%-7s' "$to"; done
  echo
  for from in gw0 "${HOSTS[@]}"; do
    printf '%-18s' "$from (${ROLE[$from]})"
    for to in gw0 "${HOSTS[@]}"; do
      if [ "$from" = "$to" ]; then printf '%-7s' "-"; elif reach "$from" "$to"; then printf '%-7s' "yes"; else printf '%-7s' "no"; fi
    done
    echo
  done
}
echo "== Who can ping whom (layer 2 only: no proxy ARP on the router)"
matrix
echo
echo "In words: isolated hosts reach only the router and the promiscuous server;"
echo "community hosts also reach each other; isolated hosts never reach each other."
echo
echo "== RFC 3069: the router answers ARP for hosts on the same interface and routes"
echo "   between them (pvlanctl sysctl -w net.ipv4.conf.gw0.proxy_arp_pvlan=1)"
"$PVLANCTL" -s "$SOCK" sysctl -w net.ipv4.conf.gw0.proxy_arp_pvlan=1
"$PVLANCTL" -s "$SOCK" sysctl net.ipv4.conf.gw0.proxy_arp_pvlan
for h in "${HOSTS[@]}"; do ip -n "$P-$h" neigh flush all; done
matrix
echo
echo "Now every host reaches every other through the router: iso1's neighbour entry for"
echo "iso2 is the router's MAC (proxy ARP), and the TTL shows the extra hop:"
ip -n "$P-iso1" neigh show 10.30.0.12
echo "router gw0 is $(ip -n "$SW" -br link show gw0 | awk '{print $3}')"
ip netns exec "$P-iso1" ping -n -c 1 10.30.0.12 | grep ttl
echo
echo "== Real applications: HTTP over TCP, with the interfaces' default offloads"
echo "   (checksum offload, TSO/GSO: pvland forwards the kernel's super-frames as they are)"
WWW=$(mktemp -d /tmp/$P.www.XXXXXX)
head -c 8388608 /dev/urandom >"$WWW/blob"
SUM=$(sha256sum "$WWW/blob" | cut -c1-16)
ip netns exec "$P-srv" /usr/bin/python3 -m http.server 8000 --bind 10.30.0.100 --directory "$WWW" >/dev/null 2>&1 &
WEB=$!
fetch() {  # fetch FROM URL: the blob's sha256 prefix and the time it took
  ip netns exec "$P-$1" /usr/bin/python3 -c '
import hashlib, sys, time, urllib.request
t = time.time(); data = urllib.request.urlopen(sys.argv[1], timeout=10).read()
print("%s  %d bytes in %.2f s, sha256 %s" % (sys.argv[1], len(data), time.time() - t, hashlib.sha256(data).hexdigest()[:16]))
' "$2" 2>&1 | sed "s/^/  $1: /"
}
sleep 0.5
fetch iso1 http://10.30.0.100:8000/blob   # isolated host -> promiscuous server (layer 2)
fetch com2 http://10.30.0.100:8000/blob   # community host -> promiscuous server
echo "  (the file's sha256 starts $SUM)"
kill $WEB 2>/dev/null; wait $WEB 2>/dev/null; rm -rf "$WWW"
echo
echo "== Drops pvland counted, and its ARP verdicts on gw0"
"$PVLANCTL" -s "$SOCK" stats show
