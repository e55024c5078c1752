#!/usr/bin/env bash
# Notifications on one machine through a real single-node Kafka broker:
# deliveries per second to the in-app inbox and to a local webhook receiver,
# and end-to-end time from an event to its delivery at a steady rate (p50/p99).
#   bench/notify_bench.sh [events=5000] [rate=100] [seconds=10]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
BIN="$OSH_BUILD_DIR/bench/osh-notify-bench"
[[ -x "$BIN" ]] || osh_die "build first: deploy/build.sh"
PORT="${OSH_BENCH_KAFKA_PORT:-39093}"
WORK="$(mktemp -d)"
cleanup() {
  "$OSH_ROOT/deploy/kafka.sh" stop --dir "$WORK/kafka" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
"$OSH_ROOT/deploy/kafka.sh" start --fresh --dir "$WORK/kafka" --port "$PORT" >/dev/null
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
"$BIN" "$WORK" "127.0.0.1:$PORT" "${1:-5000}" "${2:-100}" "${3:-10}"
