# compare_route_get ADDRS: asks the kernel (`ip route get`, batched) and pvland
# (`pvlanctl route get`, batched with -b) about every address in file ADDRS (one per
# line) in namespace sw, and compares type, dev and gateway. Prints the mismatches (at
# most 15) and a summary; fails on any mismatch or when fewer than MIN (default 95%) of
# the addresses got an answer from the kernel. Used by the FIB tests (route_get_diff.sh,
# ../netlink/route_churn.sh).
compare_route_get() {
  local addrs=$1 min=${2:-$(($(wc -l <"$1") * 95 / 100))} d=$T_DIR/rg.$RANDOM
  mkdir -p "$d"
  # Kernel: `ip -j -force -batch` of `route get` lines; a failed line prints no JSON and
  # "RTNETLINK answers: ERR" + "Command failed FILE:LINE" on stderr. Errors map to the
  # route type that caused them (fib_lookup's error codes, docs/kernel-semantics.md §2.12.4).
  sed 's/^/route get /' "$addrs" >"$d/ip.batch"
  nsx sw ip -j -force -batch "$d/ip.batch" >"$d/kernel.out" 2>"$d/kernel.err"
  "$PVT_PY" - "$addrs" "$d/kernel.out" "$d/kernel.err" >"$d/kernel.txt" <<'PY'
import json, re, sys
addrs = open(sys.argv[1]).read().split()
errs, last = {}, None
for line in open(sys.argv[3]):
    m = re.match(r"RTNETLINK answers: (.*)", line)
    if m:
        last = m.group(1).strip()
    m = re.match(r"Command failed .*:(\d+)", line)
    if m:
        errs[int(m.group(1))] = last or "?"
outs = [l for l in open(sys.argv[2]).read().splitlines() if l.strip()]
it = iter(outs)
for i, a in enumerate(addrs, 1):
    print("%s\t%s" % (a, errs[i] if i in errs else next(it)))
PY
  cp "$d/ip.batch" "$d/ctl.batch"
  ctl -force -j -b "$d/ctl.batch" >"$d/pvland.txt" 2>"$d/pvland.err"

  "$PVT_PY" - "$d/kernel.txt" "$d/pvland.txt" "$d/pvland.err" "$min" <<'PY'
import json, re, sys
err_type = {"Invalid argument": "blackhole", "No route to host": "unreachable",
            "Permission denied": "prohibit", "Network is unreachable": "none"}
def norm(d):
    # unicast, local and broadcast answers: (type, dev, gateway); the kernel's output
    # lookup reports local addresses on lo.
    t = d.get("type", d.get("route_type", "unicast"))
    dev = d.get("dev")
    if t == "local":
        dev = "lo"
    gw = d.get("gateway")
    return (t, dev, gw)
kern = {}
for line in open(sys.argv[1]):
    a, out = line.rstrip("\n").split("\t", 1)
    if out.startswith("["):
        kern[a] = norm(json.loads(out)[0])
    else:
        m = [t for e, t in err_type.items() if e in out]
        kern[a] = (m[0] if m else "error:" + out, None, None)
pv = {}
for line in open(sys.argv[2]):
    line = line.strip()
    if not line:
        continue
    for d in json.loads(line):
        pv[d["addr"]] = norm(d)
for line in open(sys.argv[3]):
    m = re.search(r"RTNETLINK answers: (.*) \(([\d.]+)\)", line)
    if m:
        pv[m.group(2)] = (err_type.get(m.group(1), "error:" + m.group(1)), None, None)
bad = [(a, kern[a], pv.get(a)) for a in kern if kern[a] != pv.get(a)]
types = {}
for v in kern.values():
    types[v[0]] = types.get(v[0], 0) + 1
print("addresses %d, kernel answers by type %s" % (len(kern), dict(sorted(types.items()))))
for b in bad[:15]:
    print("MISMATCH %s kernel %s pvland %s" % b)
print("%d mismatches" % len(bad))
sys.exit(1 if bad or len(kern) < int(sys.argv[4]) else 0)
PY
}
