# pvland's VXLAN port against Open vSwitch's vxlan port, on OVS's userspace datapath
# (datapath_type=netdev: no kernel module needed), ovsdb-server and ovs-vswitchd started
# here with their own run directory inside the test's.
#   ovs: br-phy (netdev) with the underlay veth eth0, 172.31.63.2 on br-phy (userspace
#        tunnels leave through it); br-int (netdev) with vxo (type vxlan, remote_ip U1,
#        key 6300, dst_port 4789) and pho, the veth to host ho 10.63.0.2
#   u1:  pvland, vx0 vni 6300 remote 172.31.63.2; h1 10.63.0.1 behind port s1
# Inner MTU 1450 on both hosts: OVS's userspace datapath does not reassemble fragmented
# tunnel packets.
# Asserts: ping both ways with ARP, a broadcast ping, OVS's FDB has h1 on vxo and pvland's
# has ho behind 172.31.63.2, iperf3 TCP both ways with default offloads (OVS's userspace
# datapath encapsulates ho's partial checksums as they are: pvland completes them).
source "$PVLAND_TESTLIB"

for b in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl; do
  command -v $b >/dev/null || t_skip "Open vSwitch is not installed ($b missing; apt-get install openvswitch-switch)"
done
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
[ -r $SCHEMA ] || t_skip "no $SCHEMA"

U1=172.31.63.1 UO=172.31.63.2 VNI=6300
mkns u1 ovs ho h1
veth u1 eth0 ovs eth0
nsx u1 ip addr add $U1/24 dev eth0
veth ovs pho ho eth0
veth u1 s1 h1 eth0
host_addr ho eth0 10.63.0.2/24 02:63:00:00:00:02
host_addr h1 eth0 10.63.0.1/24 02:63:00:00:00:01
for h in ho h1; do
  nsx $h ip link set eth0 mtu 1450
  nsx $h sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
done

# Open vSwitch, private to this test.
D=$T_DIR/ovs
mkdir -p "$D"
export OVS_RUNDIR=$D OVS_LOGDIR=$D OVS_DBDIR=$D OVS_SYSCONFDIR=$D
ovsdb-tool create "$D/conf.db" $SCHEMA >/dev/null || fail "ovsdb-tool create"
nsx ovs ovsdb-server "$D/conf.db" --remote=punix:"$D/db.sock" --unixctl="$D/db.ctl" \
  --pidfile="$D/db.pid" --no-chdir --log-file="$D/db.log" >/dev/null 2>&1 &
T_PIDS+=($!)
wait_until 5 test -S "$D/db.sock" || t_skip "ovsdb-server did not start: $(tail -3 "$D/db.log" 2>/dev/null)"
vsctl() { ovs-vsctl --db=unix:"$D/db.sock" --timeout=10 "$@"; }
vsctl --no-wait init
nsx ovs ovs-vswitchd unix:"$D/db.sock" --unixctl="$D/vs.ctl" --pidfile="$D/vs.pid" --no-chdir \
  --log-file="$D/vs.log" >/dev/null 2>&1 &
T_PIDS+=($!)
wait_until 5 test -S "$D/vs.ctl" || t_skip "ovs-vswitchd did not start: $(tail -3 "$D/vs.log" 2>/dev/null)"
# Both daemons live in namespaces of this test: lib.sh's cleanup ends them with it.
vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy eth0 ||
  t_skip "ovs-vsctl add-br br-phy failed: $(tail -3 "$D/vs.log")"
vsctl add-br br-int -- set bridge br-int datapath_type=netdev -- add-port br-int pho \
  -- add-port br-int vxo -- set interface vxo type=vxlan options:remote_ip=$U1 options:key=$VNI options:dst_port=4789 ||
  fail "ovs-vsctl add-br br-int"
nsx ovs ip addr add $UO/24 dev br-phy
nsx ovs ip link set br-phy up
nsx ovs ip link set br-int up

start_pvland u1
expect_ok "port add s1" ctl port add s1
expect_ok "port add vx0 type vxlan vni $VNI remote $UO" ctl port add vx0 type vxlan vni $VNI remote $UO

# OVS learns its route to U1 from the kernel and resolves U1's MAC by ARP on br-phy: the
# first packets may wait for that.
wait_until 10 nsx h1 ping -n -c 1 -W 1 10.63.0.2
expect_ok "h1 -> ho (pvland to OVS)" can_ping h1 10.63.0.2
expect_ok "ho -> h1 (OVS to pvland)" can_ping ho 10.63.0.1
nsx ho ip neigh flush dev eth0
expect_ok "ho -> h1 again, ARP first" can_ping ho 10.63.0.1
# h1 answers its own broadcast too: count ho's answers over a deadline.
bc=$(nsx h1 ping -n -b -w 2 -i 0.4 10.63.0.255 2>/dev/null | grep -c 'from 10.63.0.2')
expect_ok "ping -b from h1 answered by ho ($bc answers)" test "$bc" -ge 3
expect_ok "OVS's FDB has h1 on its vxlan port" \
  sh -c "ovs-appctl -t '$D/vs.ctl' fdb/show br-int | grep -q '02:63:00:00:00:01'"
expect_eq "pvland's FDB has ho behind $UO" \
  "$(ctl -j fdb show | pvjson "[(e['port'], e.get('remote')) for e in j if e['mac']=='02:63:00:00:00:02']")" "[('vx0', '$UO')]"

expect_ok "iperf3 TCP h1 -> ho" tcp_stream_ok ho 10.63.0.2 h1
expect_ok "iperf3 TCP ho -> h1" tcp_stream_ok h1 10.63.0.1 ho
expect_eq "no tx_error on vx0" "$(port_drop vx0 tx_error)" 0
expect_eq "nothing refused on vx0" "$(port_drop vx0 vxlan_malformed)/$(port_drop vx0 vxlan_wrong_vni)" 0/0
t_done
