#!/usr/bin/env bash
# Training service throughput and latency of the learners' hot paths over gRPC
# from a second process, and the service's resident memory.
#
#   bench/training_bench.sh [concurrency] [seconds per scenario]
#
# Starts its own osh-training on free loopback ports with a fresh SQLite file
# and fresh keys (so results do not depend on earlier runs), then runs
# osh-loadgen: Enroll (a durable transaction with the holder name sealed by
# AES-256-GCM, audit line and idempotency check) by 1000 synthetic learners
# across 40 courses, then SubmitQuizAttempt (server-side grading of a
# three-question quiz, the attempt recorded). Events stay in the outbox (no
# broker). Prints one JSON line per figure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

CONCURRENCY="${1:-16}"
SECONDS_PER_SCENARIO="${2:-10}"
TRAINING="$OSH_BUILD_DIR/services/training/osh-training"
LOADGEN="$OSH_BUILD_DIR/bench/osh-loadgen"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"
[[ -x "$TRAINING" && -x "$LOADGEN" && -x "$DEVTOKEN" ]] || osh_die "build first: deploy/build.sh"

WORK="$(mktemp -d)"
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
head -c 48 /dev/urandom | base64 -w0 > "$WORK/certificate-key"
printf 'bench %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"

"$TRAINING" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 --data-dir "$WORK/data" \
  --jwt-hs256-secret-file "$WORK/secret" --certificate-key-file "$WORK/certificate-key" \
  --field-key-file "$WORK/field-keys" --ready-file "$WORK/ready" --access-log false --kafka-brokers "" \
  >"$WORK/training.log" 2>&1 &
PID=$!
osh_wait_for 30 "training" test -s "$WORK/ready"
PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/ready")"
TOKEN_FILE="$WORK/token"
"$DEVTOKEN" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 3600 > "$TOKEN_FILE"

RSS_BENCH=training
source "$(dirname "${BASH_SOURCE[0]}")/service_rss.sh"

sleep 1
echo "{\"bench\": \"training.rss_idle_kib\", \"value\": $(rss_kib)}"
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
for mode in enroll submit-quiz; do
  with_peak_rss "$mode" "$LOADGEN" bench --service training --mode "$mode" --target "127.0.0.1:$PORT" \
    --token-file "$TOKEN_FILE" --secret-file "$WORK/secret" --province 44 \
    --concurrency "$CONCURRENCY" --duration-ms "$((SECONDS_PER_SCENARIO * 1000))"
done
sleep 1
echo "{\"bench\": \"training.rss_after_load_kib\", \"value\": $(rss_kib)}"
