# Sourced by tests/exchange/transfer_mirror_e2e.sh and bench/transfer_latency_bench.sh, after
# they set REGISTRY DEVTOKEN GRPCURL KAFKA MM2 (paths) and BASE (first of 6 free ports).
# topology_up starts, on loopback, what k8s/overlays deploy for two provinces and the national
# level: Kafka clusters k44 (Guangdong), k32 (Jiangsu) and knat (national); MirrorMaker 2 up
# (each province's osh.*.events and osh.exchange.transfers into national, as
# k8s/overlays/national/mirrormaker2.yaml) and down (national's osh.exchange.transfers into
# each province as national.osh.exchange.transfers, as exchange-mirrors.yaml); one osh-registry
# per province on its own cluster. An EXIT trap stops every process it started.
P44=$BASE P32=$((BASE + 2)) PNAT=$((BASE + 4))
EXCHANGE=osh.exchange.transfers
MIRRORED=national.osh.exchange.transfers
export OSH_KAFKA_HEAP_OPTS="${OSH_KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"

WORK="$(mktemp -d)"
declare -A PID=()
cleanup() {
  for p in "${PID[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  "$MM2" stop --dir "$WORK/mm2-up" >/dev/null 2>&1
  "$MM2" stop --dir "$WORK/mm2-down" >/dev/null 2>&1
  for c in k44 k32 knat; do "$KAFKA" stop --dir "$WORK/$c" >/dev/null 2>&1; done
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

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
clusters_start() {
  local c
  for c in "k44 $P44" "k32 $P32" "knat $PNAT"; do
    set -- $c
    "$KAFKA" start --fresh --dir "$WORK/$1" --port "$2" >/dev/null || die "broker $1 did not start"
  done
}
# The topics the manifests declare (k8s/base/kafka, k8s/overlays/province/exchange-topics.yaml),
# created by a metadata request for each (auto.create.topics.enable, 3 partitions everywhere as
# deploy/kafka.sh configures: the mirrors map partitions one to one). kcat, not a JVM per topic.
topic_ready() {  # topic_ready <port> <topic>
  kcat -L -J -b "127.0.0.1:$1" -t "$2" 2>/dev/null |
    python3 -c 'import json,sys; t=json.load(sys.stdin)["topics"][0]; sys.exit(0 if not t.get("error") and len(t["partitions"]) == 3 else 1)'
}
topics_create() {
  local c
  for c in "$P44 $EXCHANGE" "$P44 $MIRRORED" "$P32 $EXCHANGE" "$P32 $MIRRORED" "$PNAT $EXCHANGE" \
           "$P44 osh.registry.events" "$P32 osh.registry.events" "$PNAT osh.registry.events"; do
    set -- $c
    wait_until 30 topic_ready "$1" "$2" || die "topic $2 on port $1"
  done
}

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
mirrors_configure() {
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
}
mirrors_start() {
  "$MM2" start --dir "$WORK/mm2-up" --config "$WORK/mm2-up.properties" >/dev/null 2>&1 || die "MirrorMaker 2 (up)"
  "$MM2" start --dir "$WORK/mm2-down" --config "$WORK/mm2-down.properties" >/dev/null 2>&1 || die "MirrorMaker 2 (down)"
}
mirrors_stop() {
  "$MM2" stop --dir "$WORK/mm2-up" >/dev/null 2>&1
  "$MM2" stop --dir "$WORK/mm2-down" >/dev/null 2>&1
}

# --- the registries -------------------------------------------------------------------------
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

token() { "$DEVTOKEN" --secret-file "$WORK/secret" --sub "$1" --role "$2" ${3:+--province "$3"}; }
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


# Everything, in order; returns when both registries serve.
topology_up() {
  clusters_start
  topics_create
  mirrors_configure
  mirrors_start
  head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
  printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
  start_registry 44 "$P44"
  start_registry 32 "$P32"
  ADMIN44="$(token admin44 province_admin 44)" INSPECTOR44="$(token inspector44 inspector 44)"
  ADMIN32="$(token admin32 province_admin 32)" NATIONAL="$(token nat national_admin)"
}
