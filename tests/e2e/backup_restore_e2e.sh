#!/usr/bin/env bash
# End to end: osh-admin backs up a running osh-registry's database while a load
# keeps writing, restores it into a fresh data directory, and a second registry
# started on that directory serves exactly the backed-up employers over gRPC.
# Usage: backup_restore_e2e.sh <osh-registry> <osh-devtoken> <osh-loadgen> <osh-admin> <grpcurl>
set -uo pipefail
REGISTRY="$1" DEVTOKEN="$2" LOADGEN="$3" ADMIN_TOOL="$4" GRPCURL="$5"

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0 failed=0
check() {  # check <description> <command...>
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}
wait_until() {  # wait_until <seconds> <command...>: polls the command every 0.1 s
  local limit=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$limit"); do "$@" && return 0; sleep 0.1; done
  "$@"
}

head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
"$DEVTOKEN" --secret-file "$WORK/secret" --sub e2e-admin --role province_admin --province 44 > "$WORK/token"

start() {  # start <name> <data dir>: sets GRPC_<name> to its gRPC address
  local name="$1" data="$2"
  "$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --data-dir "$data" --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/$name.ready" \
    --field-key-file "$WORK/field-keys" --shutdown-grace-ms 200 --kafka-brokers "" >>"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  wait_until 30 test -s "$WORK/$name.ready" || { echo "$name did not start"; cat "$WORK/$name.log"; exit 1; }
  printf -v "GRPC_$name" '127.0.0.1:%s' \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/$name.ready")"
}
rows() { sqlite3 "file:$1?mode=ro" 'SELECT COUNT(*) FROM employers' 2>/dev/null || echo 0; }
# Every employer a registry serves, as "credit_code version" lines, sorted, paging through ListEmployers.
served() {
  python3 - "$GRPCURL" "$1" "$(cat "$WORK/token")" <<'PY'
import json, subprocess, sys
grpcurl, target, token = sys.argv[1:]
token_arg, lines = "", []
while True:
    req = json.dumps({"page_size": 500, "page_token": token_arg})
    out = subprocess.run([grpcurl, "-plaintext", "-H", "authorization: Bearer " + token, "-d", req, target,
                          "osh.registry.v1.RegistryService/ListEmployers"], capture_output=True, text=True, check=True)
    page = json.loads(out.stdout)
    lines += ["%s %s" % (e["credit_code"], e.get("version", "0")) for e in page.get("employers", [])]
    token_arg = page.get("next_page_token", "")
    if not token_arg:
        break
print("\n".join(sorted(lines)))
PY
}

start live "$WORK/live"
LIVE_DB="$WORK/live/registry.db"
"$LOADGEN" seed --target "$GRPC_live" --token-file "$WORK/token" --province 44 --employers 4000 --declare-every 3 \
  --concurrency 4 >"$WORK/load.log" 2>&1 &
LOAD=$!
PIDS+=("$LOAD")
wait_until 60 bash -c "[[ \$(sqlite3 'file:$LIVE_DB?mode=ro' 'SELECT COUNT(*) FROM employers') -ge 300 ]]"
before="$(rows "$LIVE_DB")"
"$ADMIN_TOOL" backup --data-dir "$WORK/live" --out "$WORK/backup" >"$WORK/backup.log" 2>&1
backup_status=$?
after="$(rows "$LIVE_DB")"
cat "$WORK/backup.log"
check "osh-admin backup succeeds while the registry is written to" test "$backup_status" = 0
in_backup="$(rows "$WORK/backup/registry.db")"
check "writes went on during the backup ($before employers before, $after after)" test "$after" -gt "$before"
check "the backup holds the employers of one moment ($before <= $in_backup <= $after)" \
  test "$in_backup" -ge "$before" -a "$in_backup" -le "$after"
check "the backup is one self-contained file (no WAL beside it)" test ! -e "$WORK/backup/registry.db-wal"
check "the backup's declarations all belong to backed-up employers" \
  test "$(sqlite3 "file:$WORK/backup/registry.db?mode=ro" \
    'SELECT COUNT(*) FROM declarations WHERE employer_id NOT IN (SELECT id FROM employers)')" = 0
wait "$LOAD"
check "the load finished without a failed call" test $? = 0

"$ADMIN_TOOL" restore --from "$WORK/backup" --data-dir "$WORK/live" >"$WORK/refused.log" 2>&1
refused=$?
check "restore refuses a data directory that holds a database" test "$refused" = 1 -a -s "$WORK/refused.log"
"$ADMIN_TOOL" restore --from "$WORK/backup" --data-dir "$WORK/restored" >"$WORK/restore.log" 2>&1
check "osh-admin restore into a fresh data directory succeeds" test $? = 0
cat "$WORK/restore.log"

start restored "$WORK/restored"
served "$GRPC_restored" > "$WORK/served-restored.txt"
sqlite3 "file:$WORK/backup/registry.db?mode=ro" 'SELECT credit_code || " " || version FROM employers' \
  | sort > "$WORK/in-backup.txt"
check "the restored registry serves exactly the backed-up employers ($(wc -l <"$WORK/in-backup.txt") of them)" \
  cmp -s "$WORK/in-backup.txt" "$WORK/served-restored.txt"
# An employer whose version did not move since the backup reads the same from both services.
code="$(head -1 "$WORK/in-backup.txt" | cut -d' ' -f1)"
get() { "$GRPCURL" -plaintext -H "authorization: Bearer $(cat "$WORK/token")" -d "{\"credit_code\": \"$code\"}" \
  "$1" osh.registry.v1.RegistryService/GetEmployerByCreditCode; }
served "$GRPC_live" > "$WORK/served-live.txt"
same_version="$(comm -12 "$WORK/in-backup.txt" "$WORK/served-live.txt" | head -1 | cut -d' ' -f1)"
code="$same_version"
check "an unchanged employer ($code) reads the same from the live and the restored registry" \
  test -n "$code" -a "$(get "$GRPC_live")" = "$(get "$GRPC_restored")"
check "employers created after the backup are not in the restored registry" \
  test "$(wc -l <"$WORK/served-live.txt")" -gt "$(wc -l <"$WORK/served-restored.txt")"

echo "backup/restore e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
