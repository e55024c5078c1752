#!/usr/bin/env bash
# HTTP/JSON gateway throughput and latency: osh-gateway (C++) against
# grpc-gateway v2 (Go, bench/gateway/peer), both in front of one osh-registry.
#
#   bench/gateway/gateway_bench.sh [seconds=10] [connections=16]
#
# Starts on free loopback ports a throwaway redis-server, osh-registry (fresh
# SQLite, no Kafka) and one employer, then runs wrk (plain GET
# /v1/employers/<id> with a bearer token, keep-alive, --latency) against:
#   osh_warm      osh-gateway, Redis cache on and warm
#   osh_cold      osh-gateway, --cache false (Redis still configured)
#   grpc_gateway  grpc-gateway-peer (built by bench/gateway/build-peer.sh)
# Each run follows a 2 s warm-up that is not counted. Prints one JSON line per
# configuration (bench/README.md) and the rate ratios osh / grpc-gateway.
# Without build/services/gateway/osh-gateway (or $OSH_GATEWAY_BIN) only the peer runs.
# wrk, the gateways and the registry share the machine's cores.
set -euo pipefail
# The repository root: the nearest parent holding deploy/common.sh (so the
# script also works when moved to bench/).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
until [[ -f "$ROOT/deploy/common.sh" ]]; do
  [[ "$ROOT" != / ]] || { echo "gateway_bench: deploy/common.sh not found above the script" >&2; exit 1; }
  ROOT="$(dirname "$ROOT")"
done
source "$ROOT/deploy/common.sh"

SECONDS_PER_RUN="${1:-10}"
CONNECTIONS="${2:-16}"
THREADS=$(( CONNECTIONS < $(nproc) ? CONNECTIONS : $(nproc) ))
REGISTRY="$OSH_BUILD_DIR/services/registry/osh-registry"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"
GATEWAY="${OSH_GATEWAY_BIN:-$OSH_BUILD_DIR/services/gateway/osh-gateway}"
GRPCURL="$OSH_TOOLS_BIN/grpcurl"
[[ -x "$REGISTRY" && -x "$DEVTOKEN" ]] || osh_die "build first: deploy/build.sh"
[[ -x "$GRPCURL" ]] || osh_die "grpcurl missing: deploy/install-deps.sh"
command -v redis-server >/dev/null || osh_die "redis-server missing: deploy/install-deps.sh"
if ! command -v wrk >/dev/null; then
  # The same way deploy/install-deps.sh installs Debian packages (as root).
  (( EUID == 0 )) || osh_die "wrk is not installed: apt-get install -y wrk (as root)"
  osh_log "installing Debian package: wrk"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
PEER="$("$ROOT/bench/gateway/build-peer.sh")"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -d "$WORK/redis" ]] && "$ROOT/deploy/redis.sh" stop --dir "$WORK/redis" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that EXIT cleans up on interruption too
# stop <pid>: ends one process this script started.
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ready_port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"

REDIS_PORT="$(free_port)"
"$ROOT/deploy/redis.sh" start --dir "$WORK/redis" --port "$REDIS_PORT" 2>/dev/null

"$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 --data-dir "$WORK/data" \
  --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/registry.ready" --access-log false \
  --field-key-file "$WORK/field-keys" --kafka-brokers "" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
PIDS+=("$REGISTRY_PID")
osh_wait_for 30 "registry" test -s "$WORK/registry.ready" || { tail "$WORK/registry.log" >&2; exit 1; }
UPSTREAM="127.0.0.1:$(ready_port "$WORK/registry.ready" grpc_port)"
TOKEN="$("$DEVTOKEN" --secret-file "$WORK/secret" --sub gateway-bench --role province_admin --province 44 --ttl 3600)"

created="$("$GRPCURL" -plaintext -H "authorization: Bearer $TOKEN" -d '{"employer": {
  "credit_code": "91350100M000100Y43", "name": "网关基准测试有限公司", "division_code": "440300",
  "registered_address": "广东省深圳市南山区科技园", "workplace_address": "广东省深圳市南山区科技园",
  "industry_section": "C", "industry_code": "3011", "size_class": "SIZE_CLASS_MEDIUM",
  "registration_type": "有限责任公司", "legal_representative": "张三",
  "legal_representative_phone": "13800000000", "has_osh_management_body": true,
  "osh_staff_full_time": 2, "osh_staff_part_time": 3, "total_workers": 300},
  "request_id": "gateway-bench-1"}' "$UPSTREAM" osh.registry.v1.RegistryService/CreateEmployer)"
ID="$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["id"])' <<<"$created")"
PATH_="/v1/employers/$ID"

# check_get <base url>: one GET must answer 200 with the employer as JSON.
check_get() {
  local status
  status="$(curl -s -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$1$PATH_")"
  [[ "$status" == 200 ]] && grep -q "\"id\":\"$ID\"" <(tr -d ' \n' < "$WORK/body") ||
    osh_die "GET $1$PATH_ answered $status: $(head -c 300 "$WORK/body")"
}

# run_wrk <scenario> <base url>: warm-up, measured run, one JSON line.
# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_wrk <scenario> <base url> <pid of the front process>
run_wrk() {
  local scenario="$1" base="$2" front_pid="$3"
  check_get "$base"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d 2s -H "Authorization: Bearer $TOKEN" "$base$PATH_" >/dev/null
  local front_before registry_before
  front_before="$(cpu_ticks "$front_pid")" registry_before="$(cpu_ticks "$REGISTRY_PID")"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" --latency \
    -H "Authorization: Bearer $TOKEN" "$base$PATH_" > "$WORK/wrk.$scenario"
  # CPU per request tells cost apart from contention on this shared 2-core machine.
  FRONT_CPU_TICKS=$(( $(cpu_ticks "$front_pid") - front_before ))
  REGISTRY_CPU_TICKS=$(( $(cpu_ticks "$REGISTRY_PID") - registry_before ))
  local first_error=""
  if grep -qE 'Non-2xx|Socket errors' "$WORK/wrk.$scenario"; then
    first_error="$(curl -s -w ' (HTTP %{http_code})' -H "Authorization: Bearer $TOKEN" "$base$PATH_" | head -c 300)"
  fi
  python3 - "$WORK/wrk.$scenario" "$scenario" "$CONNECTIONS" "$first_error" "$FRONT_CPU_TICKS" \
    "$REGISTRY_CPU_TICKS" "$(getconf CLK_TCK)" <<'PY' | tee -a "$WORK/results"
import json, re, sys
text, scenario, conns, first_error = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3]), sys.argv[4]
front_ticks, registry_ticks, hz = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
def ms(v):
    n, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", v).groups()
    return round(float(n) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4, "h": 3.6e6}[unit], 3)
total, secs = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text).group(1, 2)
total, secs = int(total), float(secs)
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or [0, 0])[1])
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = sum(map(int, sock.groups())) if sock else 0
ok = total - non2xx
out = {"bench": "gateway.get_employer", "scenario": scenario, "concurrency": conns,
       "ok": ok, "failed": non2xx + errors, "seconds": secs, "rate_per_s": round(ok / secs, 1),
       "p50_ms": ms(re.search(r"^\s*50%\s+(\S+)", text, re.M)[1]),
       "p99_ms": ms(re.search(r"^\s*99%\s+(\S+)", text, re.M)[1]),
       "front_cpu_us_per_req": round(front_ticks / hz * 1e6 / max(total, 1), 1),
       "registry_cpu_us_per_req": round(registry_ticks / hz * 1e6 / max(total, 1), 1)}
if first_error and out["failed"]:
    out["first_error"] = first_error
print(json.dumps(out, ensure_ascii=False))
PY
}

echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"kernel\": \"$(uname -r)\", \"wrk_threads\": $THREADS}"

# start_gateway <cache true|false>: prints the HTTP base URL once it serves.
start_gateway() {
  local cache="$1" extra=()
  rm -f "$WORK/gateway.ready"
  # Optional flags, passed only when this build knows them.
  "$GATEWAY" --help 2>&1 | grep -q -- '--access-log' && extra+=(--access-log false)
  # Experiments: OSH_GATEWAY_BENCH_FLAGS="--http-threads 4" and the like.
  read -r -a more <<<"${OSH_GATEWAY_BENCH_FLAGS:-}"
  extra+=("${more[@]}")
  "$GATEWAY" --http-address "127.0.0.1:$(free_port)" --admin-address "127.0.0.1:$(free_port)" \
    --upstreams "osh.registry.v1.RegistryService=$UPSTREAM" --redis-address "127.0.0.1:$REDIS_PORT" \
    --cache "$cache" --jwt-hs256-secret-file "$WORK/secret" \
    --rate-limit-per-second 100000000 --rate-limit-capacity 100000000 \
    --ready-file "$WORK/gateway.ready" "${extra[@]}" >"$WORK/gateway.$cache.log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
  osh_wait_for 30 "osh-gateway" test -s "$WORK/gateway.ready" || { tail "$WORK/gateway.$cache.log" >&2; exit 1; }
  GATEWAY_URL="http://127.0.0.1:$(ready_port "$WORK/gateway.ready" http_port)"
}

if [[ -x "$GATEWAY" ]]; then
  start_gateway true
  run_wrk osh_warm "$GATEWAY_URL" "$GATEWAY_PID"
  stop "$GATEWAY_PID"
  start_gateway false
  run_wrk osh_cold "$GATEWAY_URL" "$GATEWAY_PID"
  stop "$GATEWAY_PID"
else
  osh_log "no $GATEWAY yet: measuring grpc-gateway only"
fi

PEER_PORT="$(free_port)"
"$PEER" --listen "127.0.0.1:$PEER_PORT" --upstream "$UPSTREAM" >"$WORK/peer.log" 2>&1 &
PEER_PID=$!
PIDS+=("$PEER_PID")
osh_wait_for 30 "grpc-gateway-peer" osh_port_open "$PEER_PORT" || { tail "$WORK/peer.log" >&2; exit 1; }
run_wrk grpc_gateway "http://127.0.0.1:$PEER_PORT" "$PEER_PID"
stop "$PEER_PID"

python3 - "$WORK/results" <<'PY'
import json, sys
r = {j["scenario"]: j for j in map(json.loads, open(sys.argv[1]))}
peer = r["grpc_gateway"]["rate_per_s"]
for s in ("osh_warm", "osh_cold"):
    if s in r and peer:
        print(json.dumps({"bench": f"gateway.{s}_over_grpc_gateway_rate", "value": round(r[s]["rate_per_s"] / peer, 2)}))
PY
