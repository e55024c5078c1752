#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, -fsanitize=fuzzer,address,undefined) in
# a build directory of their own and runs each for a bounded time, starting from
# its checked-in seed corpus (fuzz/corpus/<target>/ beside the code) plus what
# earlier runs found (<build dir>/fuzz-corpus/<target>/, kept between runs).
#
#   tests/fuzz/run.sh [seconds per target (default 30)] [target ...]
#
# OSH_FUZZ_BUILD_DIR  build directory (default build-fuzz in the checkout; never
#                     share one with g++ objects)
# OSH_FUZZ_FORKS      fuzzing processes per target (default 1; the machine has 2 cores)
# OSH_FUZZ_SEED       libFuzzer's random seed (default: a new one each run). With a
#                     seed and OSH_FUZZ_RUNS a run is the same on every machine, which
#                     is what a gate needs: the suite's run fails only when the code
#                     changed, never by luck. Exploration runs leave both unset.
# OSH_FUZZ_RUNS       stop each target after this many inputs (the time still caps it)
# Exits non-zero when a target crashed, leaked, hit undefined behaviour or broke
# an invariant; the input is saved under <build dir>/fuzz-artifacts/<target>/
# and its path printed. Reproduce with: <build dir>/<path>/<target> <input>.
# One summary line per target gives executions, coverage (cov: edges, ft: features)
# and the corpus size, as libFuzzer reports them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/common.sh"

seconds="${1:-30}"
shift || true
build_dir="${OSH_FUZZ_BUILD_DIR:-$OSH_ROOT/build-fuzz}"
forks="${OSH_FUZZ_FORKS:-1}"

mkdir -p "$build_dir"
# One run at a time per build directory: two ninjas in one tree break each other.
exec 9>"$build_dir/.fuzz-run.lock"
flock 9
command -v clang++ >/dev/null || osh_die "clang++ is missing (deploy/install-deps.sh installs clang)"
# deploy/build.sh brings ccache and the configure-again-on-change logic.
OSH_BUILD_DIR="$build_dir" \
  OSH_CMAKE_ARGS="-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DOSH_FUZZ=ON -DOSH_BUILD_TESTS=OFF" \
  "$OSH_ROOT/deploy/build.sh" osh_fuzz >"$build_dir/fuzz-build.log" 2>&1 ||
  { tail -n 60 "$build_dir/fuzz-build.log"; osh_die "building the fuzz targets failed (log: $build_dir/fuzz-build.log)"; }

manifest="$build_dir/fuzz-targets.tsv"
[[ -s "$manifest" ]] || osh_die "no fuzz targets listed in $manifest"

failed=()
ran=0
while IFS=$'\t' read -r name binary seeds dict; do
  [[ -n "$name" ]] || continue
  if (( $# > 0 )) && [[ " $* " != *" $name "* ]]; then continue; fi
  corpus="$build_dir/fuzz-corpus/$name"
  artifacts="$build_dir/fuzz-artifacts/$name"
  log="$build_dir/fuzz-logs/$name.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [[ "$dict" == "-" ]] || args+=(-dict="$dict")
  [[ -z "${OSH_FUZZ_SEED:-}" ]] || args+=(-seed="$OSH_FUZZ_SEED")
  [[ -z "${OSH_FUZZ_RUNS:-}" ]] || args+=(-runs="$OSH_FUZZ_RUNS")
  (( forks <= 1 )) || args+=(-fork="$forks" -ignore_crashes=0)
  ran=$((ran + 1))
  status=0
  # New inputs go to the first directory (the build's), never into the source tree.
  "$binary" "${args[@]}" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)"
  progress="$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || true)"
  if (( status == 0 )); then
    printf '[fuzz] %-28s ok    ≤%ss  execs %s  %s\n' "$name" "$seconds" "${execs:-?}" "${progress:-}"
  else
    failed+=("$name")
    printf '[fuzz] %-28s FAILED (exit %s)  log %s\n' "$name" "$status" "$log"
    grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written|==[0-9]+==' "$log" | head -n 20 || true
  fi
done <"$manifest"

(( ran > 0 )) || osh_die "no fuzz target matched: $*"
if (( ${#failed[@]} > 0 )); then
  osh_log "fuzz targets that failed: ${failed[*]}"
  exit 1
fi
