# Differential test of the `isolated` port flag (and hairpin) against the Linux bridge.
# The same lab is built twice: prefix L with a Linux bridge br0 (`bridge link set dev X
# isolated on|off hairpin on|off`), prefix P with pvland (`port set X isolated on|off
# hairpin on|off`) and an internal port br0. Hosts h1-h4 sit on ports p1-p4; port pv leads
# to namespace hv whose eth0 carries two VEPA macvlans moved to v1 and v2 (their traffic
# to each other must be hairpinned by the switch). The switch's own address is .254.
# Probes, identical on both: ping between every ordered pair of the 7 nodes (ARP
# broadcast), again with permanent neighbours (known unicast), a broadcast ping from every
# node, and an unknown-unicast scapy frame from every host captured at every port.
# Asserts the reachability matrices are equal, and pins a few cells so that two equally
# broken switches cannot pass (docs/drop-reasons.md §3: isolated pairs blocked, both reach
# plain ports and the switch address).
source "$PVLAND_TESTLIB"
need_scapy

NODES="h1 h2 h3 h4 v1 v2 sw"
declare -A IP=([h1]=1 [h2]=2 [h3]=3 [h4]=4 [v1]=5 [v2]=6 [sw]=254)
mac() { printf '02:09:00:00:00:%02x' "${IP[$1]}"; }

build() { # build K: the lab under prefix K (L or P)
  local K=$1 i
  mkns $K-sw $K-h1 $K-h2 $K-h3 $K-h4 $K-hv $K-v1 $K-v2
  for i in 1 2 3 4; do
    veth $K-sw p$i $K-h$i eth0
    host_addr $K-h$i eth0 10.9.0.$i/24 "$(mac h$i)"
  done
  veth $K-sw pv $K-hv eth0
  for i in 1 2; do
    nsx $K-hv ip link add m$i link eth0 address "$(mac v$i)" type macvlan mode vepa
    nsx $K-hv ip link set m$i netns "$(ns $K-v$i)"
    nsx $K-v$i ip link set m$i name eth0
    nsx $K-v$i ip link set eth0 up
    host_addr $K-v$i eth0 10.9.0.$((4 + i))/24
  done
  for i in h1 h2 h3 h4 v1 v2 sw; do nsx $K-$i sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0; done
}

build L
nsx L-sw ip link add br0 address "$(mac sw)" type bridge
for p in p1 p2 p3 p4 pv; do nsx L-sw ip link set $p master br0; done
nsx L-sw ip link set br0 up
nsx L-sw ip addr add 10.9.0.254/24 dev br0

build P
start_pvland P-sw
for p in p1 p2 p3 p4 pv; do ctl port add $p >/dev/null || fail "port add $p"; done
ctl port add br0 type internal >/dev/null || fail "port add br0 type internal"
nsx P-sw ip link set br0 address "$(mac sw)"
nsx P-sw ip link set br0 up
nsx P-sw ip addr add 10.9.0.254/24 dev br0

# flags "PORT=isolated,hairpin ...": the same port flags on both switches.
flags() {
  local spec p iso hp
  for spec in $1; do
    p=${spec%%=*}; iso=${spec#*=}; hp=${iso#*,}; iso=${iso%,*}
    nsx L-sw bridge link set dev $p isolated $iso hairpin $hp
    ctl port set $p isolated $iso hairpin $hp >/dev/null || fail "port set $p isolated $iso hairpin $hp"
  done
}

# pings K OUT: every ordered pair, in parallel; lines "SRC>DST 0|1" sorted into OUT.
pings() {
  local K=$1 out=$2 s d pids=()
  for s in $NODES; do
    for d in $NODES; do
      [ $s = $d ] && continue
      ( if nsx $K-$s ping -n -c 1 -i 0.4 -w 2 10.9.0.${IP[$d]} >/dev/null 2>&1; then r=1; else r=0; fi
        echo "$s>$d $r" >"$T_DIR/pg-$K-$s-$d" ) &
      pids+=($!)
    done
  done
  wait "${pids[@]}"
  cat "$T_DIR"/pg-$K-* | sort >"$out"; rm -f "$T_DIR"/pg-$K-*
}

# bcast K OUT: a broadcast ping from every node; lines "SRC: responders" into OUT.
bcast() {
  local K=$1 out=$2 s pids=()
  for s in $NODES; do
    ( r=$(nsx $K-$s ping -n -b -w 2 -i 0.4 10.9.0.255 2>/dev/null |
            sed -n 's/.* from 10\.9\.0\.\([0-9]*\):.*/\1/p' | grep -vx "${IP[$s]}" | sort -n -u | tr '\n' ' ')
      echo "$s: $r" >"$T_DIR/bc-$K-$s" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$T_DIR"/bc-$K-* | sort >"$out"; rm -f "$T_DIR"/bc-$K-*
}

# static_neigh K add|del: permanent neighbour entries for every peer in every node.
static_neigh() {
  local K=$1 op=$2 s d dev
  for s in $NODES; do
    dev=eth0; [ $s = sw ] && dev=br0
    for d in $NODES; do
      [ $s = $d ] && continue
      if [ $op = add ]; then
        echo "neigh replace 10.9.0.${IP[$d]} lladdr $(mac $d) dev $dev nud permanent"
      fi
    done >"$T_DIR/neigh-$K-$s"
    if [ $op = add ]; then nsx $K-$s ip -b "$T_DIR/neigh-$K-$s"; else nsx $K-$s ip neigh flush dev $dev nud all; fi
  done
}

# uu K OUT: an unknown-unicast frame from every host and macvlan, captured inbound on the
# host side of every port; lines "SRC>PORT-HOST COUNT".
uu() {
  local K=$1 out=$2 s h pids=()
  sniff_many uu-$K eth0 "$K-h1 $K-h2 $K-h3 $K-h4 $K-hv" -Q in udp port 4789
  for s in h1 h2 h3 h4 v1 v2; do
    scapy_send $K-$s eth0 "Ether(src='$(mac $s)',dst='02:ee:00:00:00:%02x' % ${IP[$s]})/IP(src='10.9.0.${IP[$s]}',dst='10.9.0.200')/UDP(dport=4789)" &
    pids+=($!)
  done
  wait "${pids[@]}"
  sniff_stop $(for h in h1 h2 h3 h4 hv; do echo uu-$K-$K-$h; done)
  for h in h1 h2 h3 h4 hv; do sniff_show uu-$K-$K-$h >"$T_DIR/uu-$K-$h.txt"; done
  for s in h1 h2 h3 h4 v1 v2; do
    for h in h1 h2 h3 h4 hv; do
      echo "$s>$h $(grep -c "^[^ ]* $(mac $s) > " "$T_DIR/uu-$K-$h.txt")"
    done
  done >"$out"
}

# phase NAME: run every probe on both labs (in parallel) and compare.
phase() {
  local ph=$1 K
  for K in L P; do nsx_all_flush $K; done
  both pings $ph-arp
  for K in L P; do static_neigh $K add; done
  both pings $ph-ku
  for K in L P; do static_neigh $K del; done
  both bcast $ph-bc
  both uu $ph-uu
  local probe
  for probe in arp ku bc uu; do
    if diff -u "$T_DIR/$ph-$probe-L" "$T_DIR/$ph-$probe-P" >"$T_DIR/$ph-$probe.diff"; then
      pass "$ph: $probe matrix equal to the Linux bridge's ($(wc -l <"$T_DIR/$ph-$probe-L") rows)"
    else
      fail "$ph: $probe matrix differs (--- Linux bridge, +++ pvland):"
      sed 1,2d "$T_DIR/$ph-$probe.diff" | grep '^[-+]'
    fi
  done
}
nsx_all_flush() { local n; for n in $NODES; do nsx $1-$n ip neigh flush all >/dev/null 2>&1; done; }
# both PROBE NAME: PROBE on the two labs at once, into $T_DIR/NAME-L and NAME-P.
both() {
  local a b
  $1 L "$T_DIR/$2-L" & a=$!
  $1 P "$T_DIR/$2-P" & b=$!
  wait $a $b
}
cell() { grep -x "$2 [0-9]*" "$T_DIR/$1-L" | awk '{print $2}'; }  # cell FILE KEY (Linux side)
bcell() { grep "^$2:" "$T_DIR/$1-L" | sed 's/^[^:]*: //; s/ $//'; }

# Phase A: h1, h2 isolated; pv isolated with hairpin (so v1, v2 are isolated from each other too).
flags "p1=on,off p2=on,off p3=off,off p4=off,off pv=on,on"
phase A
expect_eq "A: h1 -> h2 blocked (both isolated)" "$(cell A-arp 'h1>h2')" 0
expect_eq "A: h1 -> h2 known unicast blocked" "$(cell A-ku 'h1>h2')" 0
expect_eq "A: h1 -> h3 reachable" "$(cell A-arp 'h1>h3')" 1
expect_eq "A: h2 -> switch address reachable" "$(cell A-arp 'h2>sw')" 1
expect_eq "A: v1 -> v2 blocked (isolated hairpin port)" "$(cell A-arp 'v1>v2')" 0
expect_eq "A: v1 -> h4 reachable" "$(cell A-arp 'v1>h4')" 1
expect_eq "A: broadcast ping from h1" "$(bcell A-bc h1)" "3 4 254"
expect_eq "A: UU from h1 not at h2" "$(cell A-uu 'h1>h2')" 0
expect_eq "A: UU from h1 at h3" "$(cell A-uu 'h1>h3')" 1

# Phase B, set at run time: h1 plain, h3 isolated, pv plain with hairpin.
flags "p1=off,off p3=on,off pv=off,on"
phase B
expect_eq "B: h2 -> h3 blocked" "$(cell B-arp 'h2>h3')" 0
expect_eq "B: h1 -> h2 reachable" "$(cell B-arp 'h1>h2')" 1
expect_eq "B: v1 -> v2 reachable through the hairpin" "$(cell B-arp 'v1>v2')" 1
expect_eq "B: UU from v1 comes back to its own port (hairpin)" "$(cell B-uu 'v1>hv')" 1

# Hairpin off: v1 and v2 can no longer talk on either switch.
flags "pv=off,off"
for K in L P; do nsx_all_flush $K; done
v1v2() { if nsx $1-v1 ping -n -c 1 -i 0.5 -w 2 10.9.0.6 >/dev/null 2>&1; then echo 1; else echo 0; fi >"$2"; }
both v1v2 hp
expect_eq "hairpin off: v1 -> v2 on the Linux bridge" "$(cat "$T_DIR/hp-L")" 0
expect_eq "hairpin off: v1 -> v2 on pvland" "$(cat "$T_DIR/hp-P")" 0

t_done
