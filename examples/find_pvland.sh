# Sourced by the example labs: sets PVLAND and PVLANCTL from the environment, else the
# build tree's (build/ at the top of the repository), else the installed ones; exits
# with a hint when there are none. Needs HERE, the sourcing lab's directory.
BUILT=$HERE/../../build
[ -x "$BUILT/daemon/pvland" ] && [ -x "$BUILT/ctl/cli/pvlanctl" ] || BUILT=
PVLAND=${PVLAND:-${BUILT:+$BUILT/daemon/pvland}}
PVLANCTL=${PVLANCTL:-${BUILT:+$BUILT/ctl/cli/pvlanctl}}
: "${PVLAND:=$(command -v pvland)}" "${PVLANCTL:=$(command -v pvlanctl)}"
[ -x "$PVLAND" ] && [ -x "$PVLANCTL" ] ||
  { echo "pvland not found: build it (cmake) or install it (cmake --install build), or set PVLAND and PVLANCTL" >&2; exit 1; }
