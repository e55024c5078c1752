#!/usr/bin/env bash
# osh-registry GetEmployer against the bare gRPC floor, side by side in one run
# (issue 18): the same load generator with the same settings drives a bare
# gRPC C++ callback server answering a greeting (bench/grpc_floor, no auth, no
# store) and then osh-registry answering GetEmployer (token verified, SQLite
# read, access check, metrics), and prints both figures and their ratio.
#
#   bench/registry_floor_bench.sh [seconds=12] [connections=8] [streams=16] [rounds=4]
#
# Load: h2load (Debian nghttp2-client), `connections` HTTP/2 connections with
# `streams` concurrent streams each, POSTing one gRPC request body (the 5-byte
# gRPC frame prefix + the serialized request) with content-type
# application/grpc and te: trailers, plus the bearer token for the registry.
# h2load counts HTTP statuses, not grpc-status, so each target is first asked
# once with nghttp and must answer grpc-status 0, and the registry's own
# osh_grpc_server_handled_total{code="OK"} for GetEmployer must have grown by
# at least h2load's successes (a run that measured errors is refused).
#
# The registry runs as in bench/registry_bench.sh: free loopback ports, fresh
# data dir and keys, no broker, access log off; employers are created with
# osh-loadgen for 2 s first (not timed) and one of them is read by every call.
# With OSH_BENCH_PERF_DATA=<file>, `perf record -g` samples the registry while
# it is driven (then: perf report -i <file> --no-children --sort symbol);
# OSH_BENCH_PERF_CALL_GRAPH=dwarf for whole stacks (our binaries keep no frame pointers).
# Each target is driven for `seconds` in all, split into `rounds` segments
# that alternate between the two (ABBA), each after a 1 s warm-up.
# Prints one JSON line per target (rate_per_s, p50_ms, p99_ms from h2load's
# per-request log, and the server's CPU time per call) and one with the ratio
# registry / floor.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

SECONDS_PER_TARGET="${1:-12}"
CONNECTIONS="${2:-8}"
STREAMS="${3:-16}"
ROUNDS="${4:-4}"
SEGMENT_SECONDS=$(( SECONDS_PER_TARGET / ROUNDS > 0 ? SECONDS_PER_TARGET / ROUNDS : 1 ))
WARM_UP_SECONDS=1
# OSH_BENCH_REGISTRY: another osh-registry binary to measure (e.g. another checkout's, for before/after).
REGISTRY="${OSH_BENCH_REGISTRY:-$OSH_BUILD_DIR/services/registry/osh-registry}"
FLOOR="$OSH_BUILD_DIR/bench/osh-grpc-floor"
LOADGEN="$OSH_BUILD_DIR/bench/osh-loadgen"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"
for binary in "$REGISTRY" "$FLOOR" "$LOADGEN" "$DEVTOKEN"; do
  [[ -x "$binary" ]] || osh_die "build first (deploy/build.sh): $binary is missing"
done
for tool in h2load nghttp sqlite3 python3; do
  command -v "$tool" >/dev/null || osh_die "$tool is missing: deploy/install-deps.sh installs it"
done

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too

# grpc_body <out> <hex of the serialized request>: the gRPC length-prefixed message.
grpc_body() {
  python3 -c 'import sys, struct; m = bytes.fromhex(sys.argv[2]); open(sys.argv[1], "wb").write(b"\0" + struct.pack(">I", len(m)) + m)' "$1" "$2"
}
# proto_string_field <field number> <text>: hex of one length-delimited field (text < 128 bytes).
proto_string_field() {
  python3 -c 'import sys; t = sys.argv[2].encode(); print((bytes([int(sys.argv[1]) << 3 | 2, len(t)]) + t).hex())' "$1" "$2"
}

# preflight <what> <url> <body> [header...]: one call with nghttp; it must end with grpc-status 0.
preflight() {
  local what="$1" url="$2" body="$3"; shift 3
  local args=(-v -d "$body" -H 'content-type: application/grpc' -H 'te: trailers')
  local h
  for h in "$@"; do args+=(-H "$h"); done
  nghttp "${args[@]}" "$url" >"$WORK/$what.preflight" 2>&1 || osh_die "$what: nghttp failed: $(tail -3 "$WORK/$what.preflight")"
  grep -aq 'grpc-status: 0' "$WORK/$what.preflight" ||
    osh_die "$what: the call did not answer grpc-status 0: $(grep -a 'grpc-' "$WORK/$what.preflight" | head -3)"
}

# drive <bench name> <round> <server pid> <url> <body> [header...]: h2load for SEGMENT_SECONDS after a
# warm-up, into $WORK/<bench name>.<round>.{out,log}; the server's CPU time (utime + stime, in clock
# ticks) before and after goes to $WORK/<bench name>.<round>.cpu.
drive() {
  local name="$1" round="$2" pid="$3" url="$4" body="$5"; shift 5
  local base="$WORK/$name.$round"
  local args=(-c "$CONNECTIONS" -m "$STREAMS" -t 1 -D "$SEGMENT_SECONDS" --warm-up-time "$WARM_UP_SECONDS"
              -d "$body" -H 'content-type: application/grpc' -H 'te: trailers' --log-file "$base.log")
  local h
  for h in "$@"; do args+=(-H "$h"); done
  cpu_ticks "$pid" >"$base.cpu"
  h2load "${args[@]}" "$url" >"$base.out" 2>&1 || osh_die "$name: h2load failed: $(tail -5 "$base.out")"
  cpu_ticks "$pid" >>"$base.cpu"
}

# cpu_ticks <pid>: the process's user + system CPU time so far, in clock ticks.
cpu_ticks() {
  local stat
  stat="$(cat "/proc/$1/stat")"
  stat="${stat##*) }"  # the fields after "(comm)": utime and stime are the 12th and 13th
  awk '{print $12 + $13}' <<<"$stat"
}

# handled_ok <admin port>: the registry's count of GetEmployer calls answered OK.
handled_ok() {
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^osh_grpc_server_handled_total\{/ && /GetEmployer"/ && /code="OK"/ {sum += $NF} END {printf "%d\n", sum}'
}

echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"

# --- the floor ---
"$FLOOR" --address 127.0.0.1:0 --port-file "$WORK/floor-port" >"$WORK/floor.log" 2>&1 &
PIDS+=($!)
osh_wait_for 30 "the gRPC floor" test -s "$WORK/floor-port"
FLOOR_PORT="$(cat "$WORK/floor-port")"
grpc_body "$WORK/floor-body" "$(proto_string_field 1 world)"
FLOOR_URL="http://127.0.0.1:$FLOOR_PORT/osh.bench.floor.v1.Greeter/SayHello"
preflight floor "$FLOOR_URL" "$WORK/floor-body"

# --- the registry ---
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
"$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 --data-dir "$WORK/data" \
  --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/ready" --access-log false --kafka-brokers "" \
  --field-key-file "$WORK/field-keys" >"$WORK/registry.log" 2>&1 &
PIDS+=($!)
osh_wait_for 30 "registry" test -s "$WORK/ready"
REGISTRY_PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/ready")"
ADMIN_PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_port"])' "$WORK/ready")"
"$DEVTOKEN" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 3600 > "$WORK/token"
"$LOADGEN" bench --target "127.0.0.1:$REGISTRY_PORT" --token-file "$WORK/token" --mode create --concurrency 4 \
  --duration-ms 2000 >"$WORK/seed.out" 2>&1 || osh_die "seeding failed: $(cat "$WORK/seed.out")"
EMPLOYER_ID="$(sqlite3 "file:$WORK/data/registry.db?mode=ro" 'SELECT id FROM employers ORDER BY id LIMIT 1')"
[[ -n "$EMPLOYER_ID" ]] || osh_die "no employer was created"
grpc_body "$WORK/registry-body" "$(proto_string_field 1 "$EMPLOYER_ID")"
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/osh.registry.v1.RegistryService/GetEmployer"
AUTH="authorization: Bearer $(cat "$WORK/token")"
preflight registry "$REGISTRY_URL" "$WORK/registry-body" "$AUTH"

# --- side by side: the same settings for both, in alternating rounds (floor first in odd rounds,
# registry first in even ones) so that a change of the machine's other load weighs on both alike ---
OK_BEFORE="$(handled_ok "$ADMIN_PORT")"
PERF_PID=""
if [[ -n "${OSH_BENCH_PERF_DATA:-}" ]]; then
  # Where the registry's time goes: perf samples it (call graphs) while the rounds run.
  perf record -q -F 499 --call-graph "${OSH_BENCH_PERF_CALL_GRAPH:-fp}" -o "$OSH_BENCH_PERF_DATA" -p "${PIDS[1]}" >"$WORK/perf.log" 2>&1 &
  PERF_PID=$!
fi
for ((round = 1; round <= ROUNDS; round++)); do
  if (( round % 2 == 1 )); then
    drive floor.say_hello "$round" "${PIDS[0]}" "$FLOOR_URL" "$WORK/floor-body"
    drive registry.get_employer "$round" "${PIDS[1]}" "$REGISTRY_URL" "$WORK/registry-body" "$AUTH"
  else
    drive registry.get_employer "$round" "${PIDS[1]}" "$REGISTRY_URL" "$WORK/registry-body" "$AUTH"
    drive floor.say_hello "$round" "${PIDS[0]}" "$FLOOR_URL" "$WORK/floor-body"
  fi
done
if [[ -n "$PERF_PID" ]]; then
  kill -INT "$PERF_PID"
  wait "$PERF_PID" || true
fi
OK_AFTER="$(handled_ok "$ADMIN_PORT")"

python3 - "$WORK" "$ROUNDS" "$((CONNECTIONS * STREAMS))" "$(getconf CLK_TCK)" "$((OK_AFTER - OK_BEFORE))" <<'EOF'
import json, re, sys
work, rounds, concurrency, clk_tck, registry_ok = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def summarize(name):
    ok = failed = all_calls = 0
    seconds = cpu_ticks = 0.0
    latencies = []
    for r in range(1, rounds + 1):
        base = f"{work}/{name}.{r}"
        out = open(base + ".out").read()
        counts = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
        # "finished in" counts the warm-up too; req/s is over the measured period alone.
        rate = re.search(r"finished in [\d.]+s, ([\d.]+) req/s", out)
        if not counts or not rate:
            sys.exit(f"{name}: no request counts in h2load's output:\n{out}")
        succeeded = int(counts.group(4))
        ok += succeeded
        failed += int(counts.group(5)) + int(counts.group(6))
        seconds += succeeded / float(rate.group(1)) if succeeded else 0.0
        # h2load logs the warm-up's requests too; the measured period ends last: its latencies are
        # those of the latest `succeeded` successful completions.
        rows = []
        for line in open(base + ".log"):
            start_us, status, elapsed_us = line.split("\t")[:3]
            if status.strip() == "200":
                rows.append((int(start_us) + int(elapsed_us), int(elapsed_us)))
        rows.sort()
        all_calls += len(rows)
        latencies += [e for _, e in rows[-succeeded:]] if succeeded else []
        before, after = (int(x) for x in open(base + ".cpu").read().split())
        cpu_ticks += after - before
    latencies.sort()
    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] / 1000.0, 3) if latencies else None
    return {"bench": name, "concurrency": concurrency, "rounds": rounds, "seconds": round(seconds, 2), "ok": ok,
            "failed": failed, "rate_per_s": round(ok / seconds, 1) if seconds else None,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            # the server's CPU time per call (warm-up calls in both terms): the figure other load moves least
            "cpu_us_per_call": round(cpu_ticks / clk_tck / all_calls * 1e6, 1) if all_calls else None}

floor, registry = summarize("floor.say_hello"), summarize("registry.get_employer")
print(json.dumps(floor))
print(json.dumps(registry))
if registry["ok"] > registry_ok:
    sys.exit(f"the registry answered GetEmployer OK {registry_ok} times, h2load counted {registry['ok']} successes: calls failed")
print(json.dumps({"bench": "registry.get_employer_vs_floor", "floor_rate_per_s": floor["rate_per_s"],
                  "registry_rate_per_s": registry["rate_per_s"],
                  "ratio": round(registry["rate_per_s"] / floor["rate_per_s"], 3),
                  "floor_p99_ms": floor["p99_ms"], "registry_p99_ms": registry["p99_ms"],
                  "cpu_per_call_ratio": round(registry["cpu_us_per_call"] / floor["cpu_us_per_call"], 2)}))
EOF
