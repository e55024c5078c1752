#!/usr/bin/env bash
# Bulk import of synthetic employers from one CSV, end to end: HTTP upload
# through osh-gateway (raw text/csv body) into osh-registry, which checks and
# stores the file, then imports it on its import thread (each row validated,
# authorised, written with its sealed personal data, audit entry and outbox
# event, in batches of --import-batch-rows per transaction). Printed beside it:
# SQLite's own `.import` of the same file into a bare table (no validation,
# index, audit or event), the floor any import over SQLite stays above.
#
#   bench/import_bench.sh [rows=700000] [batch rows=500]
#
# Figures (one JSON line each): rows/s from the POST to the job COMPLETED and
# the registry's peak resident memory (VmHWM, which includes the pages of the
# mapped upload it touched and gave back), then the floor's rows/s.
# Events stay in the outbox (no broker): the relay's cost is bench/events_bench.sh's.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

ROWS="${1:-700000}"
BATCH="${2:-500}"
source "$(dirname "${BASH_SOURCE[0]}")/registry_import_env.sh"
[[ -x "$REGISTRY" && -x "$GATEWAY" && -x "$DEVTOKEN" ]] || osh_die "build first: deploy/build.sh"
command -v sqlite3 >/dev/null || osh_die "sqlite3 is missing (deploy/install-deps.sh installs it)"

WORK="$(mktemp -d)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
write_employers_csv "$WORK/employers.csv" "$ROWS"
FILE_BYTES="$(stat -c %s "$WORK/employers.csv")"
start_registry_and_gateway "$FILE_BYTES" "$BATCH"

echo "{\"bench\": \"machine\", \"cores\": $(nproc), \"load1\": $(cut -d' ' -f1 /proc/loadavg), \"kernel\": \"$(uname -r)\"}"
echo "{\"bench\": \"import.file\", \"rows\": $ROWS, \"bytes\": $FILE_BYTES, \"batch_rows\": $BATCH}"
start="$(date +%s.%N)"
job="$(curl -s -X POST -H "authorization: Bearer $TOKEN" -H 'content-type: text/csv' \
  --data-binary @"$WORK/employers.csv" "$URL/v1/imports/employers?strategy=IMPORT_STRATEGY_CREATE")" ||
  osh_die "upload failed"
[[ "$job" == *\"id\"* ]] || osh_die "upload refused: $job"
accepted="$(date +%s.%N)"
id="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$job")"
state=""
while [[ "$state" != IMPORT_STATE_COMPLETED ]]; do  # poll the job until it ends
  body="$(curl -sf -H "authorization: Bearer $TOKEN" "$URL/v1/imports/$id")"
  state="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["state"])' "$body")"
  [[ "$state" == IMPORT_STATE_FAILED || "$state" == IMPORT_STATE_CANCELLED ]] && osh_die "import ended $state: $body"
  [[ "$state" == IMPORT_STATE_COMPLETED ]] || sleep 0.5
done
done_at="$(date +%s.%N)"
peak_kib="$(awk '/^VmHWM/ {print $2}' "/proc/$REGISTRY_PID/status")"
python3 - "$body" "$start" "$accepted" "$done_at" "$ROWS" "$peak_kib" <<'PY'
import json, sys
job = json.loads(sys.argv[1]); start, accepted, done = map(float, sys.argv[2:5]); rows = int(sys.argv[5])
assert int(job.get("imported", 0)) == rows, job
print(json.dumps({"bench": "import.end_to_end", "rows": rows, "seconds": round(done - start, 2),
                  "rows_per_second": round(rows / (done - start)), "upload_and_check_seconds": round(accepted - start, 2),
                  "registry_peak_rss_kib": int(sys.argv[6])}))
PY

# The floor: SQLite's own CSV import of the same file into a bare table.
floor_start="$(date +%s.%N)"
sqlite3 "$WORK/floor.db" ".mode csv" ".import $WORK/employers.csv employers"
floor_done="$(date +%s.%N)"
floor_rows="$(sqlite3 "$WORK/floor.db" 'SELECT count(*) FROM employers')"
python3 -c 'import json,sys; s=float(sys.argv[2])-float(sys.argv[1]); r=int(sys.argv[3]); print(json.dumps({"bench": "import.sqlite_floor", "rows": r, "seconds": round(s, 2), "rows_per_second": round(r / s)}))' \
  "$floor_start" "$floor_done" "$floor_rows"
