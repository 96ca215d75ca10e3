#!/usr/bin/env bash
# The port security lab: three guests, each behind a TAP port of pvland moved into the
# guest's namespace as a hypervisor gives a VM its vNIC, and the four VMware-style
# settings of the port (docs/port-security.md) set one by one: a Docker macvlan
# container inside vm2 (forged transmits, MAC learning), vm2 changing its MAC as an NLB
# node does (MAC address changes), tcpdump in vm3 (promiscuous mode). Each step prints
# the ping verdict, what pvland dropped and why, and the port's fields; at the end the
# dropped frames themselves, from a pcapng read with tshark. See README.md beside this
# file.
#
#   sudo bash lab.sh                        # pvland from the build tree or $PATH
#   sudo PVLAND=... PVLANCTL=... bash lab.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }

# pvland and pvlanctl: $PVLAND and $PVLANCTL, else build/'s, else the installed ones.
source "$HERE/../find_pvland.sh"

# Everything this run creates is named after its pid: namespaces $P-*, files /tmp/$P.*.
P=pvps$$
SOCK=/tmp/$P.sock LOG=/tmp/$P.log DROPS=/tmp/$P.drops.pcapng SNIFF=/tmp/$P.sniff
CTR_IP=10.0.0.22 CTR_MAC=02:00:00:00:99:02   # the container's macvlan in vm2
NLB_MAC=02:bf:0a:00:00:02                      # Microsoft NLB's unicast MAC for 10.0.0.2
declare -A IP=([vm1]=10.0.0.1 [vm2]=10.0.0.2 [vm3]=10.0.0.3)
declare -A MAC=([vm1]=02:00:00:00:00:01 [vm2]=02:00:00:00:00:02 [vm3]=02:00:00:00:00:03)
declare -A PORT=([vm1]=t1 [vm2]=t2 [vm3]=t3)

stop() {  # PID...: end our own background processes and reap them
  local pid
  for pid in "$@"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  return 0
}
cleanup() {
  stop "${CAPTURE:-}" "${TCPDUMP:-}" "${PVPID:-}"
  local n
  for n in $(ip netns list | awk -v p="$P-" 'index($1, p) == 1 { print $1 }'); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$n"
  done
  rm -f "$SOCK" "$LOG" "$DROPS" "$SNIFF".*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

at() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }   # at NS CMD...
ctl() { "$PVLANCTL" -s "$SOCK" "$@"; }

# ---- what each step prints -----------------------------------------------------------
# step TITLE: a step's heading; the lab stops here if pvland is gone.
step() {
  kill -0 "$PVPID" 2>/dev/null || { echo "pvland exited:"; cat "$LOG"; exit 1; }
  echo "== $1"
}

# drops PORT: "reason count" per drop reason counted on PORT so far.
drops() {
  ctl -j stats show "$1" | /usr/bin/python3 -c 'import json, sys
for p in json.load(sys.stdin):
    for d in p.get("drops", []):
        print(d["reason"], d["count"])' 2>/dev/null
}
# new_drops PORT BEFORE: what was dropped on PORT since BEFORE (an output of drops).
new_drops() {
  local now
  now=$(drops "$1")
  awk 'NR == FNR { was[$1] = $2; next } $2 > was[$1] { printf "%s%s %d", sep, $1, $2 - was[$1]; sep = ", " }' \
    <(printf '%s\n' "$2") <(printf '%s\n' "$now")
}
# fields PORT KEY...: "KEY VALUE" for the keys of pvlanctl port show PORT.
fields() {
  local port=$1; shift
  ctl -j port show "$port" | /usr/bin/python3 -c 'import json, sys
p = json.load(sys.stdin)[0]
show = lambda v: ("on" if v else "off") if isinstance(v, bool) else v
print("  ".join("%s %s" % (k, show(p.get(k))) for k in sys.argv[1:]))' "$@" 2>/dev/null
}
# ping_step FROM ADDR WHAT PORT: three echoes from FROM (its ARP cache flushed first, so
# that the address is resolved through the switch as it is now), and what PORT dropped.
ping_step() {
  local from=$1 addr=$2 what=$3 port=$4 before got new
  before=$(drops "$port")
  ip -n "$P-$from" neigh flush all
  got=$(at "$from" ping -n -q -c 3 -i 0.2 -W 1 "$addr" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p')
  new=$(new_drops "$port" "$before")
  if [ "${got:-0}" -gt 0 ]; then printf '  ping %s (%s) from %s: %s of 3 replies' "$addr" "$what" "$from" "$got"
  else printf '  ping %s (%s) from %s: no reply' "$addr" "$what" "$from"; fi
  if [ -n "$new" ]; then echo " — dropped on $port: $new"; else echo " — nothing dropped on $port"; fi
}
# stats PORT: the drop lines of pvlanctl stats show PORT.
stats() {
  echo "  pvlanctl stats show $1:"
  ctl stats show "$1" | grep '^    drop ' || echo "    (no drop)"
}
# why PORT: the last drop on PORT, explained.
why() {
  echo "  pvlanctl why $1 -n 1:"
  ctl why "$1" -n 1 | sed 's/^/    /'
}
# wait_field PORT KEY VALUE: until port show PORT has KEY VALUE (pvland reads the
# guest's NIC when a link changes in any namespace; at worst within a second).
wait_field() {
  for _ in $(seq 30); do [ "$(fields "$1" "$2")" = "$2 $3" ] && return 0; sleep 0.1; done
  echo "  (pvland still shows $(fields "$1" "$2") on $1)"
}
# new_log PORT: pvland's log lines about PORT since the last call, without time stamps.
LOGSEEN=0
new_log() {
  local all
  all=$(wc -l <"$LOG")
  echo "  pvland's log:"
  tail -n +$((LOGSEEN + 1)) "$LOG" | head -n $((all - LOGSEEN)) |
    sed -n "s/^pvland\[[0-9.]*\] [a-z]*: \(port $1: .*\)/    \1/p"
  LOGSEEN=$all
}
# sniff_step: tcpdump in vm3 while vm1 pings vm2; how many of their ICMP packets vm3 saw.
sniff_step() {
  local seen
  ip -n "$P-vm1" neigh flush all
  at vm1 ping -n -q -c 1 -W 1 "${IP[vm2]}" >/dev/null   # the switch learns both MACs first
  rm -f "$SNIFF".*
  ip netns exec "$P-vm3" tcpdump -U --immediate-mode -n -i t3 -w "$SNIFF.pcap" icmp 2>"$SNIFF.err" &
  TCPDUMP=$!
  for _ in $(seq 50); do grep -q "listening on" "$SNIFF.err" 2>/dev/null && break; sleep 0.1; done
  wait_field t3 guest_promisc on
  echo "  t3: $(fields t3 promiscuous guest_promisc promisc_copies)"
  at vm1 ping -n -q -c 3 -i 0.2 -W 1 "${IP[vm2]}" >/dev/null
  sleep 0.2
  stop "$TCPDUMP"; TCPDUMP=
  wait_field t3 guest_promisc off
  seen=$(tcpdump -r "$SNIFF.pcap" -n 2>/dev/null | grep -c ICMP)
  echo "  tcpdump -i t3 in vm3 while vm1 pings vm2 (3 echoes): saw $seen of their 6 ICMP packets"
  tcpdump -r "$SNIFF.pcap" -n 2>/dev/null | head -2 | sed 's/^/    /'
}

# ---- the switch and three guests ------------------------------------------------------
# IPv6 off everywhere: the counters and captures then hold the lab's own frames only
# (ARP and ICMP), not the router solicitations and MLD reports every new link sends.
for n in sw vm1 vm2 vm3 ctr; do
  ip netns add "$P-$n"
  at $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$P-$n" link set lo up
done
# ip netns exec execs pvland, so $! is pvland itself (a shell function would fork).
ip netns exec "$P-sw" "$PVLAND" -s "$SOCK" -c "$HERE/lab.conf" 2>"$LOG" &
PVPID=$!
for _ in $(seq 50); do ctl port show >/dev/null 2>&1 && break; sleep 0.1; done
ctl port show >/dev/null 2>&1 || { echo "pvland did not start:"; cat "$LOG"; exit 1; }

# Each VM's vNIC: a TAP port of lab.conf, given the MAC of the VM's configuration
# (initial_mac), moved into the VM's namespace, where the guest sets that MAC.
for vm in vm1 vm2 vm3; do
  t=${PORT[$vm]}
  [ "$(fields "$t" initial_mac)" = "initial_mac ${MAC[$vm]}" ] || { echo "lab.conf does not give $t ${MAC[$vm]}"; exit 1; }
  ip -n "$P-sw" link set "$t" netns "$P-$vm"
  ip -n "$P-$vm" link set "$t" address "${MAC[$vm]}"
  ip -n "$P-$vm" addr add "${IP[$vm]}/24" dev "$t"
  ip -n "$P-$vm" link set "$t" up
done

# ---- the lab -----------------------------------------------------------------------
echo "== port security lab: three VMs on TAP ports of pvland (namespace $P-sw)"
for vm in vm1 vm2 vm3; do
  echo "   $vm: ${PORT[$vm]} ${IP[$vm]} ${MAC[$vm]}"
done
echo
new_log "t[123]" >/dev/null   # the ports' set-up (each guest setting its MAC)

# Everything pvland drops from now on, with its reason, for step 5.
"$PVLANCTL" -s "$SOCK" capture drops -w "$DROPS" 2>/dev/null &
CAPTURE=$!

step "1. defaults (a Linux bridge); vm2 starts a container ctr with Docker's macvlan driver"
# The container's NIC: a macvlan child of vm2's NIC, in the container's namespace, with
# a MAC of its own. The child makes t2 promiscuous in vm2 (a TAP has no unicast filter).
ip -n "$P-vm2" link add mv0 link t2 type macvlan mode bridge
ip -n "$P-vm2" link set mv0 netns "$P-ctr"
ip -n "$P-ctr" link set mv0 address $CTR_MAC
ip -n "$P-ctr" addr add $CTR_IP/24 dev mv0
ip -n "$P-ctr" link set mv0 up
wait_field t2 guest_promisc on
echo "  ctr: mv0 $CTR_IP $CTR_MAC (macvlan on vm2's t2)"
echo "  t2: $(fields t2 mac_changes forged_transmits promiscuous mac_learning guest_promisc)"
ping_step vm1 $CTR_IP "ctr, macvlan in vm2" t2
stats t2
new_log t2
echo

step "2a. forged_transmits reject on t2: the container's frames carry its own MAC"
ctl port set t2 forged_transmits reject
ping_step vm1 $CTR_IP "ctr, macvlan in vm2" t2
stats t2
why t2
echo

step "2b. mac_learning on t2, forged_transmits still reject: a learning port"
ctl port set t2 mac_learning on
ping_step vm1 $CTR_IP "ctr, macvlan in vm2" t2
echo "  t2: $(fields t2 forged_transmits mac_learning macs_learned)"
ctl port set t2 mac_learning off forged_transmits accept
echo

step "3a. mac_changes reject on t2; vm2 changes its MAC to $NLB_MAC"
ctl port set t2 mac_changes reject
ip -n "$P-vm2" link set t2 address $NLB_MAC
wait_field t2 rx_blocked on
echo "  t2: $(fields t2 initial_mac guest_mac effective_mac rx_blocked)"
ping_step vm1 "${IP[vm2]}" vm2 t2
stats t2
why t2
new_log t2
echo

step "3b. vm2 changes its MAC back to ${MAC[vm2]}"
ip -n "$P-vm2" link set t2 address "${MAC[vm2]}"
wait_field t2 rx_blocked off
echo "  t2: $(fields t2 guest_mac effective_mac rx_blocked)"
ping_step vm1 "${IP[vm2]}" vm2 t2
new_log t2
echo

step "3c. mac_changes accept on t2; vm2 changes its MAC to $NLB_MAC again"
ctl port set t2 mac_changes accept
ip -n "$P-vm2" link set t2 address $NLB_MAC
wait_field t2 effective_mac $NLB_MAC
echo "  t2: $(fields t2 guest_mac effective_mac rx_blocked)"
ping_step vm1 "${IP[vm2]}" vm2 t2
echo "  vm1's neighbour entry: $(ip -n "$P-vm1" neigh show "${IP[vm2]}" | awk '{ print $1, $4, $5 }')"
new_log t2
ip -n "$P-vm2" link set t2 address "${MAC[vm2]}"   # back to its own MAC for step 4
wait_field t2 effective_mac "${MAC[vm2]}"
new_log t2 >/dev/null
echo

step "4a. promiscuous reject on t3 (the default); tcpdump in vm3"
sniff_step
new_log t3
echo

step "4b. promiscuous accept on t3"
ctl port set t3 promiscuous accept
sniff_step
new_log t3
echo

step "5. the dropped frames (pvlanctl capture drops -w FILE; tshark -r FILE)"
stop "$CAPTURE"; CAPTURE=
echo "  port  frame.comment (the reason)                  frame"
tshark -r "$DROPS" -T fields -E separator='|' -e frame.interface_name -e frame.comment -e _ws.col.Info 2>/dev/null |
  awk -F'|' '{ printf "  %-5s %-43s %s\n", $1, $2, $3 }'
echo
echo "== pvland's counters (pvlanctl stats show)"
ctl stats show
