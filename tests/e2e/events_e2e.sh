#!/usr/bin/env bash
# End to end, the event backbone with real processes: osh-registry publishing
# through its outbox to a real Kafka broker of its own (so this test may stop
# and SIGKILL things), read back with kcat.
#  1. kcat sees an event with its CloudEvents headers;
#  2. the registry SIGKILLed while its relay publishes a burst loses nothing;
#  3. the broker stopped and restarted while the registry writes loses nothing.
# "Loses nothing" = every outbox row's ce_id is in the topic, and nothing stays pending.
# Usage: events_e2e.sh <osh-registry> <osh-devtoken> <osh-loadgen> <kafka.sh>
set -uo pipefail
REGISTRY="$1" DEVTOKEN="$2" LOADGEN="$3" KAFKA="$4"
PORT="${OSH_E2E_KAFKA_PORT:-29092}"
BROKERS="127.0.0.1:$PORT"
TOPIC=osh.registry.events

WORK="$(mktemp -d)"
PID=""
cleanup() {
  [[ -n "$PID" ]] && kill -KILL "$PID" 2>/dev/null
  "$KAFKA" stop --dir "$WORK/kafka" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too

passed=0 failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}

"$KAFKA" start --fresh --dir "$WORK/kafka" --port "$PORT" >/dev/null || { echo "broker did not start"; exit 1; }
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
DB="$WORK/data/registry.db"

start_registry() {
  rm -f "$WORK/ready"
  "$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 46 --data-dir "$WORK/data" \
    --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/ready" --kafka-brokers "$BROKERS" \
    --field-key-file "$WORK/field-keys" --access-log false >>"$WORK/registry.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do [[ -s "$WORK/ready" ]] && break; sleep 0.1; done
  [[ -s "$WORK/ready" ]] || { echo "registry did not start"; tail "$WORK/registry.log"; exit 1; }
  GRPC="127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/ready")"
  ADMIN="127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_port"])' "$WORK/ready")"
}
pending() { sqlite3 "file:$DB?mode=ro" "SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL AND parked_at IS NULL"; }
parked() { sqlite3 "file:$DB?mode=ro" "SELECT COUNT(*) FROM events_outbox WHERE parked_at IS NOT NULL"; }
rows() { sqlite3 "file:$DB?mode=ro" "SELECT COUNT(*) FROM events_outbox"; }
# Polls (every 0.1 s, for at most $1 s) until the rest of the line, a command, succeeds.
wait_until() {
  local limit="$1"; shift
  for _ in $(seq 1 $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
outbox_ids() { sqlite3 "file:$DB?mode=ro" "SELECT event_id FROM events_outbox" | sort -u; }
topic_ids() {  # distinct ce_id of province 46's registry events in the topic
  kcat -C -b "$BROKERS" -t "$TOPIC" -o beginning -e -q -f '%h\n' 2>/dev/null |
    grep 'ce_source=osh://46/registry' | tr ',' '\n' | sed -n 's/^ce_id=//p' | sort -u
}
wait_drained() {
  for _ in $(seq 1 600); do [[ "$(pending)" == 0 ]] && return 0; sleep 0.1; done
  return 1
}
no_loss() { comm -23 <(outbox_ids) <(topic_ids) > "$WORK/missing"; [[ ! -s "$WORK/missing" ]]; }

start_registry
"$DEVTOKEN" --secret-file "$WORK/secret" --sub e2e --role province_admin --province 46 > "$WORK/token"

# 1. One employer, then its event as kcat shows it.
"$LOADGEN" seed --target "$GRPC" --token-file "$WORK/token" --province 46 --employers 1 --declare-every 0 >/dev/null
check "the relay drains the outbox" wait_drained
headers="$(kcat -C -b "$BROKERS" -t "$TOPIC" -o beginning -e -q -f '%h\n' 2>/dev/null | head -1)"
for h in ce_specversion=1.0 ce_id= ce_source=osh://46/registry ce_type=osh.events.v1.EnterpriseRegistered ce_time= content-type=application/protobuf; do
  check "kcat sees header $h" grep -q -- "$h" <<<"$headers"
done
key="$(kcat -C -b "$BROKERS" -t "$TOPIC" -o beginning -e -q -f '%k\n' 2>/dev/null | head -1)"
check "the Kafka key is the credit code" test "${#key}" = 18

# 2. SIGKILL the registry in the middle of a burst, while its outbox holds
#    events Kafka has not confirmed; restart it; nothing is lost. The file
#    read after the kill is what the dead process left: rows still pending
#    there prove the kill hit events in flight. (The relay may have caught up
#    at the instant of the kill; then the burst is repeated, at most 3 times.)
pending_after_kill=0
for attempt in 1 2 3; do
  rows_before="$(rows)"
  "$LOADGEN" seed --target "$GRPC" --token-file "$WORK/token" --province 46 --employers 1500 --declare-every 3 \
    --concurrency 16 >/dev/null 2>&1 &
  LOAD=$!
  # The burst is under way: a few hundred events committed, some not yet confirmed.
  wait_until 60 bash -c "[[ \$(sqlite3 'file:$DB?mode=ro' 'SELECT COUNT(*) FROM events_outbox') -ge $((rows_before + 300)) ]]"
  wait_until 60 bash -c "[[ \$(sqlite3 'file:$DB?mode=ro' 'SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL') -gt 0 ]]"
  kill -KILL "$PID"; wait "$PID" 2>/dev/null
  wait "$LOAD" 2>/dev/null  # its in-flight calls fail; what committed is in the outbox
  pending_after_kill="$(pending)"
  start_registry
  [[ "$pending_after_kill" -gt 0 ]] && break
  wait_drained
done
check "the registry was SIGKILLed with $pending_after_kill events pending in its outbox (attempt $attempt)" \
  test "$pending_after_kill" -gt 0
check "the restarted relay drains what the killed one left" wait_drained
check "every committed event after SIGKILL is in Kafka" no_loss

# 3. Stop the broker while writes go on, start it again, nothing is lost.
"$LOADGEN" seed --target "$GRPC" --token-file "$WORK/token" --province 46 --employers 3000 --declare-every 3 \
  --concurrency 8 >/dev/null 2>&1 &
LOAD=$!
rows_before="$(rows)"
wait_until 60 bash -c "[[ \$(sqlite3 'file:$DB?mode=ro' 'SELECT COUNT(*) FROM events_outbox') -ge $((rows_before + 100)) ]]"
"$KAFKA" stop --dir "$WORK/kafka" >/dev/null
# With the broker down, a burst of creates is acknowledged in full (loadgen
# exits 0 only when no call failed) and its events wait in the outbox.
rows_at_stop="$(rows)"
accepted_while_down=0
"$LOADGEN" bench --target "$GRPC" --token-file "$WORK/token" --province 46 --mode create --concurrency 4 \
  --duration-ms 2000 >/dev/null 2>&1 && accepted_while_down=1
written_while_down=$(( $(rows) - rows_at_stop ))
while_down="$(pending)"
"$KAFKA" start --dir "$WORK/kafka" --port "$PORT" >/dev/null
wait "$LOAD"
check "writes kept being accepted while the broker was down ($written_while_down events written, $while_down pending)" \
  test "$accepted_while_down" = 1 -a "$written_while_down" -gt 0 -a "$while_down" -ge "$written_while_down"
check "the relay drains the outbox after the broker is back" wait_drained
check "every committed event after the broker restart is in Kafka" no_loss
check "no event was parked" test "$(parked)" = 0
listing="$(curl -s "http://$ADMIN/outbox/parked")"
check "the admin port lists the parked rows (none)" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["parked"] == 0 and d["rows"] == [] else 1)' "$listing"
total="$(outbox_ids | wc -l)"
echo "events in the outbox: $total; distinct in Kafka: $(topic_ids | wc -l)"

# 4. With the broker gone, SIGTERM still stops the registry (its consumer
#    cannot leave its group, and must not hold the process hostage). The wait
#    is a bound against hanging, not a performance figure.
"$KAFKA" stop --dir "$WORK/kafka" >/dev/null
kill -TERM "$PID"
check "SIGTERM stops the registry while the broker is down" wait_until 60 bash -c "! kill -0 $PID 2>/dev/null"
PID=""

echo "events e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
