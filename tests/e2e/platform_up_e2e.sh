#!/usr/bin/env bash
# The README's two operator commands, for real: deploy/up.sh brings the whole
# local platform up (Kafka, Redis, three provinces' registries, the national
# reporting, the gateway, demo data), the platform answers through the gateway,
# deploy/down.sh stops it, and no process is left behind. Runs in a data
# directory of its own; uses the documented loopback ports, so it runs alone.
# Prints the time to ready and the platform's resident memory (not asserted).
# Usage: platform_up_e2e.sh <source-dir>
set -uo pipefail
ROOT="$1"
export OSH_VAR_DIR="$(mktemp -d)" OSH_DEMO_EMPLOYERS=40
cleanup() {
  "$ROOT/deploy/down.sh" >/dev/null 2>&1
  pkill -KILL -f "$OSH_VAR_DIR" 2>/dev/null
  rm -rf "$OSH_VAR_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0 failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}

start=$(date +%s.%N)
timeout 400 "$ROOT/deploy/up.sh" >"$OSH_VAR_DIR/up.log" 2>&1
rc=$?
ready=$(date +%s.%N)
check "deploy/up.sh succeeds" test "$rc" = 0
[[ "$rc" = 0 ]] || tail -30 "$OSH_VAR_DIR/up.log"
echo "up: $(python3 -c "print(round($ready - $start, 1))") s to ready"

TOKEN="$(cat "$OSH_VAR_DIR/secrets/dev-token" 2>/dev/null)"
list="$(curl -s --max-time 30 -H "authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/v1/employers?page_size=5')"
check "the gateway lists the seeded employers" grep -q '"creditCode"' <<<"$list"
check "the public metric catalogue answers without a token" \
  grep -q registered_employers <(curl -s --max-time 30 http://127.0.0.1:8080/v1/reporting/metrics)
ID="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["employers"][0]["id"])' "$list" 2>/dev/null)"
check "a risk classification through the gateway" \
  grep -q hazardClass <(curl -s --max-time 30 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:8080/v1/employers/$ID/risk-classification")
check "the seed texts are published and searchable without a token" \
  grep -q '"match":true' <(curl -s --max-time 30 'http://127.0.0.1:8080/v1/articles:search?query=%E5%B0%98%E8%82%BA%E7%97%85')
check "the demo training courses are published and listed without a token" \
  grep -q '粉尘危害与尘肺病预防' <(curl -s --max-time 30 http://127.0.0.1:8080/v1/courses)
check "the xAPI LRS of osh-training answers" \
  grep -q '1.0.3' <(curl -s --max-time 30 -H 'X-Experience-API-Version: 1.0.3' http://127.0.0.1:8108/xapi/about)
check "the demo notification rules are in place (deadline reminders planned for 15 December)" \
  grep -q 'annual:' <(curl -s --max-time 30 -H "authorization: Bearer $TOKEN" http://127.0.0.1:8080/v1/notify/reminders)
check "the gateway is ready with Redis" grep -q '"redis":"up"' <(curl -s --max-time 30 http://127.0.0.1:9100/readyz)
# The demo's facts reach national reporting through Kafka: poll (bounded) until
# Guangdong's row of this year has all seven indicators with a denominator.
NATIONAL="$(cat "$OSH_VAR_DIR/secrets/dev-token-national" 2>/dev/null)"
seven_indicators() {
  curl -s --max-time 30 -H "authorization: Bearer $NATIONAL" \
    "http://127.0.0.1:8080/v1/reporting/indicators?year=$(date -u +%Y)&groupBy=INDICATOR_GROUPING_REGION" |
    python3 -c 'import json,sys
rows = [r for r in json.load(sys.stdin).get("rows", []) if r.get("regionCode") == "44"]
ok = rows and len(rows[0]["indicators"]) == 7 and all(int(i.get("denominator", 0)) > 0 for i in rows[0]["indicators"])
sys.exit(0 if ok else 1)' 2>/dev/null
}
for _ in $(seq 1 120); do seven_indicators && break; sleep 0.5; done
check "the nation sees all seven demo indicators of Guangdong, each with a denominator" seven_indicators

# Everything started for this data directory; redis-server retitles itself, so its pid file.
platform_pids() { pgrep -f "$OSH_VAR_DIR"; cat "$OSH_VAR_DIR/redis/redis.pid" 2>/dev/null; }
rss_kb=0
for pid in $(platform_pids); do
  kb="$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
  rss_kb=$((rss_kb + ${kb:-0}))
done
echo "resident memory of the local platform: $((rss_kb / 1024)) MiB in $(platform_pids | wc -l) processes"
for pid in $(platform_pids); do
  printf '  %-14s %6d MiB\n' "$(cat "/proc/$pid/comm")" "$(( $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") / 1024 ))"
done

# A second up.sh leaves the running platform alone.
timeout 120 "$ROOT/deploy/up.sh" >"$OSH_VAR_DIR/up2.log" 2>&1
check "a second up.sh succeeds and reuses what runs" grep -q "already running" "$OSH_VAR_DIR/up2.log"

# A service killed with SIGKILL, and up.sh run again at once: the killed process may
# linger as a zombie (its pid still answers `kill -0`), yet up.sh must start it again
# instead of taking it for running, and the seeding that follows must reach it.
killed="$(cat "$OSH_VAR_DIR/run/registry.pid")"
kill -KILL "$killed"
timeout 120 "$ROOT/deploy/up.sh" >"$OSH_VAR_DIR/up3.log" 2>&1
rc=$?
check "up.sh right after a service was SIGKILLed succeeds" test "$rc" = 0
[[ "$rc" = 0 ]] || tail -20 "$OSH_VAR_DIR/up3.log"
check "it starts the killed service again" grep -q "registry ready" "$OSH_VAR_DIR/up3.log"
check "under a new pid" test "$(cat "$OSH_VAR_DIR/run/registry.pid")" != "$killed"
check "and leaves the others running" grep -q "gateway already running" "$OSH_VAR_DIR/up3.log"
check "the restarted registry serves (a query the gateway has not cached)" \
  grep -q '"creditCode"' <(curl -s --max-time 30 -H "authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/v1/employers?page_size=3')

timeout 120 "$ROOT/deploy/down.sh" >"$OSH_VAR_DIR/down.log" 2>&1
check "deploy/down.sh succeeds" test $? = 0
sleep 1
left="$(pgrep -f "$OSH_VAR_DIR" | wc -l)"
check "no process is left behind" test "$left" = 0
for port in 8080 9092 6379 7101 7105 7106 7107 7108 8108; do
  check "nothing listens on $port any more" bash -c '! (exec 3<>"/dev/tcp/127.0.0.1/$0") 2>/dev/null' "$port"
done

echo "platform up e2e: $passed passed, $failed failed"
if [[ "$failed" != 0 ]]; then
  # The data directory goes with the cleanup: what the services said stays in the test's output.
  for f in "$OSH_VAR_DIR"/*.log "$OSH_VAR_DIR"/log/*.log; do
    [[ -f "$f" ]] && { echo "--- ${f#"$OSH_VAR_DIR"/} (last 15 lines)"; tail -n 15 "$f"; }
  done
fi
[[ "$failed" = 0 ]]
