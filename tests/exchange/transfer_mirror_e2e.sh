#!/usr/bin/env bash
# End to end, a transfer between provinces in the deployed topology, with real parts only:
# three single-node Kafka clusters (Guangdong 44, Jiangsu 32, national), Apache Kafka's own
# MirrorMaker 2 as k8s/overlays/national deploys it (up: each province's osh.*.events and
# osh.exchange.transfers into national, IdentityReplicationPolicy; down: national's
# osh.exchange.transfers into each province as national.osh.exchange.transfers,
# DefaultReplicationPolicy), and one osh-registry per province on its own cluster, reading
# national.osh.exchange.transfers.
#  1. an employer with its declaration arrives in Jiangsu, and Jiangsu's acknowledgement
#     turns it from TRANSFER_PENDING to TRANSFERRED_OUT in Guangdong;
#  2. with both mirrors down during the transfer (a history in parts), it stays pending and
#     listed until they are restarted, then arrives and is confirmed;
#  3. with Jiangsu's registry SIGKILLed during the transfer, it arrives when Jiangsu restarts;
#  4. exactly once: a fresh consumer group replaying everything imports nothing twice; no
#     registry dead-letters anything (each ignores its own events coming back); no event
#     on the national cluster carries the legal representative's name or phone.
# Every wait is a bounded poll of an observable condition (a row, a status, a pid).
# Usage: transfer_mirror_e2e.sh <osh-registry> <osh-devtoken> <grpcurl> <kafka.sh> <mirrormaker.sh> <base-port>
set -uo pipefail
REGISTRY="$1" DEVTOKEN="$2" GRPCURL="$3" KAFKA="$4" MM2="$5" BASE="${6:-29192}"
P44=$BASE P32=$((BASE + 2)) PNAT=$((BASE + 4))
EXCHANGE=osh.exchange.transfers
MIRRORED=national.osh.exchange.transfers
export OSH_KAFKA_HEAP_OPTS="${OSH_KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"

WORK="$(mktemp -d)"
declare -A PID=()
cleanup() {
  for p in "${PID[@]}"; do kill -KILL "$p" 2>/dev/null; done
  "$MM2" stop --dir "$WORK/mm2-up" >/dev/null 2>&1
  "$MM2" stop --dir "$WORK/mm2-down" >/dev/null 2>&1
  for c in k44 k32 knat; do "$KAFKA" stop --dir "$WORK/$c" >/dev/null 2>&1; done
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0 failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what"; fi
}
# Polls every 0.2 s, for at most $1 s, until the rest of the line succeeds.
wait_until() {
  local limit="$1"; shift
  local deadline=$((SECONDS + limit))
  until "$@"; do (( SECONDS < deadline )) || return 1; sleep 0.2; done
}
not() { ! "$@"; }
# To stderr: it may run inside $(...), whose output is a value.
die() {
  {
    echo "FAIL $*"
    for f in "$WORK"/*.log; do [[ -f "$f" ]] && { echo "== $f"; tail -n 10 "$f"; }; done
    for f in "$WORK"/mm2-*/mm2.log; do [[ -f "$f" ]] && { echo "== $f"; grep -E " (ERROR|WARN) " "$f" | tail -n 5; }; done
  } >&2
  exit 1
}
is_id() { [[ "$1" =~ ^[0-9a-f-]{36}$ ]] || die "$2"; }

# --- three clusters -------------------------------------------------------------------------
for c in "k44 $P44" "k32 $P32" "knat $PNAT"; do
  set -- $c
  "$KAFKA" start --fresh --dir "$WORK/$1" --port "$2" >/dev/null || die "broker $1 did not start"
done
# The topics the manifests declare (k8s/base/kafka, k8s/overlays/province/exchange-topics.yaml).
for c in "k44 $EXCHANGE" "k44 $MIRRORED" "k32 $EXCHANGE" "k32 $MIRRORED" "knat $EXCHANGE" "k44 osh.registry.events" "k32 osh.registry.events" "knat osh.registry.events"; do
  set -- $c
  "$KAFKA" topics-create "$2" 3 --dir "$WORK/$1" >/dev/null 2>&1 || die "topic $2 on $1"
done

# --- MirrorMaker 2, as k8s/overlays/national/{mirrormaker2,exchange-mirrors}.yaml -------------
common_mm2() {
  cat <<PROPS
replication.factor = 1
config.storage.replication.factor = 1
offset.storage.replication.factor = 1
status.storage.replication.factor = 1
offset-syncs.topic.replication.factor = 1
heartbeats.topic.replication.factor = 1
checkpoints.topic.replication.factor = 1
emit.heartbeats.enabled = false
emit.checkpoints.enabled = false
sync.group.offsets.enabled = false
sync.topic.acls.enabled = false
sync.topic.configs.enabled = false
refresh.groups.enabled = false
refresh.topics.interval.seconds = 2
tasks.max = 1
offset.flush.interval.ms = 1000
PROPS
}
{
  common_mm2
  cat <<PROPS
clusters = p44, p32, national
p44.bootstrap.servers = 127.0.0.1:$P44
p32.bootstrap.servers = 127.0.0.1:$P32
national.bootstrap.servers = 127.0.0.1:$PNAT
p44->national.enabled = true
p44->national.topics = osh\\..*\\.events|osh\\.exchange\\.transfers
p32->national.enabled = true
p32->national.topics = osh\\..*\\.events|osh\\.exchange\\.transfers
replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy
offset-syncs.topic.location = target
PROPS
} > "$WORK/mm2-up.properties"
{
  common_mm2
  cat <<PROPS
clusters = national, p44, p32
p44.bootstrap.servers = 127.0.0.1:$P44
p32.bootstrap.servers = 127.0.0.1:$P32
national.bootstrap.servers = 127.0.0.1:$PNAT
national->p44.enabled = true
national->p44.topics = osh\\.exchange\\.transfers
national->p32.enabled = true
national->p32.topics = osh\\.exchange\\.transfers
replication.policy.class = org.apache.kafka.connect.mirror.DefaultReplicationPolicy
replication.policy.separator = .
offset-syncs.topic.location = source
PROPS
} > "$WORK/mm2-down.properties"
mirrors_start() {
  "$MM2" start --dir "$WORK/mm2-up" --config "$WORK/mm2-up.properties" >/dev/null 2>&1 || die "MirrorMaker 2 (up)"
  "$MM2" start --dir "$WORK/mm2-down" --config "$WORK/mm2-down.properties" >/dev/null 2>&1 || die "MirrorMaker 2 (down)"
}
mirrors_stop() {
  "$MM2" stop --dir "$WORK/mm2-up" >/dev/null 2>&1
  "$MM2" stop --dir "$WORK/mm2-down" >/dev/null 2>&1
}
mirrors_start

# --- the registries -------------------------------------------------------------------------
head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
declare -A GRPC=() ADMIN=()
start_registry() {  # start_registry <province> <broker port> [consumer group]
  local p="$1" port="$2" group="${3:-registry-$1}"
  rm -f "$WORK/ready$p"
  "$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province "$p" --data-dir "$WORK/data$p" \
    --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/ready$p" --kafka-brokers "127.0.0.1:$port" \
    --exchange-topics "$MIRRORED" --consumer-group "$group" \
    --field-key-file "$WORK/field-keys" --access-log false >>"$WORK/registry$p.log" 2>&1 &
  PID[$p]=$!
  wait_until 30 test -s "$WORK/ready$p" || die "registry $p did not start"
  GRPC[$p]="127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/ready$p")"
  ADMIN[$p]="127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_port"])' "$WORK/ready$p")"
}
kill_registry() { kill -KILL "${PID[$1]}" 2>/dev/null; wait "${PID[$1]}" 2>/dev/null; unset "PID[$1]"; }
start_registry 44 "$P44"
start_registry 32 "$P32"

token() { "$DEVTOKEN" --secret-file "$WORK/secret" --sub "$1" --role "$2" ${3:+--province "$3"}; }
ADMIN44="$(token admin44 province_admin 44)" INSPECTOR44="$(token inspector44 inspector 44)"
ADMIN32="$(token admin32 province_admin 32)" NATIONAL="$(token nat national_admin)"
call() {  # call <province> <token> <method> <json>
  "$GRPCURL" -plaintext -max-msg-sz 8388608 -H "authorization: Bearer $2" -d @ "${GRPC[$1]}" \
    "osh.registry.v1.RegistryService/$3" <<<"$4" 2>&1
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1], ""))' "$1" 2>/dev/null; }
credit_code() {  # credit_code <division> <serial>: a valid unified social credit code
  python3 - "$1" "$2" <<'PY'
import sys
alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
first = "91" + sys.argv[1] + "%09d" % int(sys.argv[2])
print(first + alphabet[(31 - sum(alphabet.index(c) * w for c, w in zip(first, weights)) % 31) % 31])
PY
}
declaration() {  # declaration <employer id> <type> <rows>: a declaration of <rows> rows of ~2.4 KB
  python3 - "$1" "$2" "$3" <<'PY'
import datetime, json, sys
employer, kind, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = {"type": kind, "total_exposed_workers": rows, "exposures": [
    {"factor_code": "D001" if i % 2 == 0 else "D005", "workplace": "第%d号打磨车间" % i, "post": "打磨工",
     "exposed_workers": 1, "protective_measures": "防" * 800} for i in range(rows)]}
if kind == "DECLARATION_TYPE_ANNUAL":
    d["year"] = datetime.datetime.now(datetime.timezone.utc).year
print(json.dumps({"employer_id": employer, "declaration": d}, ensure_ascii=False))
PY
}
# Registers an employer in Guangdong with approved declarations (<rows> rows each, one per type given).
SERIAL=$((RANDOM * 1000))
new_employer() {  # new_employer <n> <rows> <types...>: the n-th employer of the run; prints its id
  local serial=$((SERIAL + $1)) rows="$2"; shift 2
  local code answer id d
  code="$(credit_code 441900 "$serial")"
  answer="$(call 44 "$ADMIN44" CreateEmployer "{\"employer\": {\"credit_code\": \"$code\", \"name\": \"迁移测试有限公司$serial\",
    \"division_code\": \"441900\", \"industry_section\": \"C\", \"size_class\": \"SIZE_CLASS_MEDIUM\", \"total_workers\": 5000,
    \"legal_representative\": \"欧阳明\", \"legal_representative_phone\": \"13912345678\"}}")"
  id="$(field id <<<"$answer")"
  [[ -n "$id" ]] || die "CreateEmployer in 44: $answer"
  for type in "$@"; do
    d="$(call 44 "$ADMIN44" SubmitDeclaration "$(declaration "$id" "$type" "$rows")" | field id)"
    [[ -n "$d" ]] || die "SubmitDeclaration in 44"
    # Not `| grep -q`: under pipefail, grpcurl cut off by grep's early exit would fail the pipeline.
    [[ "$(call 44 "$INSPECTOR44" ReviewDeclaration "{\"id\": \"$d\", \"approve\": true}" | field status)" == \
       DECLARATION_STATUS_APPROVED ]] || die "ReviewDeclaration"
  done
  echo "$id"
}
transfer() {  # transfer <employer id>: to Suzhou (320500); prints the answer's status
  local version
  version="$(call 44 "$ADMIN44" GetEmployer "{\"id\": \"$1\"}" | field version)"
  call 44 "$ADMIN44" TransferEmployer "{\"id\": \"$1\", \"version\": \"$version\", \"to_division_code\": \"320500\",
    \"reason\": \"生产基地迁至苏州\"}" | field status
}
status44() { call 44 "$ADMIN44" GetEmployer "{\"id\": \"$1\"}" | field status; }
confirmed() { [[ "$(status44 "$1")" == EMPLOYER_STATUS_TRANSFERRED_OUT ]]; }
db() { sqlite3 "file:$WORK/data$1/registry.db?mode=ro" "$2"; }
arrived() { [[ "$(db 32 "SELECT COUNT(*) FROM employers WHERE id = '$1' AND status = 1")" == 1 ]]; }
declarations32() { db 32 "SELECT COUNT(*) FROM declarations WHERE employer_id = '$1'"; }
imports32() { db 32 "SELECT COUNT(*) FROM audit_log WHERE entity_id = '$1' AND action = 'import'"; }
transfer_state() {  # transfer_state <employer id>: its transfer's state, as ListTransfers tells national_admin
  call 44 "$NATIONAL" ListTransfers '{}' |
    python3 -c 'import json,sys; print(*[t["state"] for t in json.load(sys.stdin).get("transfers", []) if t["employer_id"] == sys.argv[1]])' "$1"
}
pending_listed() {  # pending_listed <token> <employer id>
  call 44 "$1" ListTransfers '{"pending_only": true}' |
    python3 -c 'import json,sys; sys.exit(0 if any(t["employer_id"] == sys.argv[1] for t in json.load(sys.stdin).get("transfers", [])) else 1)' "$2"
}
metric() {  # metric <province> <name>: the sum of a counter's series on the admin port
  curl -s "http://${ADMIN[$1]}/metrics" | awk -v n="$2" '$1 ~ "^"n"({|$)" {s += $2} END {print s + 0}'
}

# 1. Everything up: one employer with one declaration.
E1="$(new_employer 1 3 DECLARATION_TYPE_INITIAL)"; is_id "$E1" "employer 1 not registered"
check "the transfer answers TRANSFER_PENDING" test "$(transfer "$E1")" = EMPLOYER_STATUS_TRANSFER_PENDING
check "the employer arrives in Jiangsu" wait_until 120 arrived "$E1"
check "with its declaration" test "$(declarations32 "$E1")" = 1
check "Jiangsu's acknowledgement confirms it in Guangdong" wait_until 60 confirmed "$E1"
check "the transfer is listed as confirmed" test "$(transfer_state "$E1")" = TRANSFER_STATE_CONFIRMED
check "and no longer as pending" not pending_listed "$NATIONAL" "$E1"

# 2. Both mirrors down during the transfer of a history in parts (2 x 350 rows, ~1.7 MB).
mirrors_stop
check "the mirrors are down" not "$MM2" running --dir "$WORK/mm2-up"
E2="$(new_employer 2 350 DECLARATION_TYPE_INITIAL DECLARATION_TYPE_ANNUAL)"; is_id "$E2" "employer 2 not registered"
check "the large transfer answers TRANSFER_PENDING" test "$(transfer "$E2")" = EMPLOYER_STATUS_TRANSFER_PENDING
outbox_drained() { [[ "$(db 44 "SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL")" == 0 ]]; }
check "Guangdong publishes it to its own cluster" wait_until 60 outbox_drained
check "its history went in parts" test "$(db 44 "SELECT COUNT(*) FROM events_outbox WHERE type = 'osh.events.v1.EnterpriseTransferPart'")" -ge 2
check "while the mirrors are down it is pending for the province's staff" pending_listed "$ADMIN44" "$E2"
check "and for national roles" pending_listed "$NATIONAL" "$E2"
check "and not in Jiangsu" test "$(db 32 "SELECT COUNT(*) FROM employers WHERE id = '$E2'")" = 0
mirrors_start
check "after the mirrors restart it arrives" wait_until 120 arrived "$E2"
check "with both declarations" test "$(declarations32 "$E2")" = 2
check "and is confirmed" wait_until 60 confirmed "$E2"

# 3. Jiangsu's registry killed during the transfer.
kill_registry 32
E3="$(new_employer 3 3 DECLARATION_TYPE_INITIAL)"; is_id "$E3" "employer 3 not registered"
check "the transfer while Jiangsu is down answers TRANSFER_PENDING" test "$(transfer "$E3")" = EMPLOYER_STATUS_TRANSFER_PENDING
handover_id="$(db 44 "SELECT event_id FROM events_outbox WHERE topic = '$EXCHANGE' AND type = 'osh.events.v1.EnterpriseTransferred' ORDER BY seq DESC LIMIT 1")"
in_jiangsu_cluster() {
  kcat -C -b "127.0.0.1:$P32" -t "$MIRRORED" -o beginning -e -q -f '%h\n' 2>/dev/null | grep -q "ce_id=$handover_id"
}
check "the handover reaches Jiangsu's cluster meanwhile" wait_until 120 in_jiangsu_cluster
check "and is still pending in Guangdong" test "$(status44 "$E3")" = EMPLOYER_STATUS_TRANSFER_PENDING
start_registry 32 "$P32"
check "Jiangsu imports it when it is back" wait_until 120 arrived "$E3"
check "and Guangdong gets the confirmation" wait_until 60 confirmed "$E3"

# 4. Exactly once, and nothing refused or leaked.
for e in "$E1" "$E2" "$E3"; do
  check "employer $e imported once" test "$(imports32 "$e")" = 1
done
check "one acknowledgement per transfer" test "$(db 32 "SELECT COUNT(*) FROM events_outbox WHERE type = 'osh.events.v1.EnterpriseTransferAccepted'")" = 3
check "no transfer left pending" test "$(db 44 "SELECT COUNT(*) FROM transfers_sent WHERE state = 1")" = 0
processed="$(db 32 "SELECT COUNT(*) FROM events_processed")"
kill_registry 32
start_registry 32 "$P32" "registry-32-replay"
replayed() { (( $(metric 32 osh_events_duplicates_total) >= processed )); }
check "a fresh consumer group replays the exchange topic" wait_until 120 replayed
for e in "$E1" "$E2" "$E3"; do
  check "employer $e still imported once after the replay" test "$(imports32 "$e")" = 1
done
check "declarations not doubled" test "$(declarations32 "$E2")" = 2
check "Jiangsu dead-lettered nothing" test "$(metric 32 osh_events_dead_lettered_total)" = 0
check "Guangdong dead-lettered nothing (its own events came back and were ignored)" \
  test "$(metric 44 osh_events_dead_lettered_total)" = 0
check "Guangdong imported nothing of its own" test "$(db 44 "SELECT COUNT(*) FROM transfers_imported")" = 0
national_payloads="$(kcat -C -b "127.0.0.1:$PNAT" -t "$EXCHANGE" -o beginning -e -q -f '%s\n' 2>/dev/null | wc -c)"
check "the national cluster holds the exchange traffic" test "$national_payloads" -gt 1000
leaks() { kcat -C -b "127.0.0.1:$PNAT" -t "$1" -o beginning -e -q -f '%s\n' 2>/dev/null | grep -c -e 13912345678 -e 欧阳明 -e '139\*\*\*\*5678'; }
check "no event on the national cluster carries the legal representative" test "$(leaks "$EXCHANGE")$(leaks osh.registry.events)" = 00

echo "transfer_mirror_e2e: $passed passed, $failed failed"
(( failed == 0 ))
