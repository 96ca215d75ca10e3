# Who the control socket serves: root, and with `pvland --group NAME` the members of
# that group, judged by the peer's credentials (SO_PEERCRED, SO_PEERGROUPS) and not only
# by the socket file's mode.
# Asserts: without --group the socket is 0600 and a non-root user cannot connect; with
# the mode loosened by hand (0666) the user connects but is refused with a clear error
# (pvlanctl's message and exit status; a raw client gets an NLMSG_ERROR EACCES and the
# connection ends), the refusal is logged, and nothing the user asked is done; root is
# still served. With --group nogroup the socket is 0660 root:nogroup; a user whose
# primary or supplementary group it is, is served; one outside it is refused even on a
# 0666 socket. An unknown group stops pvland before it starts.
source "$PVLAND_TESTLIB"
WIRE="$(dirname "$0")/ctl_wire.py"
command -v setpriv >/dev/null || t_skip "setpriv (util-linux) is needed to run pvlanctl as another user"
getent group nogroup >/dev/null || t_skip "the group nogroup is needed"
GID=$(getent group nogroup | cut -d: -f3)

# The test directory must be reachable for the other users; the socket decides.
chmod 0755 "$T_DIR"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_outsider() { setpriv --reuid=65534 --regid=1 --clear-groups "$@"; }             # gid daemon
as_member() { setpriv --reuid=65534 --regid=1 --groups="$GID" "$@"; }               # supplementary
mode_of() { stat -c '%a %U:%G' "$1"; }

mkns sw
start_pvland sw
SOCK=$PVSOCK
expect_eq "socket mode without --group" "$(mode_of "$SOCK")" "600 root:root"
out=$(as_nobody "$PVLANCTL" -s "$SOCK" vlan add 77 2>&1); rc=$?
expect_eq "nobody cannot connect to a 0600 socket (exit 1)" "$rc" 1
expect_ok "... and pvlanctl says so ($out)" grep -q "Permission denied" <<<"$out"

echo "== the mode loosened: credentials still decide"
chmod 0666 "$SOCK"
out=$(as_nobody "$PVLANCTL" -s "$SOCK" vlan add 77 2>&1); rc=$?
expect_eq "nobody refused on a 0666 socket (exit 1)" "$rc" 1
expect_ok "pvlanctl prints pvland's reason ($out)" grep -q "permission denied: this pvland serves root only.*uid 65534 gid 65534" <<<"$out"
raw=$(as_nobody "$PVT_PY" "$WIRE" refused "$SOCK")
expect_eq "a raw client gets EACCES" "$(pvjson "j['error']" <<<"$raw")" -13
expect_eq "... and the connection ends" "$(pvjson "j['closed']" <<<"$raw")" True
expect_ok "the refusal is logged" grep -q "control: permission denied.*uid 65534" "$T_DIR/sw.log"
expect_eq "VLAN 77 was not added" "$(ctl -j vlan show | pvjson "[v for v in j if v['vlan'] == 77]")" "[]"
expect_ok "root is still served" ctl vlan add 78
expect_ok "pvland alive" kill -0 "$(pvland_pid sw)"

echo "== --group nogroup"
mkns gw
start_pvland gw --group nogroup
GSOCK=$PVSOCK
expect_eq "socket mode with --group" "$(mode_of "$GSOCK")" "660 root:nogroup"
expect_ok "primary group member served" as_nobody "$PVLANCTL" -s "$GSOCK" vlan add 10
expect_ok "supplementary group member served" as_member "$PVLANCTL" -s "$GSOCK" vlan add 11
expect_eq "both VLANs added" "$(ctl -j vlan show | pvjson "sorted(v['vlan'] for v in j if v['vlan'] in (10, 11))")" "[10, 11]"
out=$(as_outsider "$PVLANCTL" -s "$GSOCK" vlan add 12 2>&1); rc=$?
expect_eq "outsider cannot connect to the 0660 socket" "$rc" 1
chmod 0666 "$GSOCK"
out=$(as_outsider "$PVLANCTL" -s "$GSOCK" vlan add 12 2>&1); rc=$?
expect_eq "outsider refused on a 0666 socket" "$rc" 1
expect_ok "the reason names the group ($out)" grep -q "members of group nogroup (gid $GID)" <<<"$out"
expect_eq "VLAN 12 was not added" "$(ctl -j vlan show | pvjson "[v for v in j if v['vlan'] == 12]")" "[]"

out=$(nsx gw "$PVLAND" -s "$T_DIR/x.sock" --group no-such-group-pvt 2>&1); rc=$?
expect_eq "an unknown group: pvland exits 2" "$rc" 2
expect_ok "... naming it ($out)" grep -q "no group named 'no-such-group-pvt'" <<<"$out"
expect_fail "... before creating its socket" test -e "$T_DIR/x.sock"
t_done
