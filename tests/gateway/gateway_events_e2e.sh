#!/usr/bin/env bash
# The gateway's cache follows writes that do not pass through it: an employer
# changed directly on the registry's gRPC port (as a transfer import or another
# tool would) reaches the gateway as an EmployerUpdated event on Kafka, which
# drops the registry's cached answers. Real broker (the ctest `kafka` fixture).
# Usage: gateway_events_e2e.sh <build-dir> <source-dir> <grpcurl>
set -uo pipefail
BIN_DIR="$1" ROOT="$2" GRPCURL="$3"
KAFKA_BROKERS="${OSH_TEST_KAFKA_BOOTSTRAP:?the kafka fixture sets OSH_TEST_KAFKA_BOOTSTRAP}"
WORK="$(mktemp -d)"
source "$ROOT/tests/gateway/stack.sh"

passed=0 failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}
get() {  # get <path> → prints "<x-cache> <body>"
  curl -s -D "$WORK/h" -o "$WORK/b" -H "authorization: Bearer $ADMIN" "http://$GATEWAY$1"
  echo "$(sed -n 's/^x-cache: //Ip' "$WORK/h" | tr -d '\r') $(cat "$WORK/b")"
}

start_redis
start_backends
start_gateway --kafka-brokers "$KAFKA_BROKERS" --consumer-group "gateway-e2e-$$"
ADMIN="$(token e2e-events-admin province_admin)"

CODE="91350100M000100Y43"
created="$(curl -s -X POST -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  --data "{\"creditCode\":\"$CODE\",\"name\":\"事件失效测试有限公司\",\"divisionCode\":\"440300\",\"industrySection\":\"C\",\"sizeClass\":\"SIZE_CLASS_SMALL\"}" \
  "http://$GATEWAY/v1/employers")"
ID="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created" 2>/dev/null)"
check "employer created through the gateway" test -n "$ID"
# The listener joins its group asynchronously; let the create's own event pass first.
sleep 3
get "/v1/employers/$ID" >/dev/null
check "then served from the cache" bash -c '[[ "$(cut -d" " -f1 <<<"$0")" = hit ]]' "$(get "/v1/employers/$ID")"

"$GRPCURL" -plaintext -H "authorization: Bearer $ADMIN" \
  -d "{\"employer\": {\"id\": \"$ID\", \"name\": \"事件失效测试二号有限公司\", \"version\": 1}, \"update_mask\": {\"paths\": [\"name\"]}}" \
  "$REGISTRY_GRPC" osh.registry.v1.RegistryService/UpdateEmployer >/dev/null
check "updated directly on the registry, bypassing the gateway" test $? = 0

seen=""
for _ in $(seq 1 100); do
  seen="$(get "/v1/employers/$ID")"
  grep -q "事件失效测试二号有限公司" <<<"$seen" && break
  sleep 0.1
done
check "the registry's event reaches the gateway and the next read shows the update" \
  grep -q "事件失效测试二号有限公司" <<<"$seen"
check "the gateway counted the event" bash -c 'curl -s "http://$0/metrics" | grep -q "osh_event_listener_received_total{topic=\"osh.registry.events\"}"' "$GATEWAY_ADMIN"

echo "gateway events e2e: $passed passed, $failed failed"
[[ "$failed" = 0 ]]
