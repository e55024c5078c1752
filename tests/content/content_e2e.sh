#!/usr/bin/env bash
# The content library end to end: the seed texts imported by osh-content-import
# into a real osh-content, then read, searched, written and published through
# the real osh-gateway (with redis-server) as the public and as editors would.
# With OSH_TEST_POSTGRES_URL set (ctest's postgres:content_e2e), osh-content
# runs on a fresh PostgreSQL database of that server instead of content.db.
# Usage: content_e2e.sh <build-dir> <source-dir> <seeds-dir>
set -uo pipefail
BIN_DIR="$1" ROOT="$2" SEEDS="$3"
WORK="$(mktemp -d)"
PG_URL="${OSH_TEST_POSTGRES_URL:-}"
PG_DB="osh_content_e2e_$$"
psql_admin() { "${OSH_PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -q -X "$PG_URL" -c "$1" >/dev/null; }
if [[ -n "$PG_URL" ]]; then
  psql_admin "CREATE DATABASE $PG_DB" || { echo "cannot create $PG_DB on $PG_URL"; exit 1; }
  CONTENT_ARGS=(--database-url "${PG_URL%/*}/$PG_DB")
fi
source "$ROOT/tests/gateway/stack.sh"
source "$ROOT/tests/gateway/http_checks.sh"
urlencode() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

start_redis
start_backends
start_gateway

EDITOR="$(token editor44 editor)"
INSPECTOR="$(token inspector44 inspector)"
echo -n "$EDITOR" >"$WORK/editor-token"

"$BIN_DIR/services/content/osh-content-import" --target "$CONTENT_GRPC" --token-file "$WORK/editor-token" \
  --dir "$SEEDS" >"$WORK/import1.log" 2>&1
check "the importer loads the five seed texts" test $? = 0
check "and says so" grep -q "imported 5" "$WORK/import1.log"
"$BIN_DIR/services/content/osh-content-import" --target "$CONTENT_GRPC" --token-file "$WORK/editor-token" \
  --dir "$SEEDS" >"$WORK/import2.log" 2>&1
check "a second import changes nothing" grep -q "imported 0, already present 5" "$WORK/import2.log"

http GET "/v1/articles?page_size=10"
check "the public lists five published articles" test "$(json_get "$BODY" "['articles'].__len__()")" = 5
ID="$(json_get "$BODY" "['articles'][0]['id']")"
http GET "/v1/articles/$ID"
check "a published article is readable without a token" test "$STATUS" = 200
check "with its body" test -n "$(json_get "$BODY" "['content']['body']")"

Q="$(urlencode 尘肺病)"
http GET "/v1/articles:search?query=$Q"
check "search without a token" test "$STATUS" = 200
check "尘肺病 ranks the 2022 newsletter first" \
  contains "$(json_get "$BODY" "['hits'][0]['article']['content']['sourceDate']")" 2022-11-11
check "its snippet marks the match" contains "$BODY" '"match":true'
check "first search is a cache miss" test "$(header x-cache)" = miss
http GET "/v1/articles:search?query=$Q"
check "the same search again is a cache hit" test "$(header x-cache)" = hit
http GET "/v1/articles:search?query=$(urlencode '  ，')"
check "a query with nothing to search is 400" test "$STATUS" = 400
check "naming the query field" contains "$BODY" '"field":"query"'

# An editor writes through the gateway.
ARTICLE='{"content":{"title":"夏季高温作业防暑指南","body":"高温作业岗位应合理安排作息。\n配备防暑降温饮品。","category":"ARTICLE_CATEGORY_SCIENCE","locale":"zh-CN","audiences":["AUDIENCE_CONSTRUCTION_WORKERS"],"hazardCategories":["HAZARD_CATEGORY_PHYSICAL"]},"requestId":"e2e-create-1"}'
http POST /v1/articles "" "$ARTICLE"
check "anonymous writes are 401" test "$STATUS" = 401
http POST /v1/articles "$INSPECTOR" "$ARTICLE"
check "inspectors cannot write content (403)" test "$STATUS" = 403
http POST /v1/articles "$EDITOR" '{"content":{"title":"","category":"ARTICLE_CATEGORY_NEWS","locale":"zh-CN"}}'
check "an empty title is 400" test "$STATUS" = 400
check "naming content.title" contains "$BODY" '"field":"content.title"'
http POST /v1/articles "$EDITOR" "$ARTICLE"
check "an editor creates a draft" test "$STATUS" = 200
NEW="$(json_get "$BODY" "['id']")"; VERSION="$(json_get "$BODY" "['version']")"
check "in DRAFT" test "$(json_get "$BODY" "['status']")" = ARTICLE_STATUS_DRAFT

Q2="$(urlencode 防暑)"
http GET "/v1/articles:search?query=$Q2"
check "a draft is not searchable" test "$(json_get "$BODY" ".get('hits', []).__len__()")" = 0
http POST "/v1/articles/$NEW:publish" "$EDITOR" "{\"version\":\"$VERSION\"}"
check "publishing a draft is refused (FAILED_PRECONDITION, 400)" test "$STATUS" = 400
http POST "/v1/articles/$NEW:submit" "$EDITOR" "{\"version\":\"$VERSION\"}"
VERSION="$(json_get "$BODY" "['version']")"
http POST "/v1/articles/$NEW:publish" "$EDITOR" "{\"version\":\"$VERSION\"}"
check "submit then publish" test "$(json_get "$BODY" "['status']")" = ARTICLE_STATUS_PUBLISHED
VERSION="$(json_get "$BODY" "['version']")"
http GET "/v1/articles:search?query=$Q2"
check "the publication reached the cached search at once" test "$(json_get "$BODY" "['hits'].__len__()")" = 1
check "found through its body" test "$(json_get "$BODY" "['hits'][0]['article']['id']")" = "$NEW"

http PATCH "/v1/articles/$NEW" "$EDITOR" \
  "{\"article\":{\"version\":\"$VERSION\",\"content\":{\"title\":\"夏季高温作业防暑降温指南\"}},\"updateMask\":\"content.title\",\"changeNote\":\"fuller title\"}"
check "an edit makes revision 2" test "$(json_get "$BODY" "['latestRevision']")" = 2
VERSION="$(json_get "$BODY" "['version']")"
http GET "/v1/articles/$NEW/revisions:diff?fromRevision=1" "$EDITOR"
check "the diff names the title change" contains "$BODY" '"toValue":"夏季高温作业防暑降温指南"'
http GET "/v1/articles/$NEW"
check "the public still reads revision 1" contains "$BODY" '"title":"夏季高温作业防暑指南"'

http POST "/v1/articles/$NEW:withdraw" "$EDITOR" "{\"version\":\"$VERSION\",\"reason\":\"seasonal\"}"
check "an editor withdraws it" test "$STATUS" = 200
http GET "/v1/articles/$NEW"
check "a withdrawn article is 404 to the public" test "$STATUS" = 404
check "with a JSON error" contains "$BODY" '"code":5'

http GET /openapi.json
check "OpenAPI documents the search route" contains "$BODY" '/v1/articles:search'

if [[ -n "$PG_URL" ]]; then
  check "on PostgreSQL: no content.db was made" test ! -e "$WORK/content/content.db"
  kill -TERM "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null  # its sessions end before the database goes
  psql_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
fi
echo "content e2e: $passed passed, $failed failed"
[[ "$failed" = 0 ]]
