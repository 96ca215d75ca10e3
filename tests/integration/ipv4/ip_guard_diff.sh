#!/usr/bin/env bash
# Differential IPv4 source validation and martian checks (docs/kernel-semantics.md §2.3,
# §2.9, §2.10, §3.1): crafted IPv4 frames from h1 to the router (br0 / gw0), to be
# delivered locally or forwarded to the peer, under every rp_filter combination of `all`
# and the device, accept_local, route_localnet and log_martians. h1 has a second link
# (its eth1 to the router's eth3), so a source can be routed back over the VLAN (right
# path), over that link (wrong path) or nowhere. Which probes the kernel behind the L3
# device took in (nftables input / forward hooks, counted per probe by UDP port) must be
# the same on both sides, and so must the martian lines; pvland's drop counters on gw0
# must account for every probe it kept from the kernel.
source "$PVLAND_TESTLIB"
source "$(dirname "$0")/l3diff_lib.sh"
IP_PROBE="$(dirname "$0")/ip_probe.py"
l3_build
l3_kmsg_start

for s in r d; do
  veth "$s-sw" eth3 "$s-h1" eth1
  nsx "$s-sw" ip addr add 10.0.3.1/24 dev eth3
  nsx "$s-h1" ip addr add 10.0.3.10/24 dev eth1
  # Per-probe counters where the kernel's IP input starts (prerouting) and where a
  # packet arrives once routing accepted it (input, forward).
  nsx "$s-sw" nft -f - <<'NFT'
table inet probe {
  set at_pre { type inet_service; flags dynamic; counter; size 65535; }
  set at_in { type inet_service; flags dynamic; counter; size 65535; }
  set at_fwd { type inet_service; flags dynamic; counter; size 65535; }
  chain p { type filter hook prerouting priority -300; udp dport 40000-49999 add @at_pre { udp dport }; }
  chain i { type filter hook input priority 0; udp dport 40000-49999 add @at_in { udp dport }; }
  chain f { type filter hook forward priority 0; udp dport 40000-49999 add @at_fwd { udp dport }; }
}
NFT
done
# Addresses behind h1: 10.8.0.0/24 over the VLAN, 10.9.0.0/24 over the second link.
l3ip route add 10.8.0.0/24 via 10.0.1.10 dev L3
l3ip route add 10.9.0.0/24 via 10.0.3.10 dev eth3
l3_dut_wait_route 10.9.0.1 eth3 || fail "pvland did not sync 10.9.0.0/24"

L=10.0.1.1    # the L3 device's own address: local delivery
F=10.0.2.10   # the peer behind eth2: forwarded
RIGHT=10.8.0.1
WRONG=10.9.0.1
NOWHERE=192.168.9.9

IP_PORT=40000
IP_NAMES=() IP_SPECS=() IP_WANT=()
# probe NAME WANT SRC DST [OPTS]: queue a probe; WANT is the reference kernel's expected
# verdict: in (delivered locally), fwd (forwarded) or drop.
probe() {
  IP_PORT=$((IP_PORT + 1))
  IP_NAMES+=("$1")
  IP_WANT+=("$2")
  IP_SPECS+=("$3,$4,$IP_PORT${5:+,$5}")
}

# The guard's drops on gw0, summed.
dut_guard_drops() {
  ctl -j stats show gw0 | pvjson "sum(d['count'] for p in (j if isinstance(j, list) else [j]) for d in p.get('drops', []) if d['reason'] in ('rp_filter', 'martian_source', 'martian_destination'))"
}

# verdicts SIDE FIRSTPORT: one line per probe from FIRSTPORT on: "PORT pre in fwd".
verdicts() {
  local sets
  sets=$(for set in at_pre at_in at_fwd; do nsx "$1-sw" nft -j list set inet probe "$set"; echo; done)
  printf '%s\n' "$sets" | "$PVT_PY" -c '
import json, sys
first, last = int(sys.argv[1]), int(sys.argv[2])
counts = []
for line in sys.stdin:
    if not line.strip():
        continue
    c = {}
    for o in json.loads(line)["nftables"]:
        for e in o.get("set", {}).get("elem", []):
            c[e["elem"]["val"]] = e["elem"]["counter"]["packets"]
    counts.append(c)
for port in range(first, last + 1):
    print(port, *(c.get(port, 0) for c in counts))
' "$2" "$IP_PORT"
}

# run_probes TITLE: send the queued probes from h1 on both sides, then compare verdicts
# and the martian lines they caused.
run_probes() {
  local title=$1 first=$((IP_PORT - ${#IP_NAMES[@]} + 1))
  local kb db g0
  kb=$(l3_martians_ref | wc -l); db=$(l3_martians_dut | wc -l); g0=$(dut_guard_drops)
  nsx r-h1 "$PVT_PY" "$IP_PROBE" eth0 --eth-dst "$L3MAC" "${IP_SPECS[@]}" &
  local p1=$!
  nsx d-h1 "$PVT_PY" "$IP_PROBE" eth0 --eth-dst "$L3MAC" "${IP_SPECS[@]}" &
  local p2=$!
  wait "$p1" "$p2"
  sleep 0.4
  local rv dv i=0 kept=0
  mapfile -t rv < <(verdicts r "$first")
  mapfile -t dv < <(verdicts d "$first")
  for i in "${!IP_NAMES[@]}"; do
    local r=(${rv[$i]}) d=(${dv[$i]}) got dgot
    got=$([ "${r[2]}" = 1 ] && echo in || { [ "${r[3]}" = 1 ] && echo fwd || echo drop; })
    dgot=$([ "${d[2]}" = 1 ] && echo in || { [ "${d[3]}" = 1 ] && echo fwd || echo drop; })
    kept=$((kept + r[1] - d[1]))
    if [ "${r[1]}" != 1 ]; then
      fail "$title: ${IP_NAMES[$i]}: the reference kernel never saw the probe (${rv[$i]})"
    elif [ "$got" != "${IP_WANT[$i]}" ]; then
      fail "$title: ${IP_NAMES[$i]}: reference kernel: $got, expected ${IP_WANT[$i]}"
    elif [ "$dgot" != "$got" ]; then
      fail "$title: ${IP_NAMES[$i]}: kernel $got, pvland $dgot"
    else
      pass "$title: ${IP_NAMES[$i]}: $got on both"
    fi
  done
  local grew=$(( $(dut_guard_drops) - g0 ))
  if [ "$grew" = "$kept" ]; then pass "$title: pvland counted the $kept probe(s) it kept from gw0"
  else fail "$title: pvland kept $kept probe(s) from gw0 but its guard counters grew by $grew"; fi
  local kl dl
  kl=$(l3_martians_ref | tail -n +$((kb + 1)))
  dl=$(l3_martians_dut | tail -n +$((db + 1)))
  if [ "$kl" = "$dl" ]; then pass "$title: martian lines identical ($(printf '%s' "$kl" | grep -c martian))"
  else fail "$title: martian lines differ: kernel '$(printf '%s' "$kl" | tr '\n' '|')' pvland '$(printf '%s' "$dl" | tr '\n' '|')'"; fi
  IP_NAMES=() IP_SPECS=() IP_WANT=()
}

# paths WANT_RIGHT WANT_WRONG WANT_NOWHERE: the six path probes, to the router and through it.
paths() {
  probe "right path to router" "$1" "$RIGHT" "$L"
  probe "right path forwarded" "$( [ "$1" = in ] && echo fwd || echo drop)" "$RIGHT" "$F"
  probe "wrong path to router" "$2" "$WRONG" "$L"
  probe "wrong path forwarded" "$( [ "$2" = in ] && echo fwd || echo drop)" "$WRONG" "$F"
  probe "no route to router" "$3" "$NOWHERE" "$L"
  probe "no route forwarded" "$( [ "$3" = in ] && echo fwd || echo drop)" "$NOWHERE" "$F"
}

echo "== rp_filter: all 9 combinations of all and the device (max wins), log_martians on"
for all in 0 1 2; do
  for dev in 0 1 2; do
    l3set net.ipv4.conf.all.rp_filter=$all net.ipv4.conf.L3.rp_filter=$dev net.ipv4.conf.L3.log_martians=1
    r=$(( all > dev ? all : dev ))
    case $r in
      0) paths in in in ;;
      1) paths in drop drop ;;
      2) paths in in drop ;;
    esac
    run_probes "all=$all dev=$dev"
  done
done
l3_reset

echo "== a default route (via eth2): strict refuses, loose accepts the unroutable source"
l3ip route add default via 10.0.2.10
l3set net.ipv4.conf.L3.rp_filter=1 net.ipv4.conf.L3.log_martians=1
paths in drop drop
run_probes "strict, default route"
l3set net.ipv4.conf.L3.rp_filter=2
paths in in in
run_probes "loose, default route"

echo "== a blackhole route covers the source: loose fails even with a default route"
l3ip route add blackhole 10.0.8.128/25
for rp in 0 1 2; do
  l3set net.ipv4.conf.L3.rp_filter=$rp
  want=$([ $rp = 0 ] && echo in || echo drop)
  probe "rp=$rp source in a blackhole route" "$want" 10.0.8.200 "$L"
  probe "rp=$rp source in a blackhole route, forwarded" "$([ $rp = 0 ] && echo fwd || echo drop)" 10.0.8.200 "$F"
  run_probes "blackhole rp=$rp"
done
l3ip route del blackhole 10.0.8.128/25
l3ip route del default
l3_reset

echo "== accept_local: the router's own addresses as sources"
l3set net.ipv4.conf.L3.log_martians=1
for al in 0 1; do
  for rp in 0 1 2; do
    l3set net.ipv4.conf.L3.accept_local=$al net.ipv4.conf.L3.rp_filter=$rp
    # Our address on the ingress device passes with accept_local in every mode; another
    # device's address only where rp_filter does not ask for the ingress device.
    own=$([ $al = 1 ] && echo fwd || echo drop)
    other=$([ $al = 1 ] && [ $rp != 1 ] && echo fwd || echo drop)
    probe "accept_local=$al rp=$rp: source is gw0's own address" "$own" 10.0.1.1 "$F"
    probe "accept_local=$al rp=$rp: source is eth2's address" "$other" 10.0.2.1 "$F"
    probe "accept_local=$al rp=$rp: source is eth3's address, to the router" "$( [ "$other" = fwd ] && echo in || echo drop)" 10.0.3.1 "$L"
    run_probes "accept_local=$al rp=$rp"
  done
done
l3_reset

echo "== martian sources and destinations, log_martians on the device, via all, and off"
martians() {
  probe "source loopback" drop 127.0.0.5 "$L"
  probe "source 0.0.0.0" drop 0.0.0.0 "$L"
  probe "source multicast" drop 224.0.0.5 "$L"
  probe "source limited broadcast" drop 255.255.255.255 "$L"
  probe "source subnet broadcast, rp_filter 0 (fast path accepts)" in 10.0.1.255 "$L"
  probe "destination loopback" drop "$1" 127.0.0.1
  probe "destination 0.0.0.0" drop "$1" 0.0.0.0
}
l3set net.ipv4.conf.L3.log_martians=1
martians "$RIGHT"
run_probes "log_martians on gw0"
l3set net.ipv4.conf.L3.log_martians=0 net.ipv4.conf.all.log_martians=1
martians "$RIGHT"
run_probes "log_martians via all"
l3set net.ipv4.conf.all.log_martians=0
martians "$RIGHT"
run_probes "log_martians off"
l3set net.ipv4.conf.L3.log_martians=1 net.ipv4.conf.L3.rp_filter=2
probe "source subnet broadcast, rp_filter 2 (full check refuses)" drop 10.0.1.255 "$L"
run_probes "subnet broadcast source, loose"
l3set net.ipv4.conf.L3.rp_filter=0 net.ipv4.conf.L3.route_localnet=1
probe "route_localnet: source loopback" in 127.0.0.5 "$L"
probe "route_localnet: destination loopback (local on lo)" in "$RIGHT" 127.0.0.2
run_probes "route_localnet"
l3_reset

echo "== broadcast and multicast destinations with a wrong-path source, rp_filter 1"
l3set net.ipv4.conf.L3.rp_filter=1 net.ipv4.conf.L3.log_martians=1
probe "limited broadcast, right path" in "$RIGHT" 255.255.255.255
probe "limited broadcast, wrong path (martian source)" drop "$WRONG" 255.255.255.255
probe "directed broadcast, wrong path" drop "$WRONG" 10.0.1.255 eth=ff:ff:ff:ff:ff:ff
probe "all-hosts multicast, right path" in "$RIGHT" 224.0.0.1
probe "all-hosts multicast, wrong path (dropped silently)" drop "$WRONG" 224.0.0.1
probe "DHCP discover from 0.0.0.0" in 0.0.0.0 255.255.255.255
probe "unicast IP in an Ethernet broadcast, wrong path" drop "$WRONG" "$L" eth=ff:ff:ff:ff:ff:ff
run_probes "broadcast and multicast"
l3_reset

echo "== a user-added local route switches rp_filter 0 to the full check for good"
l3set net.ipv4.conf.L3.log_martians=1
l3ip route add local 10.0.77.7/32 dev eth2
probe "subnet broadcast source after a custom local route" drop 10.0.1.255 "$L"
probe "right path still accepted" in "$RIGHT" "$L"
run_probes "custom local route"

t_done
