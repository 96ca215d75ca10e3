# Access and 802.1Q trunk ports.
# Topology: h1, h2 on access VLAN 10; h3, h4 on access VLAN 20 (all in one IP subnet, so
# only the VLANs separate them); tr on a trunk carrying 10 and 20.
# Asserts: VLANs are separate broadcast domains; frames leave the trunk tagged with their
# VLAN; tagged frames from the trunk reach the right access ports untagged (broadcast,
# known unicast, and an ARP answered back tagged); drops vlan_not_allowed,
# untagged_on_trunk, vlan_tag_on_access are counted on the ingress port and nothing is
# forwarded; a native VLAN carries untagged frames both ways; an inner tag / an 802.1ad
# tag passes transparently; allowed-list changes apply at once.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw h1 h2 h3 h4 tr
for i in 1 2 3 4; do
  veth sw p$i h$i eth0
  host_addr h$i eth0 10.0.0.$i/24 02:00:00:00:00:0$i
done
veth sw pt tr eth0
nsx tr ip link set eth0 address 02:00:00:00:00:0f
start_pvland sw
for p in p1 p2 p3 p4 pt; do ctl port add $p >/dev/null; done
expect_ok "p1 p2 on VLAN 10" ctl -b <(printf 'port set p1 vlan 10\nport set p2 vlan 10\n')
expect_ok "p3 p4 on VLAN 20" ctl -b <(printf 'port set p3 vlan 20\nport set p4 vlan 20\n')
expect_ok "pt trunk allowed 10,20 native none" ctl port set pt mode trunk allowed 10,20 native none
expect_eq "pt mode" "$(port_field pt mode)" trunk
expect_eq "p3 vlan" "$(port_field p3 vlan)" 20

# --- broadcast domains, with the trunk watching
sniff_start trunk tr eth0 -Q in
expect_ok "h1 -> h2 (VLAN 10)" can_ping h1 10.0.0.2
expect_ok "h3 -> h4 (VLAN 20)" can_ping h3 10.0.0.4
expect_ok "h1 -> h3 fails (10 vs 20)" cannot_ping h1 10.0.0.3
expect_ok "h2 -> h4 fails (10 vs 20)" cannot_ping h2 10.0.0.4
expect_ok "h4 -> h1 fails (20 vs 10)" cannot_ping h4 10.0.0.1
sniff_stop trunk
expect_ok "trunk saw h1's ARP tagged 10" test "$(sniff_count trunk 'vlan 10 and arp and ether src 02:00:00:00:00:01')" -ge 1
expect_ok "trunk saw h3's ARP tagged 20" test "$(sniff_count trunk 'vlan 20 and arp and ether src 02:00:00:00:00:03')" -ge 1
expect_eq "trunk saw no untagged frame" "$(sniff_count trunk 'not vlan')" 0
expect_eq "trunk saw no h1 frame tagged 20" "$(sniff_count trunk 'vlan 20 and ether src 02:00:00:00:00:01')" 0
expect_ok "text capture shows 'vlan 10'" sh -c "tcpdump -r '$T_DIR/trunk.pcap' -n -e 2>/dev/null | grep -q '802.1Q (0x8100).*vlan 10'"

# --- frames injected on the trunk
# inject TAG EXPR: capture inbound at h1..h4, send EXPR from the trunk host.
inject() {
  local tag=$1 expr=$2 i
  for i in 1 2 3 4; do sniff_start "$tag-h$i" h$i eth0 -Q in udp port 7777; done
  scapy_send tr eth0 "$expr"
  sniff_stop "$tag-h1" "$tag-h2" "$tag-h3" "$tag-h4"
}
BC="Ether(src='02:00:00:00:00:0f',dst='ff:ff:ff:ff:ff:ff')"
UDP7="IP(src='10.0.0.15',dst='10.0.0.255')/UDP(sport=7777,dport=7777)/Raw(b'x'*20)"
inject bc20 "$BC/Dot1Q(vlan=20)/$UDP7"
expect_eq "tag 20 broadcast: h3 got it untagged" "$(sniff_count bc20-h3 'not vlan')" 1
expect_eq "tag 20 broadcast: h4 got it untagged" "$(sniff_count bc20-h4 'not vlan')" 1
expect_eq "tag 20 broadcast: h1 nothing" "$(sniff_count bc20-h1)" 0
expect_eq "tag 20 broadcast: h2 nothing" "$(sniff_count bc20-h2)" 0
inject ku10 "Ether(src='02:00:00:00:00:0f',dst='02:00:00:00:00:02')/Dot1Q(vlan=10)/$UDP7"
expect_eq "tag 10 to h2's MAC: h2 got it untagged" "$(sniff_count ku10-h2 'not vlan')" 1
expect_eq "tag 10 to h2's MAC: not flooded to h1" "$(sniff_count ku10-h1)" 0
expect_eq "tag 10 to h2's MAC: not at h4" "$(sniff_count ku10-h4)" 0

# An ARP request tagged 10 for h1 is answered, and the answer comes back tagged 10.
arp_reply=$(pyx tr "
import logging; logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from scapy.all import *
conf.verb = 0
r = srp1(Ether(src='02:00:00:00:00:0f', dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=10)/
         ARP(op=1, hwsrc='02:00:00:00:00:0f', psrc='10.0.0.15', pdst='10.0.0.1'),
         iface='eth0', timeout=2)
print('none' if r is None else '%s %s %s' % (r[Dot1Q].vlan if Dot1Q in r else 'untagged', r[ARP].op, r[ARP].hwsrc))
")
expect_eq "ARP from the trunk on VLAN 10 answered by h1, tagged 10" "$arp_reply" "10 2 02:00:00:00:00:01"

# --- drops
d0=$(port_drop pt vlan_not_allowed)
inject na30 "$BC/Dot1Q(vlan=30)/$UDP7"
expect_eq "tag 30 (not allowed) counted vlan_not_allowed on pt" "$(port_drop pt vlan_not_allowed)" $((d0 + 1))
expect_eq "tag 30: delivered nowhere" "$(( $(sniff_count na30-h1) + $(sniff_count na30-h2) + $(sniff_count na30-h3) + $(sniff_count na30-h4) ))" 0
# The trunk host's own IPv6 control frames are untagged too, and counted the same way.
sniff_start untag-v6 tr eth0 -Q out "$PVT_V6_CONTROL"
t0=$(t_now); d0=$(port_drop pt untagged_on_trunk)
inject untag "$BC/$UDP7"
t1=$(t_now); d1=$(port_drop pt untagged_on_trunk)
sniff_stop untag-v6
read -r v6 _ < <(sniff_between untag-v6 "$t0" "$t1")
expect_eq "untagged on a trunk without native counted untagged_on_trunk" "$d1" $((d0 + 1 + v6))
expect_eq "untagged on trunk: delivered nowhere" "$(( $(sniff_count untag-h1) + $(sniff_count untag-h2) + $(sniff_count untag-h3) + $(sniff_count untag-h4) ))" 0

d0=$(port_drop p1 vlan_tag_on_access)
sniff_start acc-h2 h2 eth0 -Q in udp port 7777
sniff_start acc-tr tr eth0 -Q in udp port 7777
scapy_send h1 eth0 "Ether(src='02:00:00:00:00:01',dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=10)/$UDP7"
sniff_stop acc-h2 acc-tr
expect_eq "tagged frame on access port counted vlan_tag_on_access on p1" "$(port_drop p1 vlan_tag_on_access)" $((d0 + 1))
expect_eq "tagged frame on access: not at h2" "$(sniff_count acc-h2)" 0
expect_eq "tagged frame on access: not on the trunk" "$(sniff_count acc-tr)" 0

# --- nested tags: the inner tag is payload
inject qinq "$BC/Dot1Q(vlan=10)/Dot1Q(vlan=77)/$UDP7"
expect_eq "double-tagged from trunk: h1 gets the inner tag 77 only" "$(sniff_count qinq-h1 'vlan 77')" 1
expect_eq "double-tagged from trunk: h2 too" "$(sniff_count qinq-h2 'vlan 77')" 1
expect_eq "double-tagged from trunk: not on VLAN 20" "$(sniff_count qinq-h3)" 0
sniff_start ad-h2 h2 eth0 -Q in
sniff_start ad-tr tr eth0 -Q in
scapy_send h1 eth0 "Ether(src='02:00:00:00:00:01',dst='ff:ff:ff:ff:ff:ff',type=0x88a8)/Dot1Q(vlan=300)/$UDP7"
sniff_stop ad-h2 ad-tr
expect_eq "802.1ad-tagged frame on access port passes to h2 with its S-tag 300" \
  "$(sniff_show ad-h2 | grep -c '0x88a8.*vlan 300')" 1
expect_eq "... and leaves the trunk as VLAN 10 carrying S-tag 300" \
  "$(sniff_show ad-tr | grep -c 'vlan 10,.*0x88a8.*vlan 300')" 1

# --- native VLAN: untagged on the trunk maps to VLAN 10 both ways
expect_ok "pt native 10" ctl port set pt native 10
nsx tr ip addr add 10.0.0.15/24 dev eth0
sniff_start nat tr eth0 -Q in icmp
expect_ok "trunk host (untagged, native 10) -> h1" can_ping tr 10.0.0.1
sniff_stop nat
expect_ok "h1's replies reach the trunk untagged" test "$(sniff_count nat 'icmp and not vlan')" -ge 1
expect_eq "no reply tagged 10 on the native VLAN" "$(sniff_count nat 'vlan 10')" 0
expect_ok "trunk host (native 10) -> h3 (VLAN 20) fails" cannot_ping tr 10.0.0.3
expect_ok "pt native none" ctl port set pt native none
nsx tr ip neigh flush dev eth0
d0=$(port_drop pt untagged_on_trunk)
expect_ok "native none: untagged ping fails" cannot_ping tr 10.0.0.1
expect_ok "... counted untagged_on_trunk" test "$(port_drop pt untagged_on_trunk)" -gt "$d0"

# --- allowed list changed at run time
expect_ok "pt allowed 20" ctl port set pt allowed 20
d0=$(port_drop pt vlan_not_allowed)
inject na10 "$BC/Dot1Q(vlan=10)/$UDP7"
expect_eq "tag 10 now vlan_not_allowed" "$(port_drop pt vlan_not_allowed)" $((d0 + 1))
expect_eq "tag 10 now not delivered to h1" "$(sniff_count na10-h1)" 0
sniff_start na-tr tr eth0 -Q in
nsx h1 ip neigh flush dev eth0
can_ping h1 10.0.0.2 >/dev/null
sniff_stop na-tr
expect_eq "VLAN 10 traffic no longer leaves the trunk" "$(sniff_count na-tr 'vlan 10')" 0
inject bc20b "$BC/Dot1Q(vlan=20)/$UDP7"
expect_eq "VLAN 20 still carried" "$(sniff_count bc20b-h3)" 1

t_done
