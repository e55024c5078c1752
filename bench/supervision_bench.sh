#!/usr/bin/env bash
# Supervision queries over a province of synthetic employers (default 100,000):
# overdue rectification items and risk classes, timed through the business
# layer the gRPC service calls, and the SQLite store's size on disk.
# Usage: bench/supervision_bench.sh [employers=100000]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
BIN="$OSH_BUILD_DIR/bench/osh-supervision-bench"
[[ -x "$BIN" ]] || osh_die "build first: deploy/build.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
"$BIN" "$WORK" "${1:-100000}"
