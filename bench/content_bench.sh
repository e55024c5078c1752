#!/usr/bin/env bash
# Content search at province scale: the five seed texts plus a synthetic corpus
# (default 100,000 articles, Chinese, English and mixed, generated from the
# seeds by bench/content/make_corpus.py and cached), indexed with the service's
# bigram tokenizer and with SQLite's trigram tokenizer; prints build time, size
# on disk and search p50/p99 per query for both.
# Usage: bench/content_bench.sh [articles=100000] [repeats=20] [tokenizers=bigram,trigram]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
BIN="$OSH_BUILD_DIR/bench/osh-content-search-bench"
[[ -x "$BIN" ]] || osh_die "build first: deploy/build.sh"
COUNT="${1:-100000}"
SEEDS="${OSH_SEEDS_DIR:-$OSH_ROOT/../shared/seeds}"
source "$OSH_ROOT/bench/content/corpus.sh"
content_corpus "$COUNT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\"}"
"$BIN" "$WORK" "$CORPUS" "$SEEDS" "${2:-20}" "${3:-bigram,trigram}"
