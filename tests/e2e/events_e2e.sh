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
}
pending() { sqlite3 "file:$DB?mode=ro" "SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL"; }
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

# 2. SIGKILL the registry in the middle of a burst, restart it, nothing is lost.
"$LOADGEN" seed --target "$GRPC" --token-file "$WORK/token" --province 46 --employers 1500 --declare-every 3 \
  --concurrency 16 >/dev/null 2>&1 &
LOAD=$!
sleep 1.5
kill -KILL "$PID"; wait "$PID" 2>/dev/null
wait "$LOAD" 2>/dev/null  # its in-flight calls fail; what committed is in the outbox
before_restart="$(pending)"
start_registry
check "the restarted relay drains what the killed one left ($before_restart pending)" wait_drained
check "every committed event after SIGKILL is in Kafka" no_loss

# 3. Stop the broker while writes go on, start it again, nothing is lost.
"$LOADGEN" seed --target "$GRPC" --token-file "$WORK/token" --province 46 --employers 3000 --declare-every 3 \
  --concurrency 8 >/dev/null 2>&1 &
LOAD=$!
sleep 1
"$KAFKA" stop --dir "$WORK/kafka" >/dev/null
sleep 2
while_down="$(pending)"
"$KAFKA" start --dir "$WORK/kafka" --port "$PORT" >/dev/null
wait "$LOAD"
check "writes kept being accepted while the broker was down ($while_down pending then)" test "$while_down" -gt 0
check "the relay drains the outbox after the broker is back" wait_drained
check "every committed event after the broker restart is in Kafka" no_loss
total="$(outbox_ids | wc -l)"
echo "events in the outbox: $total; distinct in Kafka: $(topic_ids | wc -l)"

# 4. With the broker gone, SIGTERM still stops the registry promptly (its
#    consumer cannot leave its group, and must not hold the process hostage).
"$KAFKA" stop --dir "$WORK/kafka" >/dev/null
kill -TERM "$PID"
stopped_in_time=1
for _ in $(seq 1 200); do kill -0 "$PID" 2>/dev/null || { stopped_in_time=0; break; }; sleep 0.1; done
check "SIGTERM stops the registry within 20 s while the broker is down" test "$stopped_in_time" = 0
PID=""

echo "events e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
