#!/usr/bin/env bash
# pvland's FIB against the kernel's: a few thousand random routes (prefix lengths 8-32,
# metrics, blackhole/unreachable/prohibit/throw, tables main, default (253) and an
# unconsulted 100) in pvland's namespace, then `pvlanctl route get` (batched, -b) and
# `ip route get` for ~2000 addresses must agree on dev, gateway and type. No multipath
# routes (the leg is hash-chosen) and no policy rules (only the default three).
source "$PVLAND_TESTLIB"
source "$PVT_LIB_DIR/route_compare.sh"
# Routes and addresses are drawn from SEED: a new one each run unless given, always printed,
# so a failure is replayed with SEED=N ctest -R l3_route_get_diff.
SEED=${SEED:-$RANDOM}
echo "seed $SEED (rerun with SEED=$SEED to replay)"
mkns sw
for i in 1 2 3 4; do
  nsx sw ip link add "v$i" type veth peer name "v${i}p"
  nsx sw ip link set "v$i" up; nsx sw ip link set "v${i}p" up
  nsx sw ip addr add "10.255.$i.1/24" dev "v$i"
done
start_pvland sw
GEN="$T_DIR/gen.py"
cat >"$GEN" <<'PY'
import ipaddress, json, random, sys
mode, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)
def rand_net():
    plen = rnd.choice([8] + [12] * 2 + [16] * 6 + [20] * 6 + [22] * 6 + [24] * 12 + [26] * 3 + [28] * 3 + [30] * 2 + [32] * 4)
    first = rnd.choice([10, 10, 10, 172, 192, rnd.randrange(1, 224)])
    addr = (first << 24) | rnd.getrandbits(24)
    return ipaddress.ip_network((addr & ~((1 << (32 - plen)) - 1), plen))
if mode == "routes":
    nets, lines = [], []
    for _ in range(3000):
        n = rand_net()
        if n.overlaps(ipaddress.ip_network("10.255.0.0/16")) or n.overlaps(ipaddress.ip_network("127.0.0.0/8")):
            continue
        nets.append(str(n))
        kind = rnd.random()
        metric = rnd.choice([0, 0, 10, 20, 100, 1024])
        table = rnd.choices(["main", "default", "100"], [85, 10, 5])[0]
        if kind < 0.07:
            spec = "blackhole %s" % n
        elif kind < 0.12:
            spec = "unreachable %s" % n
        elif kind < 0.16:
            spec = "prohibit %s" % n
        elif kind < 0.18:
            spec = "throw %s" % n
        elif kind < 0.40:
            spec = "%s dev v%d" % (n, rnd.randint(1, 4))
        else:
            i = rnd.randint(1, 4)
            spec = "%s via 10.255.%d.%d dev v%d" % (n, i, rnd.randint(2, 254), i)
        lines.append("route add %s metric %d table %s" % (spec, metric, table))
    open(out, "w").write("\n".join(lines) + "\n")
    json.dump(nets, open(out + ".nets", "w"))
elif mode == "addrs":
    nets = json.load(open(out + ".nets"))
    addrs = []
    for i in range(2000):
        if i % 2:
            n = ipaddress.ip_network(rnd.choice(nets))
            addrs.append(str(n.network_address + rnd.randrange(n.num_addresses)))
        else:
            addrs.append(str(ipaddress.ip_address(rnd.getrandbits(32) % (224 << 24) or 1)))
    addrs += ["10.255.%d.%d" % (i, h) for i in range(1, 5) for h in (0, 1, 77, 255)]
    open(out + ".addrs", "w").write("\n".join(addrs) + "\n")
PY
"$PVT_PY" "$GEN" routes "$SEED" "$T_DIR/routes"
"$PVT_PY" "$GEN" addrs "$SEED" "$T_DIR/routes"
nsx sw ip -force -batch "$T_DIR/routes" 2>"$T_DIR/batch.err"
echo "routes installed: $(nsx sw ip route show table all | wc -l) ($(wc -l <"$T_DIR/batch.err") rejected duplicates)"
# pvland applies route notifications as they come; a second is ample for 3000.
sleep 1

compare_route_get "$T_DIR/routes.addrs" 1900
if [ $? = 0 ]; then pass "route get: pvland agrees with the kernel on every address"; else fail "route get disagrees (replay: SEED=$SEED ctest -R l3_route_get_diff)"; fi
t_done
