# Sourced by bench.sh and callgrind.sh: the scripts' shared set-up. The caller sets
# PFX (namespace prefix) and NAME (for messages) first; this gives WORK, PIDS, die, a
# cleanup trap that removes every namespace named PFX-* and every process started, the
# Release build in BUILD, and the generator compiled to PKTGEN.
HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
WORK=$(mktemp -d /tmp/$PFX.XXXXXX)
PIDS=()

die() { echo "$NAME: $*" >&2; exit 1; }

bench_cleanup() {
  local p ns
  # A process stopped with SIGSTOP (callgrind.sh) must be continued to die cleanly.
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX-"); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -CONT "$p" 2>/dev/null; kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# bench_require TOOL...: root and every tool present.
bench_require() {
  [ "$(id -u)" = 0 ] || die "needs root"
  local t
  for t in "$@"; do command -v "$t" >/dev/null || die "missing $t (apt-get install it)"; done
}

# bench_build: the Release binaries in BUILD (built when missing) and the generator.
bench_build() {
  PVLAND=$BUILD/daemon/pvland
  PVLANCTL=$BUILD/ctl/cli/pvlanctl
  if [ ! -x "$PVLAND" ] || [ ! -x "$PVLANCTL" ]; then
    echo "$NAME: building pvland (Release) in $BUILD" >&2
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
      cmake --build "$BUILD" --target pvland pvlanctl -j"$(nproc)" >/dev/null || die "build failed"
  fi
  PKTGEN=$WORK/pktgen
  gcc -O2 -Wall -o "$PKTGEN" "$HERE/pktgen.c" || die "cannot compile pktgen.c"
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# new_ns NAME: a namespace with lo up and IPv6 off (no RS/MLD noise in the counts).
new_ns() {
  ip netns add "$1" || die "cannot create namespace $1"
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
}
