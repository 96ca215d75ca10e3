#!/usr/bin/env bash
# Differential proxy-ARP cases (docs/kernel-semantics.md §4, T1 rows 18, 27, 34-44, 52):
# proxy_arp with its all/dev OR, default route and gratuitous requests, rp_filter on
# proxied requests, route types, forwarding off, the medium_id matrix (egress eth2),
# proxy_arp_pvlan, and the sticky "custom local route" flag. Bridge + sysctls vs pvland
# + pvlanctl; same reply frames and martian lines. proxy_delay is 0 here (answers at
# once); the delay queue has its own script.
source "$PVLAND_TESTLIB"
source "$(dirname "$0")/l3diff_lib.sh"
l3_build
l3_kmsg_start
H1=(--sip 10.0.1.10)
UC=(--dst "$L3MAC")

echo "== proxy_arp (rows 34-38, 42-44, 52), forwarding"
l3set net.ipv4.conf.L3.proxy_arp=1
arpcase "row34 proxy_arp: broadcast request, proxy_delay 0" 1 "${H1[@]}" --tip 10.0.2.10
arpcase "row35 proxy_arp: unicast request" 1 "${H1[@]}" --tip 10.0.2.10 "${UC[@]}"
arpcase "row36 proxy_arp: no route, no reply" 0 "${H1[@]}" --tip 8.8.8.8
l3ip route add default via 10.0.2.10
arpcase "row36 proxy_arp: via the default route" 1 "${H1[@]}" --tip 8.8.8.8
l3ip route del default
arpcase "row37 proxy_arp: route back out the ingress" 0 "${H1[@]}" --tip 10.0.1.99
arpcase "row42 proxy_arp: gratuitous ARP of a proxied address" 1 --sip 10.0.2.77 --tip 10.0.2.77
arpcase "row43 proxy_arp: sip on eth2's subnet, rp=0" 1 --sip 10.0.2.50 --tip 10.0.2.10
arpcase "row43 proxy_arp: sip is our own address" 0 --sip 10.0.1.1 --tip 10.0.2.10
l3set net.ipv4.conf.L3.rp_filter=1 net.ipv4.conf.L3.log_martians=1
arpcase "row42 proxy_arp rp=1: gratuitous ARP of a proxied address" 0 --sip 10.0.2.77 --tip 10.0.2.77
martiancase "row44 proxy_arp rp=1: sip via eth2, unicast" 2 --sip 10.0.2.50 --tip 10.0.2.10 "${UC[@]}"
l3set net.ipv4.conf.L3.rp_filter=2
arpcase "proxy_arp rp=2: sip via eth2 (loose)" 1 --sip 10.0.2.50 --tip 10.0.2.10
l3set net.ipv4.conf.L3.rp_filter=0
l3ip route add multicast 10.0.11.0/24 dev eth2
l3ip route add anycast 10.0.12.0/24 dev eth2
martiancase "row52 proxy_arp: multicast route type" 1 "${H1[@]}" --tip 10.0.11.5
martiancase "row52 proxy_arp: anycast route type" 1 "${H1[@]}" --tip 10.0.12.5
l3ip route del multicast 10.0.11.0/24 dev eth2
l3ip route del anycast 10.0.12.0/24 dev eth2
l3set net.ipv4.conf.L3.log_martians=0
l3set net.ipv4.conf.L3.forwarding=0
arpcase "proxy_arp, forwarding off on br0/gw0" 0 "${H1[@]}" --tip 10.0.2.10
arpcase "forwarding off: local replies go on" 1 "${H1[@]}" --tip 10.0.1.1
l3set net.ipv4.conf.L3.forwarding=1
l3set net.ipv4.conf.L3.proxy_arp=0 net.ipv4.conf.all.proxy_arp=1
arpcase "row38 all.proxy_arp=1 dev=0 (OR)" 1 "${H1[@]}" --tip 10.0.2.10
l3_reset

echo "== medium_id (row 39): ingress br0/gw0 x egress eth2, unicast requests"
l3set net.ipv4.conf.L3.proxy_arp=1 net.ipv4.conf.all.medium_id=5
for row in "0 0 1" "0 -1 1" "0 2 1" "-1 0 0" "-1 -1 0" "1 1 0" "1 2 1" "1 0 1" "1 -1 0" "2 3 1"; do
  set -- $row
  l3set "net.ipv4.conf.L3.medium_id=$1"
  kset "net.ipv4.conf.eth2.medium_id=$2"
  arpcase "row39 medium_id in=$1 out=$2" "$3" "${H1[@]}" --tip 10.0.2.10 "${UC[@]}"
done
l3_reset

echo "== proxy_arp_pvlan (rows 18, 40, 41)"
l3set net.ipv4.conf.L3.proxy_arp_pvlan=1
arpcase "row40 pvlan: other host on the same segment" 1 "${H1[@]}" --tip 10.0.1.99
arpcase "row40 pvlan: network address 10.0.1.0" 1 "${H1[@]}" --tip 10.0.1.0
arpcase "row40 pvlan: sender == target (garp) not answered" 0 --sip 10.0.1.10 --tip 10.0.1.10
arpcase "row40 pvlan: address behind eth2 (needs proxy_arp)" 0 "${H1[@]}" --tip 10.0.2.10
arpcase "pvlan: live host h2 answers too" 2 "${H1[@]}" --tip 10.0.1.11
arpcase "row18 pvlan: directed broadcast 10.0.1.255" 0 "${H1[@]}" --tip 10.0.1.255
l3set net.ipv4.conf.L3.proxy_arp_pvlan=0 net.ipv4.conf.all.proxy_arp_pvlan=1
arpcase "all.proxy_arp_pvlan=1 (OR)" 1 "${H1[@]}" --tip 10.0.1.99
l3set net.ipv4.conf.L3.forwarding=0
arpcase "row41 pvlan, forwarding off" 0 "${H1[@]}" --tip 10.0.1.99
l3_reset

echo "== sticky custom local route (row 27, last: it changes the netns for good)"
arpcase "row27 before: sip 10.0.1.255, rp=0" 1 --sip 10.0.1.255 --tip 10.0.1.1
l3ip route add local 10.200.0.1/32 dev eth2 table local
arpcase "row27 after a user-added local route: full check" 0 --sip 10.0.1.255 --tip 10.0.1.1

echo "pvland's ARP verdicts:"; ctl stats show gw0
t_done
