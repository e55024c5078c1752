#!/usr/bin/env bash
# Registry CreateEmployer and GetEmployer on SQLite and on PostgreSQL, same
# machine, same run, side by side: throughput and p99 over gRPC from a second
# process (osh-loadgen).
#
#   bench/registry_store_bench.sh [concurrency] [seconds per scenario] [postgres port]
#
# Starts its own PostgreSQL 15 (deploy/postgres.sh, a fresh directory, port
# 35432 unless given) and, one after the other, two osh-registry processes on
# free loopback ports: one on a fresh SQLite file (WAL, synchronous=FULL), one
# with --database-url on a fresh PostgreSQL database (fsync and
# synchronous_commit on). Events stay in the outbox (no broker): this measures
# the registry and its store alone. Prints one JSON line per figure, then a table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

CONCURRENCY="${1:-16}"
SECONDS_PER_SCENARIO="${2:-10}"
PG_PORT="${3:-35432}"
REGISTRY="$OSH_BUILD_DIR/services/registry/osh-registry"
LOADGEN="$OSH_BUILD_DIR/bench/osh-loadgen"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"
PSQL=/usr/lib/postgresql/15/bin/psql
[[ -x "$REGISTRY" && -x "$LOADGEN" && -x "$DEVTOKEN" ]] || osh_die "build first: deploy/build.sh"

WORK="$(mktemp -d)"
PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null
  "$OSH_ROOT/deploy/postgres.sh" stop --dir "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too
chmod 755 "$WORK"  # the PostgreSQL server runs as its own user below it
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
"$DEVTOKEN" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 3600 > "$WORK/token"

"$OSH_ROOT/deploy/postgres.sh" start --fresh --dir "$WORK/pg" --port "$PG_PORT"
"$PSQL" -q -h 127.0.0.1 -p "$PG_PORT" -U osh -d postgres -c "CREATE DATABASE registry_bench"

# run <store label> [registry flags...]: starts a registry, runs both scenarios, stops it.
run() {
  local label="$1"; shift
  rm -f "$WORK/ready"
  "$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 --data-dir "$WORK/data-$label" \
    --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/ready" --access-log false --kafka-brokers "" \
    --field-key-file "$WORK/field-keys" "$@" >"$WORK/registry-$label.log" 2>&1 &
  PID=$!
  osh_wait_for 60 "registry on $label" test -s "$WORK/ready" || { tail -n 20 "$WORK/registry-$label.log" >&2; exit 1; }
  local port
  port="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/ready")"
  for mode in create get; do
    extra=(); [[ "$mode" == get ]] && extra=(--pool 2000)
    "$LOADGEN" bench --target "127.0.0.1:$port" --token-file "$WORK/token" --mode "$mode" \
      --concurrency "$CONCURRENCY" --duration-ms "$((SECONDS_PER_SCENARIO * 1000))" "${extra[@]}" |
      python3 -c 'import json,sys
for line in sys.stdin:
    d = json.loads(line); d["store"] = sys.argv[1]; print(json.dumps(d, ensure_ascii=False))' "$label" |
      tee -a "$WORK/results.jsonl"
  done
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
run sqlite
run postgres --database-url "postgres://osh@127.0.0.1:$PG_PORT/registry_bench"

python3 - "$WORK/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {(r["store"], r["bench"]): r for r in rows}
print(f'{"scenario":<18}{"sqlite /s":>12}{"postgres /s":>13}{"sqlite p99 ms":>15}{"postgres p99 ms":>17}{"failed s/p":>12}')
for bench in ("registry.create", "registry.get"):
    s, p = by.get(("sqlite", bench), {}), by.get(("postgres", bench), {})
    print(f'{bench:<18}{s.get("rate_per_s", 0):>12}{p.get("rate_per_s", 0):>13}'
          f'{s.get("p99_ms", 0):>15}{p.get("p99_ms", 0):>17}{str(s.get("failed", 0)) + "/" + str(p.get("failed", 0)):>12}')
PY
