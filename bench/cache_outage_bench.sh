#!/usr/bin/env bash
# What a gateway call to Redis costs while Redis is down and the circuit breaker
# is open: p50/p99/max microseconds of calls that fail without touching the
# network (libs/cache/tests/redis_outage_test.cc checks that they do not; this
# script says how fast that is).
# Usage: bench/cache_outage_bench.sh [calls=100000]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
BIN="$OSH_BUILD_DIR/bench/osh-redis-fail-fast-bench"
[[ -x "$BIN" ]] || osh_die "build first: deploy/build.sh"
# A port bound by nobody: connections are refused, so the breaker opens at once.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
"$BIN" "127.0.0.1:$PORT" "${1:-100000}"
