#!/usr/bin/env bash
# The national pipeline on one machine: a Kafka broker, osh-registry (province
# 44) and osh-reporting (national), all real processes on loopback.
#  1. reporting consumer catch-up: N registrations already in Kafka, then a
#     fresh reporting consumer; events/s until its rollup shows them all;
#  2. end-to-end lag from an acknowledged registry write to the rollup showing
#     it, at a steady write rate (p50/p99).
#
#   bench/pipeline_bench.sh [events=20000] [rate=50] [seconds=20]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench_services.sh"

N="${1:-20000}" RATE="${2:-50}" SECONDS_AT_RATE="${3:-20}"
PORT="${OSH_BENCH_KAFKA_PORT:-39092}"
B="$OSH_BUILD_DIR"
KAFKA_BROKERS="127.0.0.1:$PORT"
WORK="$(mktemp -d)"
cleanup() {
  for f in "$WORK"/*.pid; do [[ -e "$f" ]] && kill "$(cat "$f")" 2>/dev/null; done
  "$OSH_ROOT/deploy/kafka.sh" stop --dir "$WORK/kafka" >/dev/null 2>&1 || true
  [[ -n "${OSH_BENCH_KEEP:-}" ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too
"$OSH_ROOT/deploy/kafka.sh" start --fresh --dir "$WORK/kafka" --port "$PORT" >/dev/null
"$OSH_ROOT/deploy/kafka.sh" topics-create osh.registry.events 3 --dir "$WORK/kafka" >/dev/null
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
"$B/libs/auth/osh-devtoken" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 7200 > "$WORK/token"

REG="127.0.0.1:$(bench_start registry "$B/services/registry/osh-registry" --province 44 --field-key-file "$WORK/field-keys")"
"$B/bench/osh-loadgen" seed --target "$REG" --token-file "$WORK/token" --province 44 --employers "$N" \
  --declare-every 0 --concurrency 16 >/dev/null
until [[ "$(sqlite3 "file:$WORK/registry/registry.db?mode=ro" 'SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL')" == 0 ]]; do sleep 0.2; done

REP="127.0.0.1:$(bench_start reporting "$B/services/reporting/osh-reporting" --province 44 --deployment "bench-$$")"
"$B/bench/osh-pipeline-lag" --reporting "$REP" --token-file "$WORK/token" --province 44 --mode drain --expect "$N"
"$B/bench/osh-pipeline-lag" --registry "$REG" --reporting "$REP" --token-file "$WORK/token" --province 44 \
  --rate "$RATE" --seconds "$SECONDS_AT_RATE" --start-index "$((N + 1000))"
