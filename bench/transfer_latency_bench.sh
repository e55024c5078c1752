#!/usr/bin/env bash
# Transfer latency between provinces across mirrored clusters, in the deployed topology
# (tests/exchange/topology.sh: Guangdong's and Jiangsu's own Kafka clusters, the national one,
# Apache Kafka's MirrorMaker 2 up and down, one osh-registry per province). Transfers N
# employers (each with one approved declaration) one after another from Guangdong to Jiangsu
# and prints, as JSON lines, percentiles of
#   arrival_ms:  TransferEmployer answered in Guangdong -> the employer ACTIVE in Jiangsu's
#                database (province -> national -> province, import committed);
#   confirm_ms:  TransferEmployer answered -> the acknowledgement applied in Guangdong
#                (transfers_sent.confirm_time_ms: the whole round trip).
# One warm-up transfer first (MirrorMaker 2's first poll is not the steady state).
#
#   deploy/build.sh && bench/transfer_latency_bench.sh [transfers=50]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

N="${1:-50}"
REGISTRY="$OSH_BUILD_DIR/services/registry/osh-registry"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"
GRPCURL="$OSH_TOOLS_BIN/grpcurl"
KAFKA="$OSH_ROOT/deploy/kafka.sh"
MM2="$OSH_ROOT/tests/exchange/mirrormaker.sh"
BASE="${OSH_BENCH_EXCHANGE_PORT:-39192}"
source "$OSH_ROOT/tests/exchange/topology.sh"

topology_up
ids=()
for i in $(seq 0 "$N"); do
  id="$(new_employer "$i" 1 DECLARATION_TYPE_INITIAL)"; is_id "$id" "employer $i not registered"
  ids+=("$id")
done
printf '%s\n' "${ids[@]}" > "$WORK/employers"

# Polls the two SQLite files every 2 ms (read-only) while grpcurl drives TransferEmployer.
python3 - "$WORK/employers" "$WORK/data44/registry.db" "$WORK/data32/registry.db" "$GRPCURL" "${GRPC[44]}" "$ADMIN44" <<'PY'
import json, sqlite3, subprocess, sys, time
ids_file, db44, db32, grpcurl, target, token = sys.argv[1:]
ids = open(ids_file).read().split()
def ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
def call(method, body):
    out = subprocess.run([grpcurl, "-plaintext", "-H", f"authorization: Bearer {token}", "-d", json.dumps(body), target,
                          f"osh.registry.v1.RegistryService/{method}"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{method}: {out.stdout} {out.stderr}")
    return json.loads(out.stdout)
def transfer(employer_id):
    version = call("GetEmployer", {"id": employer_id})["version"]
    call("TransferEmployer", {"id": employer_id, "version": version, "to_division_code": "320500", "reason": "bench"})
    return time.time() * 1000
def wait(query, args, db, limit_s=120):
    deadline = time.time() + limit_s
    while time.time() < deadline:
        row = db.execute(query, args).fetchone()
        if row and row[0] is not None:
            return time.time() * 1000, row[0]
        time.sleep(0.002)
    raise SystemExit(f"timed out: {query} {args}")
arrival, confirm = [], []
for n, employer_id in enumerate(ids):
    a44, a32 = ro(db44), ro(db32)
    t0 = transfer(employer_id)
    t1, _ = wait("SELECT 1 FROM employers WHERE id = ? AND status = 1", (employer_id,), a32)
    _, confirmed_ms = wait("SELECT confirm_time_ms FROM transfers_sent WHERE employer_id = ? AND state = 2",
                           (employer_id,), a44)
    if n == 0:
        continue  # warm-up
    arrival.append(t1 - t0)
    confirm.append(confirmed_ms - t0)
def pct(values, p):
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 1)
for name, values in (("arrival_ms", arrival), ("confirm_ms", confirm)):
    print(json.dumps({"bench": f"exchange.transfer_{name}", "transfers": len(values), "p50_ms": pct(values, 50),
                      "p99_ms": pct(values, 99), "max_ms": round(max(values), 1)}))
PY
