#!/usr/bin/env bash
# End to end: the real osh-registry binary, driven by grpcurl over reflection.
# Checks reflection and health, a create/read round trip, bad input, metrics,
# that data survives SIGKILL, and that SIGTERM drains and exits cleanly.
# Usage: registry_e2e.sh <osh-registry> <osh-devtoken> <grpcurl>
set -uo pipefail
REGISTRY="$1" DEVTOKEN="$2" GRPCURL="$3"

WORK="$(mktemp -d)"
PID=""
cleanup() { [[ -n "$PID" ]] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too

passed=0 failed=0
check() {  # check <description> <command...>
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}
contains() { grep -q -- "$2" <<<"$1"; }

head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
start() {
  rm -f "$WORK/ready"
  "$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --data-dir "$WORK/data" --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/ready" \
    --field-key-file "$WORK/field-keys" --shutdown-grace-ms 200 --kafka-brokers "" >>"$WORK/registry.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do [[ -s "$WORK/ready" ]] && break; sleep 0.1; done
  [[ -s "$WORK/ready" ]] || { echo "registry did not start"; cat "$WORK/registry.log"; exit 1; }
  GRPC="127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/ready")"
  ADMIN="127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_port"])' "$WORK/ready")"
}
start

TOKEN="$("$DEVTOKEN" --secret-file "$WORK/secret" --sub e2e-admin --role province_admin --province 44)"
call() { "$GRPCURL" -plaintext -H "authorization: Bearer $TOKEN" -d "$2" "$GRPC" "osh.registry.v1.RegistryService/$1" 2>&1; }

services="$("$GRPCURL" -plaintext "$GRPC" list)"
check "reflection lists the registry" contains "$services" "osh.registry.v1.RegistryService"
check "reflection lists health" contains "$services" "grpc.health.v1.Health"
health="$("$GRPCURL" -plaintext "$GRPC" grpc.health.v1.Health/Check)"
check "health is SERVING" contains "$health" '"SERVING"'
described="$("$GRPCURL" -plaintext "$GRPC" describe osh.registry.v1.RegistryService.CreateEmployer)"
check "describe shows the HTTP rule" contains "$described" 'post: "/v1/employers"'

EMPLOYER='{"employer": {"credit_code": "91350100M000100Y43", "name": "端到端测试有限公司",
  "division_code": "440300", "industry_section": "C", "size_class": "SIZE_CLASS_MEDIUM",
  "total_workers": 300}, "request_id": "e2e-1"}'
created="$(call CreateEmployer "$EMPLOYER")"
check "create answers with an id" contains "$created" '"id":'
check "create derives the province" contains "$created" '"province": "44"'
again="$(call CreateEmployer "$EMPLOYER")"
check "retry with the same request id returns the same record" test "$(grep '"id"' <<<"$created")" = "$(grep '"id"' <<<"$again")"

dup="$(call CreateEmployer '{"employer": {"credit_code": "91350100M000100Y43", "name": "x", "division_code": "440300", "industry_section": "C", "size_class": "SIZE_CLASS_SMALL"}}')"
check "duplicate credit code is AlreadyExists" contains "$dup" "AlreadyExists"
bad="$(call CreateEmployer '{"employer": {"credit_code": "91350100M000100Y44", "name": "x", "division_code": "440300", "industry_section": "C", "size_class": "SIZE_CLASS_SMALL"}}')"
check "bad check character is InvalidArgument" contains "$bad" "InvalidArgument"
check "the error names the field" contains "$bad" "employer.credit_code"
anon="$("$GRPCURL" -plaintext -d '{}' "$GRPC" osh.registry.v1.RegistryService/ListEmployers 2>&1)"
check "anonymous call is Unauthenticated" contains "$anon" "Unauthenticated"

metrics="$(curl -sf "http://$ADMIN/metrics")"
check "metrics count the creates" contains "$metrics" 'osh_grpc_server_handled_total{code="OK",method="/osh.registry.v1.RegistryService/CreateEmployer"} 2'
check "metrics have latency histograms" contains "$metrics" 'osh_grpc_server_handling_seconds_bucket'
check "readyz is 200 while serving" test "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADMIN/readyz")" = 200

kill -KILL "$PID"; wait "$PID" 2>/dev/null
start
after="$(call GetEmployerByCreditCode '{"credit_code": "91350100M000100Y43"}')"
check "the employer survived SIGKILL" contains "$after" '"name": "端到端测试有限公司"'

kill -TERM "$PID"
status=0
wait "$PID" || status=$?
PID=""
check "SIGTERM exits 0" test "$status" = 0
check "shutdown was logged" grep -q '"msg":"stopped"' "$WORK/registry.log"
check "log lines are JSON with service and request id" \
  python3 -c 'import json,sys; lines=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]; assert any(l.get("service")=="registry" and l.get("request_id") for l in lines)' "$WORK/registry.log"

echo "registry e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
