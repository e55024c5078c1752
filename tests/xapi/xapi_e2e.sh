#!/usr/bin/env bash
# The xAPI LRS of a real osh-training process over real HTTP: the version
# header, authentication (HTTP Basic from the credentials file, platform JWTs,
# nothing else), statements stored once (same id: no change, other content:
# 409, a batch with a repeated id: 400 and nothing stored), queries by agent
# and verb with `more` paging, voiding, who sees what (a worker its own
# statements only, province staff the province's, national_admin reads
# without writing, a Basic client what it stored unless its scopes say more,
# another province nothing), uploads refused from their headers before their
# body is sent, the connection cap per client, and statements kept across a
# SIGKILL and restart.
# With OSH_TEST_POSTGRES_URL set (ctest's postgres:xapi_e2e), training and its
# LRS each run on a fresh PostgreSQL database of that server instead of SQLite
# files, and training refuses to start when its LRS is given none of its own.
# Usage: xapi_e2e.sh <build-dir> <source-dir>
set -uo pipefail
BIN_DIR="$1" ROOT="$2"
WORK="$(mktemp -d)"
PID=""
PG_URL="${OSH_TEST_POSTGRES_URL:-}"
PG_BIN="${OSH_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_NAME="osh_xapi_e2e_$$"
DATABASE_ARGS=()
if [[ -n "$PG_URL" ]]; then
  for db in "${PG_NAME}_training" "${PG_NAME}_lrs"; do
    "$PG_BIN/psql" -q -X "$PG_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null ||
      { echo "cannot create the database $db on $PG_URL"; exit 1; }
  done
  DATABASE_ARGS=(--database-url "${PG_URL%/*}/${PG_NAME}_training" --xapi-database-url "${PG_URL%/*}/${PG_NAME}_lrs")
fi
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
  if [[ -n "$PG_URL" ]]; then
    for db in "${PG_NAME}_training" "${PG_NAME}_lrs"; do
      "$PG_BIN/psql" -q -X "$PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    done
  fi
}
trap cleanup EXIT
# A refused connection may be closed while the test still writes to it: an
# error for that write, not the end of the script.
trap "" PIPE
source "$ROOT/deploy/common.sh"
source "$ROOT/tests/gateway/http_checks.sh"

head -c 48 /dev/urandom | base64 -w0 >"$WORK/jwt-secret"
head -c 48 /dev/urandom | base64 -w0 >"$WORK/certificate-key"
printf 'e2e %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" >"$WORK/field-keys"
SECRET="$(head -c 18 /dev/urandom | base64 -w0 | tr '+/' '-_')"
digest() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
# lms-44 and lms-44b without scopes (they read back what they stored),
# reader-44 reads the whole province.
{
  printf 'lms-44 %s 44\n' "$(digest "$SECRET")"
  printf 'lms-44b %s 44\n' "$(digest "$SECRET-b")"
  printf 'reader-44 %s 44 statements/read\n' "$(digest "$SECRET-r")"
} >"$WORK/credentials"

start() {
  rm -f "$WORK/ready"
  "$BIN_DIR/services/training/osh-training" --province 44 --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 \
    --xapi-address "${XAPI_ADDRESS:-127.0.0.1:0}" --data-dir "$WORK/data" --kafka-brokers "" --access-log false \
    --jwt-hs256-secret-file "$WORK/jwt-secret" --certificate-key-file "$WORK/certificate-key" \
    --field-key-file "$WORK/field-keys" --xapi-credentials-file "$WORK/credentials" --ready-file "$WORK/ready" \
    --xapi-max-connections-per-client 6 "${DATABASE_ARGS[@]}" >>"$WORK/training.log" 2>&1 &
  PID=$!
  # The ready file is written once the LRS listens.
  osh_wait_for 30 "osh-training's ready file" test -s "$WORK/ready" ||
    { echo "osh-training did not start"; tail -20 "$WORK/training.log"; exit 1; }
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

if [[ -n "$PG_URL" ]]; then
  timeout 30 "$BIN_DIR/services/training/osh-training" --province 44 --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 \
    --xapi-address 127.0.0.1:0 --data-dir "$WORK/data" --kafka-brokers "" --access-log false \
    --jwt-hs256-secret-file "$WORK/jwt-secret" --certificate-key-file "$WORK/certificate-key" \
    --field-key-file "$WORK/field-keys" --database-url "${DATABASE_ARGS[1]}" >"$WORK/refused.log" 2>&1
  check "training on PostgreSQL without a database for its LRS refuses to start" test $? != 0
  check "naming xapi-database-url" grep -q "xapi-database-url" "$WORK/refused.log"
fi

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

# Who sees what. A worker is the agent {account: {homePage:
# urn:osh-platform:principal, name: <sub>}}.
by() {  # by <subject> <id> [verb]: a statement whose actor is the principal <subject>
  printf '{"id": "%s", "actor": {"objectType": "Agent", "account": {"homePage": "urn:osh-platform:principal", "name": "%s"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/%s"}, "object": {"id": "https://osh.example.cn/courses/dust-101"}}' \
    "$2" "$1" "${3:-completed}"
}
WA="$(token worker-a worker 44)" WB="$(token worker-b worker 44)"
IDA=7a0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a0a IDB=7a0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a0b
http POST /xapi/statements "$WA" "$(by worker-a $IDA)" "${V[@]}"
check "a worker stores a statement about itself" test "$STATUS" = 200
http POST /xapi/statements "$WB" "$(by worker-b $IDB)" "${V[@]}"
check "so does another worker" test "$STATUS" = 200
http POST /xapi/statements "$WA" "$(by worker-b 7a0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a0c)" "${V[@]}"
check "a worker cannot write a statement about another: 403" test "$STATUS" = 403
http GET "/xapi/statements?statementId=$IDA" "$WA" "" "${V[@]}"
check "a worker reads its own statement" test "$STATUS" = 200
http GET "/xapi/statements?statementId=$IDB" "$WA" "" "${V[@]}"
check "but not another worker's: 404" test "$STATUS" = 404
http GET "/xapi/statements?statementId=$ID1" "$WA" "" "${V[@]}"
check "nor the courseware client's statements about others: 404" test "$STATUS" = 404
http GET "/xapi/statements" "$WA" "" "${V[@]}"
check "its query lists its own statement only" test "$(json_get "$BODY" "['statements'].__len__()")" = 1
WB_VOID='{"actor": {"account": {"homePage": "urn:osh-platform:principal", "name": "worker-a"}},
  "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}, "object": {"objectType": "StatementRef", "id": "'$IDB'"}}'
http POST /xapi/statements "$WA" "$WB_VOID" "${V[@]}"
check "a worker cannot void another worker's statement: 403" test "$STATUS" = 403
http GET "/xapi/statements?statementId=$IDB" "$WB" "" "${V[@]}"
check "which is still there for its owner" test "$STATUS" = 200

ADMIN="$(token admin-44 province_admin 44)"
http GET "/xapi/statements?statementId=$IDB" "$ADMIN" "" "${V[@]}"
check "the province admin reads a worker's statement" test "$STATUS" = 200
http GET "/xapi/statements?statementId=$ID1" "$ADMIN" "" "${V[@]}"
check "and the courseware client's" test "$STATUS" = 200
http GET "/xapi/statements?limit=100" "$ADMIN" "" "${V[@]}"
check "its query lists the province's statements (ID1, ID2, IDA, IDB and the voiding one)" \
  test "$(json_get "$BODY" "['statements'].__len__()")" = 5
http GET "/xapi/statements?statementId=$ID1" "$(token inspector-44 inspector 44)" "" "${V[@]}"
check "an inspector of the province reads it too" test "$STATUS" = 200
http GET "/xapi/statements?statementId=$ID1" "$(token admin-32 province_admin 32)" "" "${V[@]}"
check "another province's admin gets nothing here: 403" test "$STATUS" = 403
NATIONAL="$("$BIN_DIR/libs/auth/osh-devtoken" --secret-file "$WORK/jwt-secret" --sub nat --role national_admin)"
http GET "/xapi/statements?statementId=$IDB" "$NATIONAL" "" "${V[@]}"
check "national_admin reads the province's statements" test "$STATUS" = 200
http POST /xapi/statements "$NATIONAL" "$(by nat 7a0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a0d)" "${V[@]}"
check "but writes none: 403" test "$STATUS" = 403

http GET "/xapi/statements?statementId=$ID1" "" "" "${V[@]}" -u "lms-44b:$SECRET-b"
check "another Basic client of the province does not see what lms-44 stored: 404" test "$STATUS" = 404
http GET "/xapi/statements?statementId=$ID1" "" "" "${V[@]}" -u "reader-44:$SECRET-r"
check "a client granted statements/read does" test "$STATUS" = 200
http POST /xapi/statements "" "$(statement 7a0c4a3e-0b8e-4f7c-9a51-2d1e7b3c9a0e completed dust-101)" "${V[@]}" \
  -u "reader-44:$SECRET-r"
check "and, without statements/write, writes nothing: 403" test "$STATUS" = 403

# 16 MiB announced without credentials: curl waits for 100-continue, and
# the LRS answers 401 from the headers, so not a byte of the body is sent.
head -c $((16 * 1024 * 1024)) /dev/zero >"$WORK/big"
UPLOADED="$(curl -s -o /dev/null -w '%{http_code} %{size_upload}' -H 'X-Experience-API-Version: 1.0.3' \
  -H 'Content-Type: application/json' -H 'Expect: 100-continue' --expect100-timeout 30 \
  --data-binary @"$WORK/big" "http://$GATEWAY/xapi/statements")"
check "an anonymous 16 MiB upload is refused before its body: 401, 0 bytes sent ($UPLOADED)" \
  test "$UPLOADED" = "401 0"

# The connection cap per client (6 here): eight kept-alive connections from
# one address, each asking once. (Connections of earlier curls may still be
# closing on the server's side, so fewer than six may be served, never more.)
served=0 refused=0
for fd in 11 12 13 14 15 16 17 18; do
  eval "exec $fd<>/dev/tcp/127.0.0.1/$XAPI_PORT"
  printf 'GET /xapi/about HTTP/1.1\r\nHost: t\r\n\r\n' >&"$fd" 2>/dev/null
  status_line=""
  IFS= read -r -t 20 status_line <&"$fd"
  case "$status_line" in
    *" 200 "*) served=$((served + 1)) ;;
    *" 429 "*) refused=$((refused + 1)) ;;
  esac
done
check "of eight connections from one address at most six are served ($served)" test "$served" -le 6
# (A refused connection is closed at once; the test's request may cross the
# close, which at worst costs it the 429, never a 200.)
check "and the others are refused with 429 ($refused)" test "$refused" -ge 1 -a "$served" -ge 1
for fd in 11 12 13 14 15 16 17 18; do eval "exec $fd<&-"; done

kill -KILL "$PID"; wait "$PID" 2>/dev/null
start
http GET "/xapi/statements?statementId=$ID1" "" "" "${V[@]}" "${BASIC[@]}"
check "after SIGKILL and a restart the statement is still there" test "$STATUS" = 200
kill -TERM "$PID"; wait "$PID"
check "osh-training stops cleanly on SIGTERM" test $? = 0
PID=""

echo "xapi e2e: $passed passed, $failed failed"
test "$failed" = 0
