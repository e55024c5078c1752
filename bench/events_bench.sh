#!/usr/bin/env bash
# Outbox → Kafka throughput beside kcat -P publishing the same number of
# same-sized messages with the same producer guarantees (idempotence, acks=all),
# in one run against one broker of its own. Prints JSON lines and the ratio.
#
#   bench/events_bench.sh [events=100000]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

N="${1:-100000}"
PORT="${OSH_BENCH_KAFKA_PORT:-39092}"
WORK="$(mktemp -d)"
trap '"$OSH_ROOT/deploy/kafka.sh" stop --dir "$WORK/kafka" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too
"$OSH_ROOT/deploy/kafka.sh" start --fresh --dir "$WORK/kafka" --port "$PORT" >/dev/null
BROKERS="127.0.0.1:$PORT"
"$OSH_ROOT/deploy/kafka.sh" topics-create osh.bench.outbox 3 --dir "$WORK/kafka" >/dev/null
"$OSH_ROOT/deploy/kafka.sh" topics-create osh.bench.kcat 3 --dir "$WORK/kafka" >/dev/null

outbox="$("$OSH_BUILD_DIR/bench/osh-outbox-bench" --brokers "$BROKERS" --events "$N" --db "$WORK/outbox.db" \
  --payload-out "$WORK/payloads.txt" --topic osh.bench.outbox)"
echo "$outbox"

start=$(date +%s.%N)
kcat -P -b "$BROKERS" -t osh.bench.kcat -X enable.idempotence=true -X acks=all -X linger.ms=5 \
  -H ce_specversion=1.0 -H ce_source=osh://44/registry -l "$WORK/payloads.txt"
end=$(date +%s.%N)
python3 - "$outbox" "$start" "$end" "$N" <<'PY'
import json, sys
outbox = json.loads(sys.argv[1]); start, end, n = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
kcat_rate = n / (end - start)
print(json.dumps({"bench": "events.kcat_produce", "events": n, "seconds": round(end - start, 3), "rate_per_s": round(kcat_rate)}))
print(json.dumps({"bench": "events.outbox_vs_kcat_ratio", "value": round(outbox["rate_per_s"] / kcat_rate, 3)}))
PY
