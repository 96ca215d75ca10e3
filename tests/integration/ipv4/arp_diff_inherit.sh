#!/usr/bin/env bash
# conf/default inheritance (docs/kernel-semantics.md §2.13, row 57), differential: defaults
# written before the L3 device exists are inherited by br0 / gw0; once the device has an
# address, later default writes no longer reach it; a device without an address keeps
# following default. Read back with sysctl / pvlanctl sysctl and probed with ARP.
source "$PVLAND_TESTLIB"
source "$(dirname "$0")/l3diff_lib.sh"

# Runs in each router namespace before br0 / gw0 is created.
write_defaults() {
  if [ "$1" = r ]; then
    nsx r-sw sysctl -qw net.ipv4.conf.default.proxy_arp=1 net.ipv4.conf.default.rp_filter=1 net.ipv4.conf.default.log_martians=1
  else
    ctl sysctl -w net.ipv4.conf.default.proxy_arp=1 net.ipv4.conf.default.rp_filter=1 net.ipv4.conf.default.log_martians=1 >/dev/null
  fi
}
L3_NO_RESET=1 l3_build write_defaults
l3set net.ipv4.neigh.L3.proxy_delay=0   # neighbour parms are not part of this test
l3_kmsg_start
# readback KNOB: br0's value in the kernel and gw0's in pvland must agree (and be WANT).
readback() {
  local dev=$1 knob=$2 want=$3 r d
  r=$(nsx r-sw sysctl -n "net.ipv4.conf.${dev/L3/$L3_REF}.$knob")
  d=$(ctl sysctl -n "net.ipv4.conf.${dev/L3/gw0}.$knob" 2>/dev/null || ctl sysctl "net.ipv4.conf.${dev/L3/gw0}.$knob" | sed 's/.*= //')
  if [ "$r" = "$want" ] && [ "$d" = "$want" ]; then pass "$dev.$knob: kernel $r, pvland $d"
  else fail "$dev.$knob: kernel $r, pvland $d, want $want"; fi
}
readback L3 proxy_arp 1
readback L3 rp_filter 1
readback L3 log_martians 1
arpcase "inherited proxy_arp: proxied reply" 1 --sip 10.0.1.10 --tip 10.0.2.10
martiancase "inherited rp_filter=1 and log_martians: sip via eth2" 2 --sip 10.0.2.50 --tip 10.0.1.1

echo "== a device with an address no longer follows default"
l3set net.ipv4.conf.default.proxy_arp=0 net.ipv4.conf.default.arp_ignore=8
readback L3 proxy_arp 1
readback L3 arp_ignore 0
arpcase "later default.proxy_arp=0 does not reach br0/gw0" 1 --sip 10.0.1.10 --tip 10.0.2.10
arpcase "later default.arp_ignore=8 does not reach br0/gw0" 1 --sip 10.0.1.10 --tip 10.0.1.1

echo "== a device without an address follows default until written"
nsx r-sw ip link add br1 type bridge stp_state 0
ctl port add gw1 type internal vlan 20 >/dev/null
sleep 0.3
r1() { nsx r-sw sysctl -n "net.ipv4.conf.br1.$1"; }
d1() { ctl sysctl -n "net.ipv4.conf.gw1.$1" 2>/dev/null || ctl sysctl "net.ipv4.conf.gw1.$1" | sed 's/.*= //'; }
expect_eq "new device copies default.arp_ignore (kernel/pvland)" "$(r1 arp_ignore)/$(d1 arp_ignore)" 8/8
expect_eq "new device copies default.rp_filter (kernel/pvland)" "$(r1 rp_filter)/$(d1 rp_filter)" 1/1
# rp_filter was written in default before br1/gw1 existed: the device copied the key's
# "set" bit with its value, so later default writes pass it by (the kernel's rule).
l3set net.ipv4.conf.default.rp_filter=2
expect_eq "a key default had written before creation does not follow" "$(r1 rp_filter)/$(d1 rp_filter)" 1/1
l3set net.ipv4.conf.default.arp_filter=1
expect_eq "an address-less device follows default.arp_filter=1" "$(r1 arp_filter)/$(d1 arp_filter)" 1/1
nsx r-sw sysctl -qw net.ipv4.conf.br1.arp_filter=0; ctl sysctl -w net.ipv4.conf.gw1.arp_filter=0 >/dev/null
l3set net.ipv4.conf.default.arp_filter=0
l3set net.ipv4.conf.default.arp_filter=1
expect_eq "a key written on the device stops following default" "$(r1 arp_filter)/$(d1 arp_filter)" 0/0
l3set net.ipv4.conf.default.accept_local=1
expect_eq "another key still follows" "$(r1 accept_local)/$(d1 accept_local)" 1/1
t_done
