#!/usr/bin/env bash
# Revision diffs of osh-content on large texts (30,000 lines; two edits, nothing
# shared, and a pair beyond the edit limit): p50 and max milliseconds per case.
# The tests check what these diffs say; only this script says how long they take.
# Usage: bench/text_diff_bench.sh [repeats=5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
BIN="$OSH_BUILD_DIR/bench/osh-text-diff-bench"
[[ -x "$BIN" ]] || osh_die "build first: deploy/build.sh"
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
"$BIN" "${1:-5}"
