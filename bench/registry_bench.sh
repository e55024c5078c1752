#!/usr/bin/env bash
# Registry throughput and latency over gRPC from a second process, and the
# service's resident memory idle and under load.
#
#   bench/registry_bench.sh [concurrency] [seconds per scenario]
#
# Starts its own osh-registry on free loopback ports with a fresh SQLite file
# (so results do not depend on earlier runs), then runs osh-loadgen: creates
# (each a durable SQLite transaction: WAL + synchronous=FULL), then gets by id.
# Events stay in the outbox (no broker): this measures the registry alone;
# bench/events_bench.sh and bench/pipeline_bench.sh measure the event path.
# Prints one JSON line per figure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

CONCURRENCY="${1:-16}"
SECONDS_PER_SCENARIO="${2:-10}"
REGISTRY="$OSH_BUILD_DIR/services/registry/osh-registry"
LOADGEN="$OSH_BUILD_DIR/bench/osh-loadgen"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"
[[ -x "$REGISTRY" && -x "$LOADGEN" ]] || osh_die "build first: deploy/build.sh"

WORK="$(mktemp -d)"
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"

"$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 --data-dir "$WORK/data" \
  --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/ready" --access-log false --kafka-brokers "" \
  --field-key-file "$WORK/field-keys" >"$WORK/registry.log" 2>&1 &
PID=$!
osh_wait_for 30 "registry" test -s "$WORK/ready"
PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/ready")"
TOKEN_FILE="$WORK/token"
"$DEVTOKEN" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 3600 > "$TOKEN_FILE"

RSS_BENCH=registry
source "$(dirname "${BASH_SOURCE[0]}")/service_rss.sh"

sleep 1
echo "{\"bench\": \"registry.rss_idle_kib\", \"value\": $(rss_kib)}"
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
with_peak_rss create "$LOADGEN" bench --target "127.0.0.1:$PORT" --token-file "$TOKEN_FILE" --mode create \
  --concurrency "$CONCURRENCY" --duration-ms "$((SECONDS_PER_SCENARIO * 1000))"
with_peak_rss get "$LOADGEN" bench --target "127.0.0.1:$PORT" --token-file "$TOKEN_FILE" --mode get \
  --concurrency "$CONCURRENCY" --duration-ms "$((SECONDS_PER_SCENARIO * 1000))" --pool 2000
sleep 1
echo "{\"bench\": \"registry.rss_after_load_kib\", \"value\": $(rss_kib)}"
