#!/usr/bin/env bash
# Change-feed read rate and employer export rate of osh-registry, each beside
# its floor measured in the same run on the same database file.
#
#   bench/change_feed_bench.sh [employers=100000] [feed page size=500]
#
# Seeds N synthetic Dongguan employers through the bulk import (gateway upload,
# as bench/import_bench.sh; every row writes its change-log entry as a single
# CreateEmployer would), then osh-change-feed-bench, a gRPC client, follows
# ListEmployerChanges from the empty cursor to the end (page size as given)
# and takes ExportEmployers as CSV and as JSON lines. The floors: sqlite3
# running the feed's own join over the whole log, and a bare
# `SELECT record FROM employers ORDER BY id`, output to /dev/null (no
# parsing, masking, encoding or gRPC).
#
# Figures (one JSON line each): feed.employers changes/s, export.csv and
# export.jsonl rows/s and MiB/s, floor.feed_join and floor.employers_scan rows/s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

ROWS="${1:-100000}"
PAGE="${2:-500}"
REGISTRY="$OSH_BUILD_DIR/services/registry/osh-registry"
GATEWAY="$OSH_BUILD_DIR/services/gateway/osh-gateway"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"
CLIENT="$OSH_BUILD_DIR/bench/osh-change-feed-bench"
[[ -x "$REGISTRY" && -x "$GATEWAY" && -x "$DEVTOKEN" && -x "$CLIENT" ]] ||
  osh_die "build first: deploy/build.sh osh-registry osh-gateway osh-devtoken osh-change-feed-bench"
command -v sqlite3 >/dev/null || osh_die "sqlite3 is missing (deploy/install-deps.sh installs it)"

WORK="$(mktemp -d)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
ready_value() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

python3 - "$WORK/employers.csv" "$ROWS" <<'PY'
import sys
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
IDX = {c: i for i, c in enumerate(ALPHA)}
sizes = ["LARGE", "MEDIUM", "SMALL", "MICRO"]
sections = ["C", "C", "C", "F", "G", "B"]
with open(sys.argv[1], "w", encoding="utf-8", newline="") as out:
    out.write("credit_code,name,division_code,registered_address,industry_section,size_class,"
              "legal_representative,legal_representative_phone,total_workers\r\n")
    for i in range(int(sys.argv[2])):
        first = "91441900" + "%09d" % i
        c = 31 - sum(IDX[ch] * w for ch, w in zip(first, W)) % 31
        code = first + ALPHA[0 if c == 31 else c]
        out.write(f"{code},东莞市第{i}号制品有限公司,441900,广东省东莞市长安镇工业路{i}号,"
                  f"{sections[i % 6]},{sizes[i % 4]},张{i % 97}明,138{i % 100000000:08d},{10 + i % 900}\r\n")
PY
FILE_BYTES="$(stat -c %s "$WORK/employers.csv")"

"$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 --data-dir "$WORK/data" \
  --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/registry.ready" --access-log false --kafka-brokers "" \
  --field-key-file "$WORK/field-keys" --import-max-bytes $((FILE_BYTES + 1024)) --import-batch-rows 1000 \
  >"$WORK/registry.log" 2>&1 &
PIDS+=("$!")
osh_wait_for 60 "registry" test -s "$WORK/registry.ready"
GRPC="127.0.0.1:$(ready_value "$WORK/registry.ready" grpc_port)"
"$GATEWAY" --http-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
  --upstreams "osh.registry.v1.RegistryService=$GRPC" \
  --redis-address "" --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/gateway.ready" --access-log false \
  --upload-body-limit-bytes $((FILE_BYTES + 1024)) --body-bytes-in-flight 0 --body-bytes-in-flight-per-client 0 \
  --upload-timeout-ms 600000 >"$WORK/gateway.log" 2>&1 &
PIDS+=("$!")
osh_wait_for 60 "gateway" test -s "$WORK/gateway.ready"
URL="http://127.0.0.1:$(ready_value "$WORK/gateway.ready" http_port)"
TOKEN="$("$DEVTOKEN" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 7200)"

echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"load1\": $(cut -d' ' -f1 /proc/loadavg), \"kernel\": \"$(uname -r)\"}"
job="$(curl -s -X POST -H "authorization: Bearer $TOKEN" -H 'content-type: text/csv' \
  --data-binary @"$WORK/employers.csv" "$URL/v1/imports/employers?strategy=IMPORT_STRATEGY_CREATE")" ||
  osh_die "upload failed"
[[ "$job" == *\"id\"* ]] || osh_die "upload refused: $job"
id="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$job")"
state=""
while [[ "$state" != IMPORT_STATE_COMPLETED ]]; do  # seeding: poll the job until it ends
  body="$(curl -sf -H "authorization: Bearer $TOKEN" "$URL/v1/imports/$id")"
  state="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["state"])' "$body")"
  [[ "$state" == IMPORT_STATE_FAILED || "$state" == IMPORT_STATE_CANCELLED ]] && osh_die "seeding ended $state: $body"
  [[ "$state" == IMPORT_STATE_COMPLETED ]] || sleep 1
done
echo "{\"bench\": \"feed.seeded\", \"employers\": $ROWS}"

"$CLIENT" "$GRPC" "$TOKEN" "$PAGE"

# The floors, on the registry's own file (WAL: readable while it runs).
DB="$WORK/data/registry.db"
[[ -f "$DB" ]] || osh_die "no database at $DB"
floor() {  # name, SQL
  local start done
  start="$(date +%s.%N)"
  sqlite3 "$DB" "$2" >/dev/null
  done="$(date +%s.%N)"
  python3 -c 'import json,sys; s=float(sys.argv[3])-float(sys.argv[2]); r=int(sys.argv[4]); print(json.dumps({"bench": "floor." + sys.argv[1], "rows": r, "seconds": round(s, 2), "rows_per_second": round(r / s)}))' \
    "$1" "$start" "$done" "$ROWS"
}
floor feed_join "SELECT c.seq, c.version, t.record FROM record_changes c JOIN employers t ON t.id = c.record_id WHERE c.resource = 'employers' ORDER BY c.seq"
floor employers_scan "SELECT record FROM employers ORDER BY id"
