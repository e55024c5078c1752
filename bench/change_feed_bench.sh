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
# Then the CSV export again over HTTP through osh-gateway (curl, chunked), with
# both processes' peak RSS during it (VmHWM, reset before through clear_refs:
# both held the seeding upload before).
#
# Figures (one JSON line each): feed.employers changes/s, export.csv and
# export.jsonl rows/s and MiB/s (gRPC), export.csv_http rows/s with the peak
# RSS, floor.feed_join and floor.employers_scan rows/s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

ROWS="${1:-100000}"
PAGE="${2:-500}"
source "$(dirname "${BASH_SOURCE[0]}")/registry_import_env.sh"
CLIENT="$OSH_BUILD_DIR/bench/osh-change-feed-bench"
[[ -x "$REGISTRY" && -x "$GATEWAY" && -x "$DEVTOKEN" && -x "$CLIENT" ]] ||
  osh_die "build first: deploy/build.sh osh-registry osh-gateway osh-devtoken osh-change-feed-bench"
command -v sqlite3 >/dev/null || osh_die "sqlite3 is missing (deploy/install-deps.sh installs it)"

WORK="$(mktemp -d)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
write_employers_csv "$WORK/employers.csv" "$ROWS"
start_registry_and_gateway "$(stat -c %s "$WORK/employers.csv")" 1000

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

# The same CSV export over HTTP through the gateway (a chunked download), with
# the peak resident memory of both processes after it: the file is never held whole.
GATEWAY_PID="${PIDS[-1]}"
# Peak RSS from here on: both processes held the seeding upload before.
echo 5 >"/proc/$GATEWAY_PID/clear_refs"
echo 5 >"/proc/$REGISTRY_PID/clear_refs"
read -r bytes seconds < <(curl -s -o /dev/null -w '%{size_download} %{time_total}\n' \
  -H "authorization: Bearer $TOKEN" "$URL/v1/employers:export?format=EXPORT_FORMAT_CSV")
python3 -c 'import json,sys; b=int(sys.argv[1]); s=float(sys.argv[2]); r=int(sys.argv[3]); print(json.dumps({"bench": "export.csv_http", "rows": r, "bytes": b, "seconds": round(s, 2), "rows_per_second": round(r / s), "mib_per_second": round(b / s / 2**20, 1), "gateway_peak_rss_kib": int(sys.argv[4]), "registry_peak_rss_kib": int(sys.argv[5])}))' \
  "$bytes" "$seconds" "$ROWS" "$(awk '/^VmHWM/ {print $2}' "/proc/$GATEWAY_PID/status")" \
  "$(awk '/^VmHWM/ {print $2}' "/proc/$REGISTRY_PID/status")"

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
