# `pvlanctl save` and `pvland -c` (docs/operations.md §4).
# Asserts: a fresh pvland saves nothing but the header; with every key `port set`,
# `bridge set`, `vlan add`, `fdb add` and `sysctl -w` can change set away from its
# default, the save names every port and bridge key (the lists come from pvlanctl's own
# error messages, so a new key fails here until it is saved), and differs from the
# default save; the saved file runs with `pvlanctl -b` on another fresh pvland, which
# then saves the same file; pvland restarted with `-c` of it saves the same file again
# and forwards; a `save` line in a start-up file is refused.
source "$PVLAND_TESTLIB"

mkns sw sw2 h4 h5
for i in 1 2 3; do veth sw p$i sw q$i; veth sw2 p$i sw2 q$i; done
for i in 4 5; do
  veth sw p$i h$i eth0
  veth sw2 p$i sw2 q$i
  host_addr h$i eth0 10.0.0.$i/24
done
start_pvland sw2
B=$PVSOCK
start_pvland sw
A=$PVSOCK

ctl save "$T_DIR/default.conf" || fail "save of a fresh pvland"
expect_eq "a fresh pvland saves only the header" "$(grep -vc '^#' "$T_DIR/default.conf")" 0

run() { ctl "$@" >/dev/null || fail "$*"; }
run bridge set ageing_time 77 psf_max_total 5000
run vlan add 100 pvlan primary
run vlan add 101 pvlan isolated primary 100
run vlan add 102 pvlan community primary 100
run vlan add 200
run port add p1 type netdev vlan 101 isolated on learning off flood off mcast_flood off bcast_flood off \
  hairpin on source_guard strict mac_changes reject forged_transmits reject promiscuous accept \
  mac_learning on mac_limit 16 mac_limit_policy drop mac_aging 30 initial_mac 02:00:00:00:00:0a \
  psf enabled role instance psf_liberal on psf_max_entries 100
run port add p2 type netdev mode trunk allowed 100-102,200 native 200
run port add p3
run port set p3 psf disabled role gateway source_guard loose
run port add t1 type tap vlan 102
run port add gw0 type internal vlan 100
run port add gw1 type internal vlan 200
run port add p4
run port add p5
run sysctl -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.arp_ignore=2
run sysctl -w net.ipv4.conf.gw0.proxy_arp_pvlan=1 net.ipv4.conf.gw1.arp_announce=1
run sysctl -w net.ipv4.neigh.gw0.proxy_delay=20 net.ipv4.neigh.gw1.proxy_qlen=5 net.core.message_burst=3
run sysctl -w net.ipv4.conf.gw1.forwarding=1
# Added after default changed: it copied default's arp_ignore as set, and keeps it.
run port add gw2 type internal vlan 200
run fdb add 02:00:00:00:01:01 port p3
run fdb add 02:00:00:00:01:02 port p2 vlan 100
run mirror add m1 source p3 direction egress target 192.0.2.9 dstport 4790 length 128 number 7
run mirror rule add m1 number 10 reject protocol tcp dport 22
run mirror rule add m1 number 20 accept direction egress protocol tcp src 10.0.0.0/8 dst 192.168.0.0/16
run mirror add m2 source p4 target 192.0.2.10 vni 4242
ctl save "$T_DIR/saved.conf" || fail "save"
echo "saved:"; sed 's/^/  /' "$T_DIR/saved.conf"
expect_fail "it differs from a fresh pvland's" diff -q "$T_DIR/default.conf" "$T_DIR/saved.conf"

# Every key the grammar knows, as pvlanctl lists them when given an unknown one.
keys_of() { ctl "$@" no_such_key 1 2>&1 | sed -n "s/.*expected one of: //p" | tr -d ' ' | tr ',' ' '; }
port_keys=$(keys_of port set p3)
bridge_keys=$(keys_of bridge set)
expect_ok "pvlanctl lists the port keys ($port_keys)" test -n "$port_keys"
missing=""
for k in $port_keys; do grep -q "^port add .* $k " "$T_DIR/saved.conf" || missing+=" $k"; done
for k in $bridge_keys; do grep -q "^bridge set.* $k " "$T_DIR/saved.conf" || missing+=" $k"; done
expect_eq "every port and bridge key is in the save" "$missing" ""
for w in "vlan add 101 pvlan isolated primary 100" "fdb add 02:00:00:00:01:02 port p2 vlan 100" \
  "sysctl -w net.ipv4.conf.all.rp_filter=1" "sysctl -w net.ipv4.neigh.gw0.proxy_delay=20" \
  "sysctl -w net.core.message_burst=3" "sysctl -w net.ipv4.conf.gw2.arp_ignore=2" \
  "sysctl -w net.ipv4.conf.gw1.forwarding=1" "mirror rule add m1 number 10 reject direction both protocol tcp dport 22"; do
  expect_ok "saved: $w" grep -qx "$w" "$T_DIR/saved.conf"
done

echo "== the file through pvlanctl -b, on another fresh pvland"
expect_ok "pvlanctl -b runs every line" "$PVLANCTL" -s "$B" -b "$T_DIR/saved.conf"
"$PVLANCTL" -s "$B" save "$T_DIR/other.conf" || fail "save of the other pvland"
if diff "$T_DIR/saved.conf" "$T_DIR/other.conf" >/dev/null; then pass "it saves the same file"
else fail "the other pvland saves something else:"; diff "$T_DIR/saved.conf" "$T_DIR/other.conf"; fi

echo "== restarted with -c"
PID=$(pvland_pid sw)
kill -TERM "$PID"
wait_until 5 sh -c "! kill -0 $PID" || fail "pvland did not stop"
ip netns exec "$(ns sw)" "$PVLAND" -s "$A" -c "$T_DIR/saved.conf" >>"$T_DIR/sw.log" 2>&1 &
T_PIDS+=($!)
wait_until 5 ctl port show || { fail "pvland -c did not start"; tail "$T_DIR/sw.log"; }
ctl save "$T_DIR/restored.conf" || fail "save after restore"
if diff "$T_DIR/saved.conf" "$T_DIR/restored.conf" >/dev/null; then pass "save after the restart is the same"
else fail "save differs after the restart:"; diff "$T_DIR/saved.conf" "$T_DIR/restored.conf"; fi
expect_ok "the restored pvland forwards" can_ping h4 10.0.0.5
expect_eq "its internal ports are back" "$(ctl -j port show | pvjson "sorted(p['name'] for p in j if p['type'] == 'internal')")" \
  "['gw0', 'gw1', 'gw2']"
expect_eq "the kernel forwards on gw1 again" "$(nsx sw sysctl -n net.ipv4.conf.gw1.forwarding)" 1

printf 'vlan add 5\nsave\n' >"$T_DIR/bad.conf"
out=$(nsx sw "$PVLAND" -s "$T_DIR/bad.sock" -c "$T_DIR/bad.conf" 2>&1); rc=$?
expect_eq "a save line in a start-up file: pvland exits 1" "$rc" 1
expect_ok "... naming the line ($out)" grep -q "bad.conf:2: save writes" <<<"$out"
t_done
