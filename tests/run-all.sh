#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (GoogleTest) and the
# integration tests in real network namespaces (need root). Exit status is ctest's.
# Run as root or with CI set, a test that cannot run (a missing tool, no privilege)
# fails instead of skipping, so a green run means every test ran; a non-root run outside
# CI skips the integration tests.
source "$(dirname "$0")/bootstrap.sh"
pvland_install_deps
pvland_build
cd "$PVLAND_BUILD"
ctest --output-on-failure -j2 --timeout 300 "$@"
