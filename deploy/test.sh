#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every test
# (unit, service over real sockets, end-to-end against real binaries) with ctest.
# Extra arguments go to ctest (e.g. -L unit, -R Registry).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$OSH_ROOT/deploy/install-deps.sh"
"$OSH_ROOT/deploy/build.sh"
cd "$OSH_BUILD_DIR"
ctest --output-on-failure -j "${OSH_TEST_JOBS:-2}" --timeout 600 "$@"
