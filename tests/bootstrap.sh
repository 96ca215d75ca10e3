# Sourced by the demo and the test runner: installs what is missing (Debian 12, root) and
# builds pvland into $PVLAND_BUILD (default: build/ at the top of the tree).
set -eu
PVLAND_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PVLAND_BUILD=${PVLAND_BUILD:-$PVLAND_SRC/build}

pvland_packages=(
  g++ cmake make ninja-build pkg-config
  libabsl-dev libnl-3-dev libnl-route-3-dev libmnl-dev libnftnl-dev libpcap-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev llvm-14
  iproute2 iputils-ping iputils-arping python3-scapy tcpdump tshark iperf3 procps ethtool valgrind strace gcc nftables
  systemd util-linux
)

pvland_install_deps() {
  local missing=() p
  for p in "${pvland_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { echo "run as root to install: ${missing[*]}" >&2; return 1; }
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Ninja schedules the two trees' compiles better than make and keeps a log of each step's
# time (.ninja_log). ccache only when asked for (PVLAND_CCACHE=1): a fresh tree misses
# every file, and on a miss ccache's own work is a fifth of a compile that precompiled
# headers have made short.
pvland_generator=(-G Ninja)
pvland_launcher=()
if [ "${PVLAND_CCACHE:-0}" = 1 ] && command -v ccache >/dev/null; then
  pvland_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# A tree configured before (the sanitizer tree of run-all.sh, a Debug tree) keeps its
# build type and options: the demos call this with $PVLAND_BUILD set to whichever tree
# the test suite runs from.
pvland_build() {
  local type=()
  # -g1 (function names and line tables, enough for backtraces, perf and callgrind) instead
  # of -g: the same code, and a third less compile time than full debug information.
  [ -f "$PVLAND_BUILD/CMakeCache.txt" ] ||
    type=("${pvland_generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
  cmake -S "$PVLAND_SRC" -B "$PVLAND_BUILD" "${type[@]}" "${pvland_launcher[@]}" >/dev/null
  cmake --build "$PVLAND_BUILD" -j"$(nproc)"
}

# The sanitizer tree (docs/testing.md): clang, ASan+UBSan at -O1 with line tables, and
# libFuzzer's instrumentation, so the same objects serve the test suite and the fuzzers.
pvland_configure_checked() {
  local gen=()
  [ -f "$1/CMakeCache.txt" ] || gen=("${pvland_generator[@]}")
  cmake -S "$PVLAND_SRC" -B "$1" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DPVLAND_FUZZ=ON "${pvland_launcher[@]}" >/dev/null
}
