#!/usr/bin/env bash
# The registry's change feed and employer export through the real
# osh-gateway in front of a real osh-registry (no cache): the feed over
# HTTP/JSON with its cursor, and the export as a chunked download that
# parses back, masked, refused alike to other provinces and without a format.
# Usage: export_e2e.sh <build-dir> <source-dir>
set -uo pipefail
BIN_DIR="$1" ROOT="$2"
WORK="$(mktemp -d)"
source "$ROOT/tests/gateway/stack.sh"
source "$ROOT/tests/gateway/http_checks.sh"

printf 'e2e %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" >"$WORK/field-keys"
"$BIN_DIR/services/registry/osh-registry" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
  --data-dir "$WORK/registry" --jwt-hs256-secret-file "$SECRET_FILE" --ready-file "$WORK/registry.ready" \
  --kafka-brokers "" --access-log false --field-key-file "$WORK/field-keys" >>"$WORK/registry.log" 2>&1 &
PIDS+=($!)
wait_ready "$WORK/registry.ready" "$WORK/registry.log"
REGISTRY_GRPC="127.0.0.1:$(ready_value "$WORK/registry.ready" grpc_port)"
"$BIN_DIR/services/gateway/osh-gateway" --http-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
  --upstreams "osh.registry.v1.RegistryService=$REGISTRY_GRPC" --redis-address "" \
  --jwt-hs256-secret-file "$SECRET_FILE" --ready-file "$WORK/gateway.ready" >>"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_ready "$WORK/gateway.ready" "$WORK/gateway.log"
GATEWAY="127.0.0.1:$(ready_value "$WORK/gateway.ready" http_port)"

ADMIN="$(token e2e-admin province_admin)"
OTHER="$("$BIN_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub e2e-32 --role province_admin --province 32)"

# Valid credit codes of Dongguan employers (check character computed).
credit_code() {
  python3 - "$1" <<'PY'
import sys
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
first = "91441900" + "%09d" % int(sys.argv[1])
c = 31 - sum(ALPHA.index(ch) * w for ch, w in zip(first, W)) % 31
print(first + ALPHA[0 if c == 31 else c])
PY
}
N=5
for i in $(seq 1 $N); do
  http POST "/v1/employers?request_id=export-e2e-$i" "$ADMIN" \
    "{\"creditCode\":\"$(credit_code "$i")\",\"name\":\"导出测试第${i}有限公司, 东莞\",\"divisionCode\":\"441900\",
      \"industrySection\":\"C\",\"sizeClass\":\"SIZE_CLASS_SMALL\",\"legalRepresentative\":\"张三\",
      \"legalRepresentativePhone\":\"13800138000\",\"totalWorkers\":$((10 * i))}"
  [[ "$STATUS" == 200 ]] || echo "create $i: $STATUS $BODY"
done

# --- the change feed over HTTP --------------------------------------------
http GET "/v1/employers:changes?pageSize=3" "$ADMIN"
check "the feed answers a page (200)" test "$STATUS" = 200
check "three changes in the first page" test "$(json_get "$BODY" '["changes"].__len__()')" = 3
check "more are waiting" test "$(json_get "$BODY" '["hasMore"]')" = True
check "the feed's records are masked" test "$(json_get "$BODY" '["changes"][0]["employer"]["legalRepresentativeMasked"]')" = "张*"
check "and carry no clear name" test "$(contains "$BODY" "张三" && echo yes || echo no)" = no
CURSOR="$(json_get "$BODY" '["nextCursor"]')"
http GET "/v1/employers:changes?pageSize=3&cursor=$CURSOR" "$ADMIN"
check "the rest follows the cursor" test "$(json_get "$BODY" '["changes"].__len__()')" = 2
check "and ends the feed for now" test "$(json_get "$BODY" '.get("hasMore", False)')" = False
check "the feed is never cached" test -z "$(header x-cache)"
http GET "/v1/employers:changes?cursor=bogus" "$ADMIN"
check "a bad cursor is a 400" test "$STATUS" = 400
check "naming the cursor" contains "$BODY" cursor
http GET "/v1/employers:changes" "$OTHER"
check "another province's admin is refused the feed (403)" test "$STATUS" = 403

# --- the export as a chunked download -------------------------------------
http GET "/v1/employers:export?format=EXPORT_FORMAT_CSV" "$ADMIN"
check "the CSV export answers 200" test "$STATUS" = 200
check "as text/csv" contains "$(header content-type)" "text/csv"
check "chunked, not held whole" contains "$(header transfer-encoding)" chunked
check "as an attachment named for the province" contains "$(header content-disposition)" "employers-44.csv"
check "never stored by a cache" contains "$(header cache-control)" no-store
ROWS="$(python3 - "$WORK/body" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
assert all(r["legal_representative"] == "张*" and r["legal_representative_phone"] == "138****8000" for r in rows), rows
assert all(r["name"].endswith(", 东莞") for r in rows), rows  # a comma inside a quoted field
print(len(rows))
PY
)"
check "the CSV parses back to $N masked rows" test "$ROWS" = "$N"
check "the file holds no clear personal data" test "$(grep -c -e 13800138000 -e 张三 "$WORK/body")" = 0
http GET "/v1/employers:export?format=EXPORT_FORMAT_JSON_LINES" "$ADMIN"
check "the JSON-lines export has $N lines" test "$(wc -l <"$WORK/body")" = "$N"
check "as application/x-ndjson" contains "$(header content-type)" "application/x-ndjson"
http GET "/v1/employers:export" "$ADMIN"
check "an export without a format is a 400" test "$STATUS" = 400
check "naming the format" contains "$BODY" format
http GET "/v1/employers:export?format=EXPORT_FORMAT_CSV" "$OTHER"
check "another province's admin is refused the export (403)" test "$STATUS" = 403
check "with a JSON error, not a file" contains "$(header content-type)" "application/json"

# --- a client that leaves midway --------------------------------------------
# Enough employers (through the bulk import) that the export outlasts a slow client's patience.
python3 - "$WORK/many.csv" <<'PY'
import sys
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
with open(sys.argv[1], "w", encoding="utf-8", newline="") as out:
    out.write("credit_code,name,division_code,industry_section,size_class,total_workers\r\n")
    for i in range(1000, 21000):
        first = "91441900" + "%09d" % i
        c = 31 - sum(ALPHA.index(ch) * w for ch, w in zip(first, W)) % 31
        out.write(f"{first + ALPHA[0 if c == 31 else c]},东莞市第{i}号制品有限公司,441900,C,SMALL,{i % 900}\r\n")
PY
http POST "/v1/imports/employers?strategy=IMPORT_STRATEGY_CREATE" "$ADMIN" "" -H 'content-type: text/csv' \
  --data-binary @"$WORK/many.csv"
JOB="$(json_get "$BODY" '["id"]')"
for _ in $(seq 1 600); do  # bounded: the import's own progress, polled
  http GET "/v1/imports/$JOB" "$ADMIN"
  [[ "$(json_get "$BODY" '["state"]')" == IMPORT_STATE_COMPLETED ]] && break
  sleep 0.2
done
check "20,000 more employers imported" test "$(json_get "$BODY" '["state"]')" = IMPORT_STATE_COMPLETED

curl -s --limit-rate 50k --max-time 2 -o "$WORK/left.csv" -H "authorization: Bearer $ADMIN" \
  "http://$GATEWAY/v1/employers:export?format=EXPORT_FORMAT_CSV"
check "a client that stops reading gets only part of the file" test "$(wc -c <"$WORK/left.csv")" -lt 2000000
http GET "/v1/employers:export?format=EXPORT_FORMAT_CSV" "$ADMIN"
check "and the next client still gets the whole file" test "$(wc -l <"$WORK/body")" = $((N + 20001))

echo "export_e2e: $passed passed, $failed failed"
[[ "$failed" == 0 ]]
