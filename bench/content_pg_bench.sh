#!/usr/bin/env bash
# Content search on SQLite FTS5 and on PostgreSQL in the same run: the same
# corpus (the seeds plus make_corpus.py's synthetic articles, default 10,000)
# indexed by the service's bigram index on each backend, then the same query
# set through Content::SearchArticles (first page of 20 with the hit count).
# PostgreSQL is a private server (deploy/postgres.sh, its own directory and
# port) started and stopped here. Prints osh-content-search-bench's JSON lines;
# compare content.search.all's queries_per_s and p50/p99 per tokenizer
# ("bigram": SQLite FTS5, "postgres_bigram": tsvector parts under GIN).
# Usage: bench/content_pg_bench.sh [articles=10000] [repeats=20] [port=25439]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
BIN="$OSH_BUILD_DIR/bench/osh-content-search-bench"
[[ -x "$BIN" ]] || osh_die "build first: deploy/build.sh"
COUNT="${1:-10000}" REPEATS="${2:-20}" PORT="${3:-25439}"
PG_BIN="${OSH_PG_BIN:-/usr/lib/postgresql/15/bin}"
SEEDS="${OSH_SEEDS_DIR:-$OSH_ROOT/../shared/seeds}"
source "$OSH_ROOT/bench/content/corpus.sh"
content_corpus "$COUNT"
WORK="$(mktemp -d)"
chmod 755 "$WORK"  # the server may run as another user (deploy/postgres.sh as root)
cleanup() { "$OSH_ROOT/deploy/postgres.sh" stop --dir "$WORK/pg" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$OSH_ROOT/deploy/postgres.sh" start --fresh --dir "$WORK/pg" --port "$PORT" >/dev/null
"$PG_BIN/psql" -q -X "postgres://osh@127.0.0.1:$PORT/postgres" -c "CREATE DATABASE content_bench"
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
OSH_BENCH_POSTGRES_URL="postgres://osh@127.0.0.1:$PORT/content_bench" \
  "$BIN" "$WORK" "$CORPUS" "$SEEDS" "$REPEATS" "bigram,postgres"
