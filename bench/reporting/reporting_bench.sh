#!/usr/bin/env bash
# National-scale rollup build and query latency of osh-reporting, in process
# (no broker, no gRPC): see README.md beside this script.
#
#   bench/reporting/reporting_bench.sh [employers=300000] [extra osh-reporting-bench flags...]
#
# Prints one JSON line per figure (bench/README.md). About 18 minutes for
# 300,000 employers (1.2 M events) on 2 busy cores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/common.sh"

EMPLOYERS="${1:-300000}"
shift || true
BENCH="$OSH_BUILD_DIR/bench/reporting/osh-reporting-bench"
[[ -x "$BENCH" ]] || osh_die "build first: deploy/build.sh osh-reporting-bench"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
"$BENCH" --employers "$EMPLOYERS" --dir "$WORK/data" "$@"
