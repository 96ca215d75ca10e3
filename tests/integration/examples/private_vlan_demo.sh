# The README's demo: `sudo bash examples/private-vlan/demo.sh`, run as written (it builds
# into $PVLAND_BUILD, already up to date here), and its output checked.
# Asserts: the layer-2 reachability matrix is RFC 5517's (isolated hosts reach only the
# router and the promiscuous server; the community reaches itself); with
# proxy_arp_pvlan every host reaches every other; iso1 resolves iso2 to the router's MAC;
# both HTTP fetches get the whole file with the right sha256; the lab leaves no
# namespace, socket or daemon behind.
source "$PVLAND_TESTLIB"
SRC=$(cd "$(dirname "$0")/../../.." && pwd)

OUT="$T_DIR/demo.out"
# demo.sh execs lab.sh, so the lab's $$ (its namespace and socket prefix) is this pid.
(cd "$SRC" && exec bash examples/private-vlan/demo.sh) >"$OUT" 2>&1 &
DEMO=$!
wait "$DEMO"
expect_eq "demo.sh exits 0" "$?" 0
sed 's/^/  | /' "$OUT"

# matrix N: the Nth reachability matrix's rows, as "from: cells".
matrix() {
  awk -v want="$1" '/^from \\ to/ { n++; rows = 1; next } /^$/ { rows = 0 }
    rows && n == want && /^[a-z0-9]+ \(/ { printf "%s:", $1; for (i = 3; i <= NF; i++) printf " %s", $i; print "" }' "$OUT"
}
expect_eq "layer-2 matrix (RFC 5517 private VLAN)" "$(matrix 1)" "gw0: - yes yes yes yes yes
srv: yes - yes yes yes yes
iso1: yes yes - no no no
iso2: yes yes no - no no
com1: yes yes no no - yes
com2: yes yes no no yes -"
expect_eq "with proxy_arp_pvlan: every host reaches every other" "$(matrix 2)" "gw0: - yes yes yes yes yes
srv: yes - yes yes yes yes
iso1: yes yes - yes yes yes
iso2: yes yes yes - yes yes
com1: yes yes yes yes - yes
com2: yes yes yes yes yes -"
neigh_mac=$(sed -n 's/^10\.30\.0\.12 dev eth0 lladdr \([0-9a-f:]*\).*/\1/p' "$OUT")
router_mac=$(sed -n 's/^router gw0 is \([0-9a-f:]*\)$/\1/p' "$OUT")
expect_ok "iso1's neighbour entry for iso2 is the router's MAC ($neigh_mac)" test -n "$neigh_mac" -a "$neigh_mac" = "$router_mac"
sum=$(sed -n "s/.*(the file's sha256 starts \([0-9a-f]*\))/\1/p" "$OUT")
for h in iso1 com2; do
  expect_ok "$h fetched all 8388608 bytes with sha256 $sum" grep -q "^  $h: http://10.30.0.100:8000/blob  8388608 bytes in .* s, sha256 $sum\$" "$OUT"
done
expect_ok "the demo prints pvland's counters" grep -q "gw0" "$OUT"
expect_eq "no lab namespace left behind" "$(ip netns list | grep -c "^pvdemo$DEMO-")" 0
expect_fail "no lab socket left behind" test -e "/tmp/pvdemo$DEMO.sock"
expect_eq "no lab daemon left behind" "$(pgrep -fc "pvland -s /tmp/pvdemo$DEMO.sock" || true)" 0
t_done
