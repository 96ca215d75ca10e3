# VLAN membership at egress and VLAN deletion.
# Topology: h1 on access VLAN 100 (primary), h2 on VLAN 101 (isolated secondary of 100),
# h3 on access VLAN 20, around one pvland.
# Asserts: a known-unicast frame whose FDB entry points at a port outside the frame's
# VLAN is not delivered and counts vlan_not_member on that port (a flood skips such
# ports without counting); `vlan del` of a secondary VLAN makes it a plain VLAN of its
# own (h1 and h2 no longer reach each other, vlan show drops the private-VLAN role);
# deleting it again, or a VLAN never declared, fails and changes nothing.
source "$PVLAND_TESTLIB"
need_scapy

mkns sw h1 h2 h3
for i in 1 2 3; do
  veth sw p$i h$i eth0
  host_addr h$i eth0 10.0.0.$i/24 02:00:00:00:00:0$i
done
start_pvland sw
ctl -b <(cat <<'CONF'
vlan add 100 pvlan primary
vlan add 101 pvlan isolated primary 100
port add p1 type netdev vlan 100
port add p2 type netdev vlan 101
port add p3 type netdev vlan 20
CONF
) >/dev/null || fail "set-up batch"

expect_ok "h1 (primary) -> h2 (isolated secondary)" can_ping h1 10.0.0.2
expect_ok "h1 -> h3 (VLAN 20): no path" cannot_ping h1 10.0.0.3

# --- vlan_not_member: a static entry for a MAC on p3 in VLAN 100, which p3 does not carry.
expect_ok "fdb add 02:aa:00:00:00:33 port p3 vlan 100" ctl fdb add 02:aa:00:00:00:33 port p3 vlan 100
d0=$(port_drop p3 vlan_not_member)
sniff_many nm eth0 "h2 h3" -Q in ether proto 0x88b5
scapy_send h1 eth0 "Ether(src='02:00:00:00:00:01',dst='02:aa:00:00:00:33',type=0x88b5)/Raw(b'n'*60)" 3
sniff_stop nm-h2 nm-h3
expect_eq "known unicast to a non-member port: not at h3" "$(sniff_count nm-h3)" 0
expect_eq "... nor flooded to h2" "$(sniff_count nm-h2)" 0
expect_eq "... counted vlan_not_member on p3 (3 frames)" "$(port_drop p3 vlan_not_member)" $((d0 + 3))
d0=$(port_drop p3 vlan_not_member)
scapy_send h1 eth0 "Ether(src='02:00:00:00:00:01',dst='ff:ff:ff:ff:ff:ff',type=0x88b5)/Raw(b'f'*60)" 2
sleep 0.2
expect_eq "a broadcast skips p3 without counting" "$(port_drop p3 vlan_not_member)" "$d0"
ctl fdb del 02:aa:00:00:00:33 vlan 100 >/dev/null

# --- vlan del
vlan_role() { ctl -j vlan show "$1" | pvjson "(j[0] if isinstance(j, list) else j).get('pvlan_type')" 2>/dev/null; }
expect_eq "vlan show 101: isolated secondary" "$(vlan_role 101)" isolated
expect_ok "vlan del 101" ctl vlan del 101
expect_ok "vlan show 101 no longer lists it as private" test "$(vlan_role 101)" != isolated
nsx h1 ip neigh flush dev eth0; nsx h2 ip neigh flush dev eth0
expect_ok "after vlan del: h1 (VLAN 100) cannot reach h2 (plain VLAN 101)" cannot_ping h1 10.0.0.2
expect_eq "p2 keeps its VLAN" "$(port_field p2 vlan)" 101
expect_fail "vlan del 101 again fails" ctl vlan del 101
expect_fail "vlan del of a VLAN never declared fails" ctl vlan del 555
expect_ok "vlan add 101 again restores the private VLAN" ctl vlan add 101 pvlan isolated primary 100
expect_ok "h1 -> h2 again" can_ping h1 10.0.0.2
t_done
