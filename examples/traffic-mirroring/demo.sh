#!/usr/bin/env bash
# Installs what is missing, builds pvland, and runs the traffic mirroring lab (needs root).
source "$(dirname "$0")/../../tests/bootstrap.sh"
pvland_install_deps
pvland_build
PVLAND=$PVLAND_BUILD/daemon/pvland PVLANCTL=$PVLAND_BUILD/ctl/cli/pvlanctl exec bash "$PVLAND_SRC/examples/traffic-mirroring/lab.sh"
