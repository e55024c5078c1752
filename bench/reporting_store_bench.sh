#!/usr/bin/env bash
# Reporting's catch-up rate on SQLite and on PostgreSQL, same machine, same
# run, same events: N registrations already in Kafka, then a fresh
# osh-reporting consumer (its own consumer group) on each store in turn; events/s
# until its rollup shows them all (osh-pipeline-lag --mode drain, as in
# pipeline_bench.sh).
#
#   bench/reporting_store_bench.sh [events=20000] [kafka port] [postgres port]
#
# Real processes on loopback: a Kafka broker (deploy/kafka.sh, port 39192 unless
# given), a PostgreSQL 15 server (deploy/postgres.sh, a fresh directory, port
# 35532 unless given; fsync and synchronous_commit on), osh-registry (province
# 44, SQLite) seeding the registrations, then osh-reporting on a fresh SQLite
# file (WAL, synchronous=FULL) and osh-reporting with --database-url on a fresh
# PostgreSQL database. Prints one JSON line per figure, then a table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench_services.sh"

N="${1:-20000}"
KAFKA_PORT="${2:-39192}"
PG_PORT="${3:-35532}"
B="$OSH_BUILD_DIR"
KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
PSQL=/usr/lib/postgresql/15/bin/psql
for bin in services/registry/osh-registry services/reporting/osh-reporting bench/osh-loadgen bench/osh-pipeline-lag \
  libs/auth/osh-devtoken; do
  [[ -x "$B/$bin" ]] || osh_die "build first: deploy/build.sh (missing $bin)"
done

WORK="$(mktemp -d)"
cleanup() {
  for f in "$WORK"/*.pid; do [[ -e "$f" ]] && kill "$(cat "$f")" 2>/dev/null; done
  "$OSH_ROOT/deploy/kafka.sh" stop --dir "$WORK/kafka" >/dev/null 2>&1 || true
  "$OSH_ROOT/deploy/postgres.sh" stop --dir "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too
chmod 755 "$WORK"  # the PostgreSQL server runs as its own user below it
"$OSH_ROOT/deploy/kafka.sh" start --fresh --dir "$WORK/kafka" --port "$KAFKA_PORT" >/dev/null
"$OSH_ROOT/deploy/kafka.sh" topics-create osh.registry.events 3 --dir "$WORK/kafka" >/dev/null
"$OSH_ROOT/deploy/postgres.sh" start --fresh --dir "$WORK/pg" --port "$PG_PORT" >/dev/null
"$PSQL" -q -h 127.0.0.1 -p "$PG_PORT" -U osh -d postgres -c "CREATE DATABASE reporting_bench"
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
"$B/libs/auth/osh-devtoken" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 7200 > "$WORK/token"

echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
REG="127.0.0.1:$(bench_start registry "$B/services/registry/osh-registry" --province 44 --field-key-file "$WORK/field-keys")"
"$B/bench/osh-loadgen" seed --target "$REG" --token-file "$WORK/token" --province 44 --employers "$N" \
  --declare-every 0 --concurrency 16 >/dev/null
until [[ "$(sqlite3 "file:$WORK/registry/registry.db?mode=ro" 'SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL')" == 0 ]]; do
  sleep 0.2
done
bench_stop registry

# drain <store label> [reporting flags...]: a fresh consumer group reads all N.
drain() {
  local label="$1"; shift
  local rep
  rep="127.0.0.1:$(bench_start "reporting-$label" "$B/services/reporting/osh-reporting" --province 44 \
    --deployment "bench-$label-$$" "$@")"
  "$B/bench/osh-pipeline-lag" --reporting "$rep" --token-file "$WORK/token" --province 44 --mode drain --expect "$N" |
    python3 -c 'import json,sys
for line in sys.stdin:
    d = json.loads(line); d["store"] = sys.argv[1]; print(json.dumps(d))' "$label" | tee -a "$WORK/results.jsonl"
  bench_stop "reporting-$label"
}
drain sqlite
drain postgres --database-url "postgres://osh@127.0.0.1:$PG_PORT/reporting_bench"

python3 - "$WORK/results.jsonl" "$N" <<'PY'
import json, sys
by = {r["store"]: r for r in map(json.loads, open(sys.argv[1]))}
print(f'{"catch-up of " + sys.argv[2] + " registrations":<34}{"events":>8}{"seconds":>10}{"events/s":>10}')
for store in ("sqlite", "postgres"):
    r = by.get(store, {})
    print(f'{"reporting on " + store:<34}{r.get("events", 0):>8}{r.get("seconds", 0):>10.1f}{r.get("rate_per_s", 0):>10}')
PY
