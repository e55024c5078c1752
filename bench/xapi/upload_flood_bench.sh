#!/usr/bin/env bash
# Resident memory of osh-training while its xAPI port takes a flood of large
# uploads: N parallel anonymous (no credentials) uploads of 16 MiB that send
# their whole body without waiting for 100-continue, as an attacker would,
# then the same number from a signed-in Basic client. Prints one JSON line
# per figure: RSS idle, peak RSS during each flood, and the status codes the
# uploads got.
#
#   bench/xapi/upload_flood_bench.sh [osh-training binary] [parallel uploads=24]
#
# Give the binary of another checkout (e.g. /work/main/build/...) to compare
# before and after a change; only flags every version knows are passed, so
# the LRS runs with its defaults for limits.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/common.sh"

TRAINING="${1:-$OSH_BUILD_DIR/services/training/osh-training}"
PARALLEL="${2:-24}"
[[ -x "$TRAINING" ]] || osh_die "no osh-training at $TRAINING: build first (deploy/build.sh)"

WORK="$(mktemp -d)"
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
head -c 48 /dev/urandom | base64 -w0 >"$WORK/secret"
head -c 48 /dev/urandom | base64 -w0 >"$WORK/certificate-key"
printf 'bench %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" >"$WORK/field-keys"
CLIENT_SECRET="$(head -c 18 /dev/urandom | base64 -w0 | tr '+/' '-_')"
printf 'bench-lms %s 44\n' "$(printf '%s' "$CLIENT_SECRET" | sha256sum | cut -d' ' -f1)" >"$WORK/credentials"

"$TRAINING" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --xapi-address 127.0.0.1:0 --province 44 \
  --data-dir "$WORK/data" --jwt-hs256-secret-file "$WORK/secret" --certificate-key-file "$WORK/certificate-key" \
  --field-key-file "$WORK/field-keys" --xapi-credentials-file "$WORK/credentials" --ready-file "$WORK/ready" \
  --access-log false --kafka-brokers "" >"$WORK/training.log" 2>&1 &
PID=$!
osh_wait_for 30 "training" test -s "$WORK/ready"
XAPI_PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["xapi_port"])' "$WORK/ready")"

# 16 MiB of JSON: an empty batch padded with spaces, so a signed-in upload
# costs its buffering and a parse, and stores nothing (200, []).
python3 -c 'import sys; sys.stdout.write("[" + " " * (16 * 1024 * 1024 - 2) + "]")' >"$WORK/body"

RSS_BENCH="xapi.upload_flood"
source "$(dirname "${BASH_SOURCE[0]}")/../service_rss.sh"

# flood <label> [curl args...]: PARALLEL uploads at once; their status codes
# go to $WORK/<label>.codes.
flood() {
  local label="$1"; shift
  local i
  for ((i = 0; i < PARALLEL; i++)); do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'Expect:' -H 'X-Experience-API-Version: 1.0.3' \
      -H 'Content-Type: application/json' --data-binary @"$WORK/body" "$@" \
      "http://127.0.0.1:$XAPI_PORT/xapi/statements" >>"$WORK/$label.codes" || echo "000" >>"$WORK/$label.codes" &
  done
  wait
}
codes() {  # codes <label>: {"401": 24, ...}
  sort "$WORK/$1.codes" | uniq -c | awk 'BEGIN {printf "{"} {printf "%s\"%s\": %s", (NR > 1 ? ", " : ""), $2, $1} END {printf "}"}'
}

echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\", \"binary\": \"$TRAINING\"}"
echo "{\"bench\": \"$RSS_BENCH.rss_idle_kib\", \"value\": $(rss_kib)}"
with_peak_rss "anonymous_${PARALLEL}x16MiB" flood anonymous
echo "{\"bench\": \"$RSS_BENCH.status_codes\", \"scenario\": \"anonymous_${PARALLEL}x16MiB\", \"value\": $(codes anonymous)}"
echo "{\"bench\": \"$RSS_BENCH.rss_after_kib\", \"scenario\": \"anonymous\", \"value\": $(rss_kib)}"
with_peak_rss "signed_in_${PARALLEL}x16MiB" flood signed_in -u "bench-lms:$CLIENT_SECRET"
echo "{\"bench\": \"$RSS_BENCH.status_codes\", \"scenario\": \"signed_in_${PARALLEL}x16MiB\", \"value\": $(codes signed_in)}"
echo "{\"bench\": \"$RSS_BENCH.rss_after_kib\", \"scenario\": \"signed_in\", \"value\": $(rss_kib)}"
