# `cmake --install` and pvlanctl's bash completion.
# Asserts: an install into a temporary DESTDIR puts pvland and pvlanctl in bin/ and the
# completion in share/bash-completion/completions/pvlanctl; the installed binaries run;
# the completion offers exactly the objects and verbs `pvlanctl help` lists, port and
# VLAN names of the running daemon, `port set` keys and values, the private-VLAN words,
# and sysctl keys that the daemon accepts, one by one (and no neigh.default); and
# docs/cli.md lists the commands exactly as `pvlanctl help` does.
source "$PVLAND_TESTLIB"

DEST="$T_DIR/root"
PREFIX=/usr/local
expect_ok "cmake --install into DESTDIR" env DESTDIR="$DEST" cmake --install "$PVLAND_BUILD" --prefix "$PREFIX"
BIN="$DEST$PREFIX/bin"
COMPL="$DEST$PREFIX/share/bash-completion/completions/pvlanctl"
expect_ok "bin/pvland installed, executable" test -x "$BIN/pvland"
expect_ok "bin/pvlanctl installed, executable" test -x "$BIN/pvlanctl"
expect_ok "bash completion installed" test -f "$COMPL"
expect_ok "installed pvlanctl runs" "$BIN/pvlanctl" help
expect_ok "installed pvland runs" sh -c "'$BIN/pvland' -h 2>&1 | grep -q 'usage: pvland'"

# A daemon with a netdev port, an internal port and a VLAN, for the names the completion
# asks for at completion time.
mkns sw h1
veth sw p1 h1 eth0
PVLAND="$BIN/pvland" start_pvland sw
ctl port add p1 >/dev/null
ctl port add gw0 type internal vlan 100 >/dev/null
ctl vlan add 100 >/dev/null
ctl mirror add m1 source p1 target 192.0.2.9 >/dev/null

# complete WORD...: the sorted COMPREPLY for the command line WORD..., the last word being
# the one under the cursor (pass '' for "after a space").
complete_line() {
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _pvlanctl
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"
  ' complete_line "$COMPL" "$BIN/pvlanctl" "$@"
}
S=(-s "$PVSOCK")

expect_ok "pvlanctl is registered" bash -c "source '$COMPL'; complete -p pvlanctl | grep -q _pvlanctl"
expect_eq "objects" "$(complete_line '')" "bridge capture conntrack fdb help mirror monitor neigh port route save stats sysctl vlan why"
expect_eq "object prefix" "$(complete_line po)" "port"
expect_eq "options" "$(complete_line -)" "-b -force -j -p -s"
expect_eq "port verbs" "$(complete_line port '')" "add del help set show"
expect_eq "port names (after -s SOCK)" "$(complete_line "${S[@]}" port set '')" "gw0 p1"
expect_eq "port names after -j" "$(complete_line "${S[@]}" -j stats show '')" "gw0 p1"
expect_eq "port set keys" "$(complete_line "${S[@]}" port set p1 '')" \
  "allowed bcast_flood flood forged_transmits hairpin initial_mac isolated learning mac_aging mac_changes mac_learning mac_limit mac_limit_policy mcast_flood mode native promiscuous psf psf_liberal psf_max_entries role source_guard vlan"
expect_eq "port set forged_transmits" "$(complete_line "${S[@]}" port set p1 forged_transmits '')" "accept reject"
expect_eq "port set source_guard" "$(complete_line "${S[@]}" port set p1 source_guard '')" "loose off strict"
expect_eq "port set on/off" "$(complete_line "${S[@]}" port set p1 isolated '')" "off on"
expect_eq "port set mode" "$(complete_line "${S[@]}" port set p1 isolated on mode '')" "access trunk"
expect_eq "port add type" "$(complete_line port add t1 type '')" "internal netdev tap vxlan"
expect_eq "port add settings" "$(complete_line port add t1 type tap is)" "isolated"
expect_eq "port add vxlan keys" "$(complete_line port add t1 type vxlan vni 5 re)" "remote"
expect_eq "pvlan types" "$(complete_line vlan add 101 pvlan '')" "community isolated primary"
expect_eq "pvlan primary" "$(complete_line vlan add 101 pvlan isolated '')" "primary"
expect_eq "vlan ids (1 is always there)" "$(complete_line "${S[@]}" vlan del '')" "1 100"
expect_eq "fdb flush keys" "$(complete_line fdb flush '')" "dynamic port vlan"
expect_eq "fdb port names" "$(complete_line "${S[@]}" fdb show port '')" "gw0 p1"
expect_eq "neigh keys: internal ports only, no default" \
  "$(complete_line "${S[@]}" sysctl net.ipv4.neigh.)" \
  "net.ipv4.neigh.gw0.proxy_delay net.ipv4.neigh.gw0.proxy_qlen"
expect_eq "sysctl -w offers KEY=" "$(complete_line "${S[@]}" sysctl -w net.ipv4.conf.gw0.rp_f)" \
  "net.ipv4.conf.gw0.rp_filter="
expect_eq "sysctl options" "$(complete_line sysctl -)" "-n -w"
expect_eq "neigh show" "$(complete_line neigh show '')" "proxy"
expect_eq "monitor verbs" "$(complete_line monitor '')" "drops help show"
expect_eq "monitor drops ports" "$(complete_line "${S[@]}" monitor drops '')" "gw0 p1"
expect_eq "capture targets" "$(complete_line "${S[@]}" capture '')" "drops gw0 p1"
expect_eq "capture -w" "$(complete_line "${S[@]}" capture p1 '')" "-w"
expect_ok "capture -w offers - (standard output)" sh -c "printf '%s\\n' $(complete_line capture drops -w '') | grep -qx -- -"
expect_eq "why" "$(complete_line "${S[@]}" why '')" "-n gw0 p1"
expect_eq "mirror verbs" "$(complete_line mirror '')" "add del help rule show"
expect_eq "mirror add keys" "$(complete_line mirror add s1 '')" "direction dstport length number source target vni"
expect_eq "mirror add source" "$(complete_line "${S[@]}" mirror add s1 source '')" "gw0 p1"
expect_eq "mirror add direction" "$(complete_line mirror add s1 source p1 direction '')" "both egress ingress"
expect_eq "mirror session names" "$(complete_line "${S[@]}" mirror del '')" "m1"
expect_eq "mirror rule verbs" "$(complete_line mirror rule '')" "add del"
expect_eq "mirror rule add session" "$(complete_line "${S[@]}" mirror rule add '')" "m1"
expect_eq "mirror rule add keys" "$(complete_line mirror rule add m1 number 1 '')" \
  "accept direction dport dst number protocol reject sport src"
expect_eq "mirror rule add protocol" "$(complete_line mirror rule add m1 protocol '')" "all icmp icmpv6 tcp udp"
expect_eq "mirror rule del keys" "$(complete_line mirror rule del m1 '')" "number"
expect_eq "why after a port" "$(complete_line "${S[@]}" why p1 '')" "-n"
touch "$T_DIR/saved.conf"
expect_eq "save offers files" "$(complete_line save "$T_DIR/saved.c")" "$T_DIR/saved.conf"
expect_eq "save takes one file" "$(complete_line save "$T_DIR/saved.conf" '')" ""
expect_eq "bridge set keys" "$(complete_line bridge set '')" "ageing_time psf_max_total"
expect_eq "bridge set: the key not given yet" "$(complete_line bridge set ageing_time 60 '')" "psf_max_total"

# Every key the completion offers is one the daemon reads; and it offers all of them
# (33 conf keys for all, default and gw0, gw0's two neigh keys, and the two net.core
# keys of the martian log's budget).
mapfile -t keys < <(complete_line "${S[@]}" sysctl '' | tr ' ' '\n')
expect_eq "sysctl key count" "${#keys[@]}" $((33 * 3 + 2 + 2))
expect_ok "daemon reads every offered key" ctl sysctl "${keys[@]}"
expect_fail "daemon refuses neigh.default" ctl sysctl net.ipv4.neigh.default.proxy_delay

# The completion and `pvlanctl help` list the same objects and verbs.
help_pairs=$("$BIN/pvlanctl" help | awk '/^[a-z]/ && $1 != "usage:" && $1 != "commands:" {
  print $1, ($2 ~ /^[a-z]/ ? $2 : "-") }' | sort -u | tr '\n' ';')
compl_pairs=""
for o in $(complete_line ''); do
  [ "$o" = help ] && continue
  case $o in sysctl|capture|why|save) compl_pairs+="$o -;"; continue ;; esac  # no verbs
  for v in $(complete_line "$o" ''); do
    [ "$v" = help ] || compl_pairs+="$o $v;"
  done
done
compl_pairs=$(printf '%s' "$compl_pairs" | tr ';' '\n' | sort -u | tr '\n' ';')
expect_eq "objects and verbs agree with pvlanctl help" "$compl_pairs" "$help_pairs"

# docs/cli.md carries the command list exactly as `pvlanctl help` prints it.
SRC=$(cd "$(dirname "$PVLAND_TESTLIB")/../.." && pwd)
doc_block=$(awk '/as `pvlanctl help` prints them/ {f = 1; next}
                 f && /^```$/ {if (in_block) exit; in_block = 1; next}
                 in_block' "$SRC/docs/cli.md")
help_block=$("$BIN/pvlanctl" help | sed -n '/^commands:$/,$p' | tail -n +2)
expect_ok "docs/cli.md has the help's command list" test -n "$doc_block"
if [ "$doc_block" = "$help_block" ]; then
  pass "docs/cli.md and pvlanctl help list the same commands"
else
  fail "docs/cli.md and pvlanctl help differ:"
  diff <(printf '%s\n' "$doc_block") <(printf '%s\n' "$help_block")
fi

t_done
