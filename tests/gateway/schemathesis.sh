#!/usr/bin/env bash
# Property-based test of the gateway's HTTP contract: schemathesis reads the
# gateway's own /openapi.json and sends generated (valid and invalid) requests
# to every operation with a province_admin token, checking that no answer is a
# 5xx and that every answer's status, content type and body match the document.
# Real osh-gateway, osh-registry, osh-reporting and redis-server on free ports
# (tests/gateway/stack.sh); a bounded number of examples per operation and a
# fixed seed; nothing but localhost is contacted once the venv exists.
#
# schemathesis comes from PyPI into a venv under the cache directory
# ($OSH_CACHE_DIR/venv/schemathesis-<version>), installed once from the pinned
# tests/gateway/schemathesis-requirements.txt and reused while that file is unchanged.
#
# Usage: schemathesis.sh <build-dir> <source-dir>
# Environment: OSH_SCHEMATHESIS_EXAMPLES (per operation, default 50),
#   OSH_SCHEMATHESIS_SEED (default 20251124), OSH_SCHEMATHESIS_REPORT_DIR (if set,
#   a JUnit report and a HAR of every exchange are written there).
set -uo pipefail
BIN_DIR="$1" ROOT="$2"
source "$ROOT/deploy/common.sh"

EXAMPLES="${OSH_SCHEMATHESIS_EXAMPLES:-50}"
SEED="${OSH_SCHEMATHESIS_SEED:-20251124}"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,allow_header_conformance

# --- the pinned schemathesis venv, created once -----------------------------
REQUIREMENTS="$ROOT/tests/gateway/schemathesis-requirements.txt"
ST_VERSION="$(sed -n 's/^schemathesis==//p' "$REQUIREMENTS")"
[[ -n "$ST_VERSION" ]] || osh_die "no schemathesis== pin in $REQUIREMENTS"
VENV="$(osh_pinned_venv "schemathesis-$ST_VERSION" "$REQUIREMENTS")" || exit 1
"$VENV/bin/st" --version 2>/dev/null | grep -qF "$ST_VERSION" || osh_die "the schemathesis venv at $VENV is not usable"

# --- the stack, with data for the GETs to find ------------------------------
WORK="$(mktemp -d)"
source "$ROOT/tests/gateway/stack.sh"

start_redis
start_backends
start_gateway --rate-limit-capacity 100000 --rate-limit-per-second 100000 --rate-limit-local-per-second 100000

ADMIN="$(token st-admin province_admin)"

# post <path> <json> → prints the answer's "id"; exits unless the answer is 200.
post() {
  local status
  status="$(curl -s -o "$WORK/seed.json" -w '%{http_code}' -X POST -H "authorization: Bearer $ADMIN" \
    -H 'content-type: application/json' --data-binary "$2" "http://$GATEWAY$1")"
  if [[ "$status" != 200 ]]; then
    echo "seeding POST $1 answered $status: $(cat "$WORK/seed.json")" >&2
    exit 1
  fi
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/seed.json"
}

EMPLOYER_ID="$(post "/v1/employers?request_id=st-seed-employer" \
  '{"creditCode":"91350100M000100Y43","name":"契约测试有限公司","divisionCode":"440300",
    "industrySection":"C","sizeClass":"SIZE_CLASS_MEDIUM","totalWorkers":300}')" || exit 1
post "/v1/employers/$EMPLOYER_ID/declarations?request_id=st-seed-declaration" \
  '{"type":"DECLARATION_TYPE_INITIAL","totalExposedWorkers":38,"exposures":[
    {"factorCode":"D001","workplace":"打磨车间","post":"打磨工","exposedWorkers":30,"protectiveMeasures":"湿式作业，局部排风"},
    {"factorCode":"P001","workplace":"打磨车间","post":"打磨工","exposedWorkers":30},
    {"factorCode":"C001","workplace":"喷漆车间","post":"喷漆工","exposedWorkers":8}]}' >/dev/null || exit 1
post "/v1/reporting/provinces/44/annual-reports" '{"year":2025,"requestId":"st-seed-report"}' >/dev/null || exit 1
echo "seeded employer $EMPLOYER_ID, a declaration and an annual report"

# --- schemathesis -------------------------------------------------------------
args=(run "http://$GATEWAY/openapi.json"
  --header "Authorization: Bearer $ADMIN"
  --checks "$CHECKS"
  --phases examples,coverage,fuzzing
  --max-examples "$EXAMPLES"
  --seed "$SEED"
  --generation-database none
  --request-timeout 15
  --no-color)
if [[ -n "${OSH_SCHEMATHESIS_REPORT_DIR:-}" ]]; then
  args+=(--report junit,har --report-dir "$OSH_SCHEMATHESIS_REPORT_DIR")
fi

# Run from the scratch directory: no schemathesis.toml or .hypothesis/ from
# elsewhere is read, and nothing is written into the checkout or the build.
# Loopback never goes through a proxy.
rc=0
(cd "$WORK" && NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" \
  "$VENV/bin/st" "${args[@]}") || rc=$?

if [[ "$rc" != 0 ]]; then
  for log in gateway registry reporting; do
    echo "--- last lines of $log.log"
    tail -n 15 "$WORK/$log.log"
  done
  echo "gateway schemathesis: FAILED (schemathesis exit $rc; seed $SEED, $EXAMPLES examples per operation)"
  exit 1
fi
echo "gateway schemathesis: passed (seed $SEED, $EXAMPLES examples per operation)"
