# Sourced by the service benchmarks: the resident memory of the service under
# test. Needs PID (the service's process) and RSS_BENCH (the prefix of the
# printed bench names, e.g. "registry").

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }

# with_peak_rss <label> <command...>: runs it, then prints the service's peak
# RSS sampled every 100 ms meanwhile.
with_peak_rss() {
  local label="$1"; shift
  local peak=0 r
  "$@" & local job=$!
  while kill -0 "$job" 2>/dev/null; do
    r="$(rss_kib)"; (( r > peak )) && peak=$r
    sleep 0.1
  done
  wait "$job"
  echo "{\"bench\": \"$RSS_BENCH.rss_under_load_kib\", \"scenario\": \"$label\", \"value\": $peak}"
}
