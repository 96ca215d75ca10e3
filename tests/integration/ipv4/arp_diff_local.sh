#!/usr/bin/env bash
# Differential ARP cases for the router's own addresses (docs/kernel-semantics.md §4, T1
# rows 1-30): local and DAD replies, arp_ignore, arp_filter, martian targets and
# sources with log_martians, rp_filter and accept_local on local requests. Every probe
# goes to a Linux bridge with sysctls (the kernel decides) and to pvland with pvlanctl
# sysctl; the replies must be the same frames and the martian lines the same text.
source "$PVLAND_TESTLIB"
source "$(dirname "$0")/l3diff_lib.sh"
l3_build
l3_kmsg_start
H1=(--sip 10.0.1.10)
UC=(--dst "$L3MAC")

echo "== local replies, weak host model (rows 1, 2, 13-16)"
arpcase "row1 ask own address" 1 "${H1[@]}" --tip 10.0.1.1
arpcase "row2 ask eth2's address on br0/gw0" 1 "${H1[@]}" --tip 10.0.2.1
arpcase "row13 ar_hrd 6 (IEEE 802) answered with hrd 1" 1 "${H1[@]}" --tip 10.0.1.1 --hrd 6
arpcase "row13 ar_hrd 7 ignored" 0 "${H1[@]}" --tip 10.0.1.1 --hrd 7
# The kernel's reply leaves br0 and crosses the bridge: to a MAC the bridge has not
# learned it floods to every port. pvland sends its reply out the requester's port only.
arpcase "row14 reply goes to ARP sha, not Ethernet source" 1 --known-difference \
  "pvland does not flood a reply to an unlearned MAC to the other ports" "${H1[@]}" --tip 10.0.1.1 --sha 02:aa:bb:cc:dd:ee
arpcase "row15 Ethernet unicast to another host ignored" 0 "${H1[@]}" --tip 10.0.1.1 --dst 02:11:11:11:11:11
arpcase "row16 Ethernet multicast destination processed" 1 "${H1[@]}" --tip 10.0.1.1 --dst 01:00:5e:00:00:01
arpcase "unicast request to the router MAC" 1 "${H1[@]}" --tip 10.0.1.1 "${UC[@]}"
arpcase "op 3 (RARP) ignored" 0 "${H1[@]}" --tip 10.0.1.1 --op 3
arpcase "L2 flooding: h2 answers for itself" 1 "${H1[@]}" --tip 10.0.1.11
arpcase "sip 0.1.2.3 is ordinary unicast (row30)" 1 --sip 0.1.2.3 --tip 10.0.1.1
arpcase "sip 240.1.2.3 is ordinary unicast (row30)" 1 --sip 240.1.2.3 --tip 10.0.1.1

echo "== DAD probes, sip 0.0.0.0 (rows 10-12)"
arpcase "row10 DAD for own address: tpa 0.0.0.0" 1 --sip 0.0.0.0 --tip 10.0.1.1
arpcase "row11 DAD for eth2's address" 1 --sip 0.0.0.0 --tip 10.0.2.1
l3set net.ipv4.conf.L3.arp_ignore=1
arpcase "row11 DAD for eth2's address, arp_ignore=1" 0 --sip 0.0.0.0 --tip 10.0.2.1
l3_reset
l3set net.ipv4.conf.L3.proxy_arp=1
arpcase "row12 DAD never proxied" 0 --sip 0.0.0.0 --tip 10.0.2.10
l3_reset

echo "== arp_ignore (rows 3-8)"
l3set net.ipv4.conf.L3.arp_ignore=1
arpcase "row3 arp_ignore=1: other interface's address" 0 "${H1[@]}" --tip 10.0.2.1
arpcase "row3 arp_ignore=1: own address" 1 "${H1[@]}" --tip 10.0.1.1
l3set net.ipv4.conf.L3.arp_ignore=0 net.ipv4.conf.all.arp_ignore=1
arpcase "row3 all.arp_ignore=1 (MAX)" 0 "${H1[@]}" --tip 10.0.2.1
l3_reset
l3ip route add default via 10.0.2.10
l3set net.ipv4.conf.L3.arp_ignore=2
arpcase "row4 arp_ignore=2: sip off-subnet" 0 --sip 192.168.9.9 --tip 10.0.1.1
arpcase "row4 arp_ignore=2: sip on-subnet" 1 "${H1[@]}" --tip 10.0.1.1

l3ip addr add 172.16.0.1/24 dev L3
arpcase "row5 arp_ignore=2: tip and sip in different prefixes of the device" 0 --sip 172.16.0.5 --tip 10.0.1.1
arpcase "row5 arp_ignore=2: both in the second prefix" 1 --sip 172.16.0.5 --tip 172.16.0.1
l3ip addr del 172.16.0.1/24 dev L3
l3ip route del default
l3_reset
l3ip addr add 10.9.9.9/32 dev eth2 scope host
l3set net.ipv4.conf.L3.arp_ignore=3
arpcase "row6 arp_ignore=3: host-scope address" 0 "${H1[@]}" --tip 10.9.9.9
arpcase "row6 arp_ignore=3: global address elsewhere" 1 "${H1[@]}" --tip 10.0.2.1
l3set net.ipv4.conf.L3.arp_ignore=0
arpcase "row6 arp_ignore=0: host-scope address" 1 "${H1[@]}" --tip 10.9.9.9
l3ip addr del 10.9.9.9/32 dev eth2
l3set net.ipv4.conf.L3.arp_ignore=8
arpcase "row7 arp_ignore=8: nothing" 0 "${H1[@]}" --tip 10.0.1.1
arpcase "row7 arp_ignore=8: no DAD reply" 0 --sip 0.0.0.0 --tip 10.0.1.1
l3set net.ipv4.conf.L3.arp_ignore=4
arpcase "row7 arp_ignore=4 (reserved) answers" 1 "${H1[@]}" --tip 10.0.1.1
l3set net.ipv4.conf.L3.arp_ignore=1 net.ipv4.conf.all.arp_ignore=8
arpcase "row8 all=8 dev=1: MAX" 0 "${H1[@]}" --tip 10.0.1.1
l3_reset

echo "== arp_filter (row 9)"
l3ip route add default via 10.0.2.10
l3set net.ipv4.conf.L3.arp_filter=1
arpcase "row9 arp_filter: sip routed via eth2" 0 --sip 10.0.2.50 --tip 10.0.1.1
arpcase "row9 arp_filter: sip via default route" 0 --sip 8.8.4.4 --tip 10.0.1.1
arpcase "row9 arp_filter: sip on br0/gw0 asking eth2's address" 1 "${H1[@]}" --tip 10.0.2.1
arpcase "row9 arp_filter: DAD unaffected" 1 --sip 0.0.0.0 --tip 10.0.1.1
l3set net.ipv4.conf.L3.arp_filter=0 net.ipv4.conf.all.arp_filter=1
arpcase "row9 all.arp_filter=1 (OR)" 0 --sip 10.0.2.50 --tip 10.0.1.1
l3_reset
l3ip route del default

echo "== martian targets and sources, log_martians (rows 17, 29)"
l3set net.ipv4.conf.L3.log_martians=1
martiancase "row17 tip 127.0.0.1: dropped, not logged" 0 "${H1[@]}" --tip 127.0.0.1
martiancase "row17 tip 224.0.0.1: dropped, not logged" 0 "${H1[@]}" --tip 224.0.0.1
martiancase "row17 tip 255.255.255.255: not logged" 0 "${H1[@]}" --tip 255.255.255.255
martiancase "row17 tip 0.0.0.0: martian destination" 1 "${H1[@]}" --tip 0.0.0.0
martiancase "row29 sip 224.0.0.5: martian source" 2 --sip 224.0.0.5 --tip 10.0.1.1
martiancase "row29 sip 255.255.255.255: martian source" 2 --sip 255.255.255.255 --tip 10.0.1.1
martiancase "row29 sip 127.0.0.5: martian source" 2 --sip 127.0.0.5 --tip 10.0.1.1
l3set net.ipv4.conf.L3.log_martians=0 net.ipv4.conf.all.log_martians=1
martiancase "all.log_martians=1 (OR)" 2 --sip 127.0.0.6 --tip 10.0.1.1
l3set net.ipv4.conf.all.log_martians=0
martiancase "log_martians off: dropped silently" 0 --sip 127.0.0.7 --tip 10.0.1.1
l3_reset

echo "== rp_filter on local requests (rows 19-28)"
l3set net.ipv4.conf.L3.rp_filter=1 net.ipv4.conf.L3.log_martians=1
martiancase "row19 rp=1: sip routed via eth2" 2 --sip 10.0.2.50 --tip 10.0.1.1
l3set net.ipv4.conf.L3.rp_filter=2
arpcase "row20 rp=2: sip routed via eth2" 1 --sip 10.0.2.50 --tip 10.0.1.1
l3ip route add default via 10.0.2.10
l3set net.ipv4.conf.L3.rp_filter=1
martiancase "row21 rp=1 +dflt: sip via default route" 2 --sip 192.168.9.9 --tip 10.0.1.1
l3set net.ipv4.conf.L3.rp_filter=2
arpcase "row21 rp=2 +dflt: sip via default route" 1 --sip 192.168.9.9 --tip 10.0.1.1
l3ip route add blackhole 10.0.8.0/24
l3ip route add unreachable 10.0.9.0/24
l3ip route add prohibit 10.0.10.0/24
martiancase "row25 rp=2: sip in a blackhole route" 2 --sip 10.0.8.5 --tip 10.0.1.1
martiancase "row25 rp=2: sip in an unreachable route" 2 --sip 10.0.9.5 --tip 10.0.1.1
martiancase "row25 rp=2: sip in a prohibit route" 2 --sip 10.0.10.5 --tip 10.0.1.1
l3set net.ipv4.conf.L3.rp_filter=0
arpcase "row25 rp=0: sip in a blackhole route" 1 --sip 10.0.8.5 --tip 10.0.1.1
l3ip route del blackhole 10.0.8.0/24
l3ip route del unreachable 10.0.9.0/24
l3ip route del prohibit 10.0.10.0/24
l3ip route del default
l3set net.ipv4.conf.L3.rp_filter=2
martiancase "row22 rp=2 no dflt: unroutable sip" 2 --sip 192.168.9.9 --tip 10.0.1.1
l3set net.ipv4.conf.L3.rp_filter=0
arpcase "row22 rp=0: unroutable sip" 1 --sip 192.168.9.9 --tip 10.0.1.1
l3set net.ipv4.conf.all.rp_filter=1
arpcase "row23 all.rp=1 dev=0: strict (MAX)" 0 --sip 192.168.9.9 --tip 10.0.1.1
l3set net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.L3.rp_filter=1
arpcase "row23 all.rp=2 dev=1: loose (MAX)" 1 --sip 10.0.2.50 --tip 10.0.1.1
l3set net.ipv4.conf.all.rp_filter=0
l3ip route add 10.0.3.0/24 via 10.0.1.10
l3ip route add 10.0.4.0/24 dev L3
l3ip route add 10.0.6.0/24 via 10.0.2.10 metric 10
l3ip route add 10.0.6.0/24 via 10.0.1.10 metric 20
arpcase "row24 rp=1: sip via gateway on br0/gw0" 1 --sip 10.0.3.5 --tip 10.0.1.1
arpcase "row24 rp=1: sip scope link on br0/gw0" 1 --sip 10.0.4.5 --tip 10.0.1.1
arpcase "row24 rp=1: worse-metric route via br0/gw0 does not help" 0 --sip 10.0.6.5 --tip 10.0.1.1
l3ip route del 10.0.3.0/24
l3ip route del 10.0.4.0/24
l3ip route del 10.0.6.0/24 metric 10
l3ip route del 10.0.6.0/24 metric 20
l3set net.ipv4.conf.L3.rp_filter=0
martiancase "row26 rp=0: sip is our own address" 2 --sip 10.0.2.1 --tip 10.0.1.1
l3set net.ipv4.conf.L3.accept_local=1
arpcase "row26 accept_local=1: own sip accepted" 1 --sip 10.0.2.1 --tip 10.0.1.1
l3set net.ipv4.conf.L3.rp_filter=1
arpcase "row26 accept_local + rp=1: own sip of another device" 0 --sip 10.0.2.1 --tip 10.0.1.1
l3set net.ipv4.conf.L3.rp_filter=2
arpcase "row26 accept_local + rp=2" 1 --sip 10.0.2.1 --tip 10.0.1.1
l3set net.ipv4.conf.L3.accept_local=0 net.ipv4.conf.all.accept_local=1 net.ipv4.conf.L3.rp_filter=0
arpcase "all.accept_local=1 (OR)" 1 --sip 10.0.2.1 --tip 10.0.1.1
l3set net.ipv4.conf.all.accept_local=0
arpcase "row27 rp=0: sip is the directed broadcast (fast path)" 1 --sip 10.0.1.255 --tip 10.0.1.1
l3set net.ipv4.conf.L3.rp_filter=2
martiancase "row28 rp=2: sip is the directed broadcast" 2 --sip 10.0.1.255 --tip 10.0.1.1
l3_reset

echo "pvland's ARP verdicts:"; ctl stats show gw0
t_done
