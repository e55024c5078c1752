#!/usr/bin/env bash
# The web console end to end in a real browser: a real platform (redis-server,
# osh-registry, osh-reporting consuming the registry's events from a real
# broker, osh-content with the seed texts, osh-notify, osh-training and
# osh-gateway serving web/dist at /) on free ports, demo data written through
# the real services, then console.test.mjs drives Debian's Chromium through
# every page group as each role and compares what the pages show with the API.
# Usage: browser_e2e.sh <build-dir> <source-dir> <results-dir>
set -uo pipefail
BIN_DIR="$1" ROOT="$2" RESULTS="$3"
KAFKA_BROKERS="${OSH_TEST_KAFKA_BOOTSTRAP:?the kafka fixture sets OSH_TEST_KAFKA_BOOTSTRAP}"
SEEDS="${OSH_SEEDS_DIR:-$ROOT/../shared/seeds}"
CHROMIUM="${OSH_CHROMIUM:-/usr/bin/chromium}"
WEB="$ROOT/web"
for need in "$WEB/dist/index.html" "$WEB/node_modules/playwright-core/package.json" "$WEB/node_modules/axe-core/axe.min.js" "$CHROMIUM"; do
  [[ -e "$need" ]] || { echo "FAIL missing $need (deploy/install-deps.sh installs chromium; deploy/build.sh builds web/)"; exit 1; }
done
WORK="$(mktemp -d)"
source "$ROOT/tests/gateway/stack.sh"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

start_redis
# osh-training assigns mandatory courses from the registry's events (the employer's page lists them).
TRAINING_KAFKA_BROKERS="$KAFKA_BROKERS"
start_backends
# The national aggregation, fed by the registry's events (stack.sh's reporting does not consume).
"$BIN_DIR/services/reporting/osh-reporting" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 \
  --province 44 --data-dir "$WORK/reporting-live" --jwt-hs256-secret-file "$SECRET_FILE" \
  --ready-file "$WORK/reporting-live.ready" --kafka-brokers "$KAFKA_BROKERS" --consumer-group "reporting-web-$$" \
  --access-log false >>"$WORK/reporting-live.log" 2>&1 &
PIDS+=($!)
wait_ready "$WORK/reporting-live.ready" "$WORK/reporting-live.log"
REPORTING_GRPC="127.0.0.1:$(ready_value "$WORK/reporting-live.ready" grpc_port)"
# A stand-in OpenID Connect provider (console.test.mjs runs it on this port) that the console may call.
IDP_PORT="$(free_port)"
start_gateway --web-root "$WEB/dist" --web-connect-src "http://127.0.0.1:$IDP_PORT" --access-log false
BASE="http://$GATEWAY"

ADMIN="$(token web-admin province_admin)"
echo -n "$ADMIN" >"$WORK/admin-token"
token web-editor editor >"$WORK/editor-token"
"$BIN_DIR/bench/osh-loadgen" seed --target "$REGISTRY_GRPC" --token-file "$WORK/admin-token" --province 44 \
  --employers 30 --declare-every 2 >"$WORK/seed.log" 2>&1 || { echo "FAIL seeding employers"; tail "$WORK/seed.log"; exit 1; }
# Their supervision facts (tests, exams, inspections, assistance), so the indicators have figures.
"$BIN_DIR/bench/osh-loadgen" seed-supervision --target "$REGISTRY_GRPC" --token-file "$WORK/admin-token" --province 44 \
  >"$WORK/seed-supervision.log" 2>&1 || { echo "FAIL seeding supervision facts"; tail "$WORK/seed-supervision.log"; exit 1; }
"$BIN_DIR/services/content/osh-content-import" --target "$CONTENT_GRPC" --token-file "$WORK/editor-token" \
  --dir "$SEEDS" >"$WORK/import.log" 2>&1 || { echo "FAIL importing the seed articles"; tail "$WORK/import.log"; exit 1; }
"$BIN_DIR/bench/osh-loadgen" seed-training --target "$TRAINING_GRPC" --token-file "$WORK/admin-token" \
  >"$WORK/training-seed.log" 2>&1 || { echo "FAIL publishing the demo courses"; tail "$WORK/training-seed.log"; exit 1; }

# Two declarations waiting for review, written through the API as an employer's system would.
post() {  # post <path> <json> → prints the answer; fails on a non-2xx status
  curl -sf -X POST -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' --data "$2" "$BASE$1"
}
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
for n in 1 2; do
  code="$(python3 "$ROOT/tests/web/credit_code.py" "$n")"
  employer="$(post "/v1/employers?request_id=web-employer-$n" "{\"creditCode\":\"$code\",\"name\":\"浏览器测试$n号有限公司\",
    \"divisionCode\":\"440305\",\"industrySection\":\"C\",\"sizeClass\":\"SIZE_CLASS_SMALL\",\"totalWorkers\":120}")" ||
    { echo "FAIL creating employer $n"; exit 1; }
  if [[ $n == 1 ]]; then
    # Employer 1 (the EMPLOYER token's) has an approved dust declaration first, so osh-training
    # assigns it the mandatory dust course; its second declaration then waits for review.
    approved="$(post "/v1/employers/$(json_field "$employer" id)/declarations?request_id=web-declaration-0" \
      '{"type":"DECLARATION_TYPE_INITIAL","totalExposedWorkers":30,"exposures":[
        {"factorCode":"D001","workplace":"打磨车间","post":"打磨工","exposedWorkers":30,"protectiveMeasures":"湿式作业"}]}')" ||
      { echo "FAIL declaring for employer 1"; exit 1; }
    post "/v1/declarations/$(json_field "$approved" id):review" '{"approve":true,"requestId":"web-review-0"}' >/dev/null ||
      { echo "FAIL approving employer 1's first declaration"; exit 1; }
  fi
  kind='"type":"DECLARATION_TYPE_INITIAL"'
  [[ $n == 1 ]] && kind='"type":"DECLARATION_TYPE_CHANGE","changeReason":"CHANGE_REASON_PROCESS_OR_MATERIALS"'
  post "/v1/employers/$(json_field "$employer" id)/declarations?request_id=web-declaration-$n" \
    '{'"$kind"',"totalExposedWorkers":30,"exposures":[
      {"factorCode":"D001","workplace":"打磨车间","post":"打磨工","exposedWorkers":30,"protectiveMeasures":"湿式作业"}]}' >/dev/null ||
    { echo "FAIL declaring for employer $n"; exit 1; }
done

# Inspections with rectification deadlines: one passed (overdue now), one ahead, in China Standard Time.
read -r INSPECTED PASSED AHEAD < <(python3 -c 'import datetime as d; t=d.datetime.now(d.timezone(d.timedelta(hours=8))).date(); print(t-d.timedelta(60), t-d.timedelta(30), t+d.timedelta(30))')
employer_id() { curl -s -H "authorization: Bearer $ADMIN" "$BASE/v1/employers:byCreditCode/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
EMPLOYER_CODE="$(python3 "$ROOT/tests/web/credit_code.py" 1)"
post "/v1/employers/$(employer_id "$EMPLOYER_CODE")/inspections?request_id=web-inspection-1" "{\"inspectedOn\":\"$INSPECTED\",
  \"summary\":\"日常监督检查\",\"findings\":[{\"description\":\"打磨车间局部排风罩风速不足\",\"factorCode\":\"D001\",\"rectificationDeadline\":\"$AHEAD\"}]}" >/dev/null ||
  { echo "FAIL recording an inspection"; exit 1; }
post "/v1/employers/$(employer_id "$(python3 "$ROOT/tests/web/credit_code.py" 2)")/inspections?request_id=web-inspection-2" "{\"inspectedOn\":\"$INSPECTED\",
  \"summary\":\"专项检查\",\"findings\":[{\"description\":\"未设置职业病危害警示标识\",\"rectificationDeadline\":\"$PASSED\"}]}" >/dev/null ||
  { echo "FAIL recording an overdue inspection"; exit 1; }

# osh-training follows the registry's events: wait until employer 1's approved dust declaration
# has given it its mandatory course.
for _ in $(seq 1 300); do
  assigned="$(curl -s -H "authorization: Bearer $ADMIN" "$BASE/v1/assignments?org=$EMPLOYER_CODE&page_size=10" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("assignments",[])))' 2>/dev/null)"
  (( ${assigned:-0} > 0 )) && break
  sleep 0.2
done
(( ${assigned:-0} > 0 )) || { echo "FAIL osh-training never assigned employer 1 its mandatory course"; tail "$WORK/training.log"; exit 1; }

NATIONAL="$("$BIN_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub web-national --role national_admin)"
# The rollups follow the events: wait until the seeded employers are counted.
for _ in $(seq 1 300); do
  count="$(curl -s -H "authorization: Bearer $NATIONAL" \
    "$BASE/v1/reporting/rollups?query.group_by=DIMENSION_PROVINCE&query.region_prefix=44&query.metrics=METRIC_REGISTERED_EMPLOYERS" |
    python3 -c 'import json,sys; r=json.load(sys.stdin).get("rows",[]); print(r[0]["values"][0].get("value",0) if r else 0)' 2>/dev/null)"
  (( ${count:-0} >= 32 )) && break
  sleep 0.2
done
(( ${count:-0} >= 32 )) || { echo "FAIL the rollups never counted the seeded employers (${count:-0})"; tail "$WORK/reporting-live.log"; exit 1; }

# A CSV for the console's bulk import, in GB18030 with Chinese headers as provincial systems export:
# two new employers and, on line 4, a credit code whose check character is wrong.
IMPORT_CSV="$WORK/import-employers.csv"
{
  echo "统一社会信用代码,单位名称,行政区划代码,行业门类,企业规模,劳动者总数"
  echo "$(python3 "$ROOT/tests/web/credit_code.py" 11),浏览器导入一号有限公司,440305,C,小型,80"
  echo "$(python3 "$ROOT/tests/web/credit_code.py" 12),浏览器导入二号有限公司,440305,C,微型,15"
  bad="$(python3 "$ROOT/tests/web/credit_code.py" 13)"
  echo "${bad:0:17}$([[ ${bad:17:1} == 0 ]] && echo 1 || echo 0),浏览器导入三号有限公司,440305,C,小型,30"
} | iconv -f UTF-8 -t GB18030 >"$IMPORT_CSV"

export BASE CHROMIUM RESULTS WEB NATIONAL ADMIN IMPORT_CSV \
  INSPECTOR="$(token web-inspector inspector)" WORKER="$(token web-worker worker "$EMPLOYER_CODE")" \
  EMPLOYER="$(token web-employer employer "$EMPLOYER_CODE")" IDP_PORT OIDC_TOKEN="$(token web-oidc-inspector inspector)"
node "$ROOT/tests/web/console.test.mjs"
