#!/usr/bin/env bash
# The xAPI LRS of a real osh-training process over real HTTP: the version
# header, authentication (HTTP Basic from the credentials file, platform JWTs,
# nothing else), statements stored once (same id: no change, other content:
# 409, a batch with a repeated id: 400 and nothing stored), queries by agent
# and verb with `more` paging, voiding, provinces kept apart, and statements
# kept across a SIGKILL and restart.
# Usage: xapi_e2e.sh <build-dir> <source-dir>
set -uo pipefail
BIN_DIR="$1" ROOT="$2"
WORK="$(mktemp -d)"
PID=""
cleanup() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
source "$ROOT/tests/gateway/http_checks.sh"

head -c 48 /dev/urandom | base64 -w0 >"$WORK/jwt-secret"
head -c 48 /dev/urandom | base64 -w0 >"$WORK/certificate-key"
printf 'e2e %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" >"$WORK/field-keys"
SECRET="$(head -c 18 /dev/urandom | base64 -w0 | tr '+/' '-_')"
printf 'lms-44 %s 44\n' "$(printf '%s' "$SECRET" | sha256sum | cut -d' ' -f1)" >"$WORK/credentials"

start() {
  rm -f "$WORK/ready"
  "$BIN_DIR/services/training/osh-training" --province 44 --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 \
    --xapi-address "${XAPI_ADDRESS:-127.0.0.1:0}" --data-dir "$WORK/data" --kafka-brokers "" --access-log false \
    --jwt-hs256-secret-file "$WORK/jwt-secret" --certificate-key-file "$WORK/certificate-key" \
    --field-key-file "$WORK/field-keys" --xapi-credentials-file "$WORK/credentials" --ready-file "$WORK/ready" \
    >>"$WORK/training.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 150); do [[ -s "$WORK/ready" ]] && break; sleep 0.1; done
  [[ -s "$WORK/ready" ]] || { echo "osh-training did not start"; tail -20 "$WORK/training.log"; exit 1; }
  XAPI_PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["xapi_port"])' "$WORK/ready")"
  GATEWAY="127.0.0.1:$XAPI_PORT"  # http() of http_checks.sh calls $GATEWAY: here the LRS itself
  XAPI_ADDRESS="$GATEWAY"          # a restart keeps the port
}
token() {
  "$BIN_DIR/libs/auth/osh-devtoken" --secret-file "$WORK/jwt-secret" --sub "$1" --role "$2" --province "$3"
}
V=(-H 'X-Experience-API-Version: 1.0.3')
BASIC=(-u "lms-44:$SECRET")
statement() {  # statement <id> <verb> <activity> [name]
  printf '{"id": "%s", "actor": {"objectType": "Agent", "name": "%s", "mbox": "mailto:learner@example.cn"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/%s", "display": {"zh-CN": "%s"}},
    "object": {"id": "https://osh.example.cn/courses/%s", "objectType": "Activity"}}' "$1" "${4:-学员}" "$2" "$2" "$3"
}
ID1=6f0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a01
ID2=6f0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a02
ID3=6f0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a03

start

http GET /xapi/about "" "" "${V[@]}"
check "about answers with the versions" contains "$BODY" '"1.0.3"'
check "and every answer carries X-Experience-API-Version" test -n "$(header X-Experience-API-Version)"

http POST /xapi/statements "" "$(statement $ID1 completed dust-101)" "${BASIC[@]}"
check "a statement without the version header is refused: 400" test "$STATUS" = 400
http POST /xapi/statements "" "$(statement $ID1 completed dust-101)" "${V[@]}"
check "without credentials: 401" test "$STATUS" = 401
check "with a WWW-Authenticate challenge" test -n "$(header WWW-Authenticate)"
http POST /xapi/statements "" "$(statement $ID1 completed dust-101)" "${V[@]}" -u "lms-44:wrong"
check "a wrong secret: 401" test "$STATUS" = 401
http POST /xapi/statements "" '{"actor": {"mbox": "not-a-mailbox"}, "verb": {"id": "x"}, "object": {"id": "y"}}' \
  "${V[@]}" "${BASIC[@]}"
check "an invalid statement: 400" test "$STATUS" = 400
check "naming what is wrong" contains "$BODY" 'mbox'

http POST /xapi/statements "" "$(statement $ID1 completed dust-101)" "${V[@]}" "${BASIC[@]}"
check "a valid statement is stored: 200" test "$STATUS" = 200
check "with its id answered" contains "$BODY" "$ID1"
http PUT "/xapi/statements?statementId=$ID1" "" "$(statement $ID1 completed dust-101)" "${V[@]}" "${BASIC[@]}"
check "the same statement again changes nothing: 204" test "$STATUS" = 204
http PUT "/xapi/statements?statementId=$ID1" "" "$(statement $ID1 completed noise-201)" "${V[@]}" "${BASIC[@]}"
check "the same id with other content: 409" test "$STATUS" = 409
http POST /xapi/statements "" "[$(statement $ID2 attempted noise-201), $(statement $ID2 passed noise-201)]" \
  "${V[@]}" "${BASIC[@]}"
check "a batch repeating an id: 400" test "$STATUS" = 400
http GET "/xapi/statements?statementId=$ID2" "" "" "${V[@]}" "${BASIC[@]}"
check "and none of it was stored" test "$STATUS" = 404
http POST /xapi/statements "" "[$(statement $ID2 attempted noise-201), $(statement $ID3 passed noise-201)]" \
  "${V[@]}" "${BASIC[@]}"
check "a batch of two is stored" test "$STATUS" = 200

http GET "/xapi/statements?statementId=$ID1" "" "" "${V[@]}" "${BASIC[@]}"
check "a statement is read back by id" test "$STATUS" = 200
check "with stored set by the LRS" test -n "$(json_get "$BODY" "['stored']")"
check "and the client as authority" contains "$BODY" 'lms-44'
AGENT="$(python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"mbox\": \"mailto:learner@example.cn\"}"))')"
http GET "/xapi/statements?agent=$AGENT&limit=2" "" "" "${V[@]}" "${BASIC[@]}"
check "a query by agent pages: two statements" test "$(json_get "$BODY" "['statements'].__len__()")" = 2
MORE="$(json_get "$BODY" "['more']")"
check "and a more link" test -n "$MORE"
http GET "$MORE" "" "" "${V[@]}" "${BASIC[@]}"
check "which gives the third" test "$(json_get "$BODY" "['statements'].__len__()")" = 1
http GET "/xapi/statements?verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fpassed" "" "" "${V[@]}" "${BASIC[@]}"
check "a query by verb finds the passed one" test "$(json_get "$BODY" "['statements'][0]['id']")" = "$ID3"

VOID='{"actor": {"mbox": "mailto:admin@example.cn"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
  "object": {"objectType": "StatementRef", "id": "'$ID3'"}}'
http POST /xapi/statements "" "$VOID" "${V[@]}" "${BASIC[@]}"
check "a voiding statement is stored" test "$STATUS" = 200
http GET "/xapi/statements?statementId=$ID3" "" "" "${V[@]}" "${BASIC[@]}"
check "the voided statement is gone from statementId: 404" test "$STATUS" = 404
http GET "/xapi/statements?voidedStatementId=$ID3" "" "" "${V[@]}" "${BASIC[@]}"
check "and readable as voidedStatementId" test "$STATUS" = 200

http GET "/xapi/statements?statementId=$ID1" "$(token lms-jwt worker 44)" "" "${V[@]}"
check "a platform JWT of the province reads the statement" test "$STATUS" = 200
http GET "/xapi/statements?statementId=$ID1" "$(token lms-32 worker 32)" "" "${V[@]}"
check "another province's JWT does not see it: 404" test "$STATUS" = 404

kill -KILL "$PID"; wait "$PID" 2>/dev/null
start
http GET "/xapi/statements?statementId=$ID1" "" "" "${V[@]}" "${BASIC[@]}"
check "after SIGKILL and a restart the statement is still there" test "$STATUS" = 200
kill -TERM "$PID"; wait "$PID"
check "osh-training stops cleanly on SIGTERM" test $? = 0
PID=""

echo "xapi e2e: $passed passed, $failed failed"
test "$failed" = 0
