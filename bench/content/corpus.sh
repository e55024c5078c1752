# Sourced by the content benches (after deploy/common.sh): content_corpus N
# sets CORPUS to the cached synthetic corpus of N articles (the seeds of
# SEEDS turned into variations by make_corpus.py), generating it once.
content_corpus() {
  CORPUS="$OSH_CACHE_DIR/bench/content-corpus-$1.jsonl"
  if [[ ! -s "$CORPUS" ]]; then
    mkdir -p "$(dirname "$CORPUS")"
    python3 "$OSH_ROOT/bench/content/make_corpus.py" --count "$1" --seeds-dir "$SEEDS" --out "$CORPUS.tmp"
    mv "$CORPUS.tmp.needles.json" "$CORPUS.needles.json"
    mv "$CORPUS.tmp" "$CORPUS"
  fi
}
