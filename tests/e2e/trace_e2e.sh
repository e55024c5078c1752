#!/usr/bin/env bash
# End to end: one request followed by its W3C trace id through every process it touches.
# A client calls osh-gateway over HTTP with a traceparent; the gateway passes the trace to
# osh-registry in gRPC metadata; the registry's outbox publishes the event to Kafka with a
# ce_traceparent header; osh-reporting consumes it. The trace id must be in the log lines of
# all three, each process with its own span; a request without traceparent starts a trace
# that the gateway returns and the registry logs.
# Usage: trace_e2e.sh <osh-gateway> <osh-registry> <osh-reporting> <osh-devtoken>
# The broker is the ctest fixture's (OSH_TEST_KAFKA_BOOTSTRAP).
set -uo pipefail
GATEWAY="$1" REGISTRY="$2" REPORTING="$3" DEVTOKEN="$4"
BROKERS="${OSH_TEST_KAFKA_BOOTSTRAP:?the kafka fixture sets OSH_TEST_KAFKA_BOOTSTRAP}"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  # Bounded: a process that does not stop within 10 s is killed.
  for _ in $(seq 1 50); do
    alive=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break; sleep 0.2
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [[ -n "${KEEP_WORK:-}" ]] && echo "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0 failed=0
check() {  # check <description> <command...>
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}
wait_until() {  # wait_until <seconds> <command...>: polls the command every 0.2 s
  local limit=$(( $1 * 5 )); shift
  for _ in $(seq 1 "$limit"); do "$@" && return 0; sleep 0.2; done
  "$@"
}
port_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# lines <log> <trace id> [msg]: the JSON lines of a log with that trace_id (and message)
lines() {
  python3 - "$@" <<'PY'
import json, sys
path, trace = sys.argv[1], sys.argv[2]
msg = sys.argv[3] if len(sys.argv) > 3 else None
for raw in open(path, encoding="utf-8", errors="replace"):
    if not raw.startswith("{"):
        continue
    line = json.loads(raw)
    if line.get("trace_id") == trace and (msg is None or line.get("msg") == msg):
        print(json.dumps(line))
PY
}
has_line() { [[ -n "$(lines "$@")" ]]; }
span_of() { lines "$@" | head -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["span_id"])'; }

head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
TOKEN="$("$DEVTOKEN" --secret-file "$WORK/secret" --sub trace-admin --role province_admin --province 44)"
common=(--admin-address 127.0.0.1:0 --province 44 --jwt-hs256-secret-file "$WORK/secret" --shutdown-grace-ms 100)

"$REGISTRY" "${common[@]}" --grpc-address 127.0.0.1:0 --data-dir "$WORK/registry" --field-key-file "$WORK/field-keys" \
  --kafka-brokers "$BROKERS" --consumer-group "trace-e2e-registry-$$" --ready-file "$WORK/registry.ready" \
  >"$WORK/registry.log" 2>&1 &
PIDS+=($!)
"$REPORTING" "${common[@]}" --province 00 --grpc-address 127.0.0.1:0 --data-dir "$WORK/reporting" \
  --kafka-brokers "$BROKERS" --consumer-group "trace-e2e-reporting-$$" --log-level debug \
  --ready-file "$WORK/reporting.ready" >"$WORK/reporting.log" 2>&1 &
PIDS+=($!)
for s in registry reporting; do
  wait_until 30 test -s "$WORK/$s.ready" || { echo "$s did not start"; cat "$WORK/$s.log"; exit 1; }
done
"$GATEWAY" "${common[@]}" --http-address 127.0.0.1:0 --redis-address "" --ready-file "$WORK/gateway.ready" \
  --upstreams "osh.registry.v1.RegistryService=127.0.0.1:$(port_of "$WORK/registry.ready" grpc_port)" \
  >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_until 30 test -s "$WORK/gateway.ready" || { echo "gateway did not start"; cat "$WORK/gateway.log"; exit 1; }
HTTP="http://127.0.0.1:$(port_of "$WORK/gateway.ready" http_port)"

# 1. The client's trace.
TRACE="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CLIENT_SPAN="$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
status="$(curl -s -o "$WORK/created.json" -D "$WORK/headers.txt" -w '%{http_code}' \
  -X POST "$HTTP/v1/employers?request_id=trace-e2e-1" \
  -H "authorization: Bearer $TOKEN" -H "traceparent: 00-$TRACE-$CLIENT_SPAN-01" -H 'content-type: application/json' \
  -d '{"credit_code": "91350100M000100Y43", "name": "追踪测试有限公司", "division_code": "440300",
       "industry_section": "C", "size_class": "SIZE_CLASS_SMALL", "total_workers": 20}')"
check "the gateway creates the employer ($status)" test "$status" = 200
[[ "$status" = 200 ]] || cat "$WORK/created.json"
check "the gateway answers with the request's trace in traceparent" grep -qi "^traceparent: 00-$TRACE-" "$WORK/headers.txt"
check "the gateway's access log line carries the trace id" has_line "$WORK/gateway.log" "$TRACE" http
check "the registry's access log line carries the trace id" wait_until 10 has_line "$WORK/registry.log" "$TRACE" "grpc call"
check "the registry's event carries the trace in its outbox row" \
  test -n "$(sqlite3 "file:$WORK/registry/registry.db?mode=ro" \
    "SELECT event_id FROM events_outbox WHERE traceparent LIKE '00-$TRACE-%'")"
check "the reporting consumer logs applying the event under the same trace id" \
  wait_until 60 has_line "$WORK/reporting.log" "$TRACE" "event applied"
gateway_span="$(span_of "$WORK/gateway.log" "$TRACE" http)"
registry_span="$(span_of "$WORK/registry.log" "$TRACE" "grpc call")"
reporting_span="$(span_of "$WORK/reporting.log" "$TRACE" "event applied")"
check "each process logs a span of its own ($gateway_span, $registry_span, $reporting_span)" \
  test "$(printf '%s\n' "$CLIENT_SPAN" "$gateway_span" "$registry_span" "$reporting_span" | sort -u | wc -l)" = 4
check "the registry's line names the request id the gateway gave the call" \
  test "$(lines "$WORK/registry.log" "$TRACE" "grpc call" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["request_id"])')" \
    = "$(lines "$WORK/gateway.log" "$TRACE" http | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["request_id"])')"

# 2. Without a traceparent the gateway starts the trace and hands it on.
curl -s -o /dev/null -D "$WORK/headers2.txt" "$HTTP/v1/employers?page_size=1" -H "authorization: Bearer $TOKEN"
NEW_TRACE="$(sed -n 's/^traceparent: 00-\([0-9a-f]\{32\}\)-.*/\1/Ip' "$WORK/headers2.txt" | tr -d '\r')"
check "a request without traceparent gets a new trace ($NEW_TRACE)" test -n "$NEW_TRACE" -a "$NEW_TRACE" != "$TRACE"
check "the registry logs the call under the trace the gateway started" \
  wait_until 10 has_line "$WORK/registry.log" "$NEW_TRACE" "grpc call"
# 3. A malformed traceparent is not passed on: a fresh trace replaces it.
curl -s -o /dev/null -D "$WORK/headers3.txt" "$HTTP/v1/employers?page_size=1" -H "authorization: Bearer $TOKEN" \
  -H "traceparent: 00-$TRACE-0000000000000000-01"
check "a malformed traceparent starts a new trace" bash -c "! grep -qi '^traceparent: 00-$TRACE-' '$WORK/headers3.txt'"

echo "trace e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
