# Sourced by the demo and the test runner: installs what is missing (Debian 12, root) and
# builds pvland into $PVLAND_BUILD (default: build/ at the top of the tree).
set -eu
PVLAND_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PVLAND_BUILD=${PVLAND_BUILD:-$PVLAND_SRC/build}

pvland_packages=(
  g++ cmake make pkg-config
  libabsl-dev libnl-3-dev libnl-route-3-dev libmnl-dev libnftnl-dev libpcap-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
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

pvland_build() {
  cmake -S "$PVLAND_SRC" -B "$PVLAND_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$PVLAND_BUILD" -j"$(nproc)"
}
