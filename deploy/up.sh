#!/usr/bin/env bash
# Brings the platform up on this machine with demo data: installs what is
# missing, builds, starts every service on loopback, seeds demo data and prints
# how to call it. A second run reuses the data under var/; `deploy/down.sh` stops it.
#
# Runs: a local Kafka broker (deploy/kafka.sh) and Redis (deploy/redis.sh); one
# osh-registry per demo province — OSH_PROVINCE (default 44 Guangdong) on 7101,
# plus 32 Jiangsu on 7111 and 11 Beijing on 7121, each with demo employers and
# supervision facts (deploy/demo/supervision_facts.sh) — osh-reporting (7105), the
# national deployment that aggregates all three from the shared broker,
# osh-content (7106) with the seed texts (../shared/seeds) published as demo
# articles, osh-notify (7107) with demo rules, osh-training (7108; xAPI LRS on
# HTTP 8108) with demo mandatory courses,
# and osh-gateway (HTTP 8080, admin 9100) in front of the first province's
# registry, content, notify and training and the reporting service.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PROVINCE="${OSH_PROVINCE:-44}"
"$OSH_ROOT/deploy/install-deps.sh"
"$OSH_ROOT/deploy/build.sh"

mkdir -p "$OSH_VAR_DIR"/{data,log,run,secrets}
chmod 700 "$OSH_VAR_DIR/secrets"
SECRET_FILE="$OSH_VAR_DIR/secrets/jwt-hs256"
if [[ ! -s "$SECRET_FILE" ]]; then
  # A fresh random development secret per checkout; never committed.
  (umask 077 && head -c 48 /dev/urandom | base64 -w0 > "$SECRET_FILE")
fi

# start_service <instance> <service> <province> <grpc port> <admin port> [extra flags...]
start_service() {
  local name="$1" service="$2" province="$3" grpc_port="$4" admin_port="$5"; shift 5
  local pid_file="$OSH_VAR_DIR/run/$name.pid" ready="$OSH_VAR_DIR/run/$name.ready"
  # Running means alive and healthy, not just a pid that `kill -0` finds (a killed
  # service may linger as a zombie); a service that died leaves its ports to free.
  if osh_running "$pid_file" "$admin_port" "$ready"; then
    osh_log "$name already running (pid $(cat "$pid_file"))"
    return 0
  fi
  osh_wait_ports_free "$name" "$grpc_port" "$admin_port" || osh_die "$name cannot start: its ports are taken"
  rm -f "$ready"
  "$OSH_BUILD_DIR/services/$service/osh-$service" \
    --grpc-address "127.0.0.1:$grpc_port" --admin-address "127.0.0.1:$admin_port" \
    --province "$province" --data-dir "$OSH_VAR_DIR/data/$name" \
    --jwt-hs256-secret-file "$SECRET_FILE" --ready-file "$ready" "$@" \
    >>"$OSH_VAR_DIR/log/$name.log" 2>&1 &
  echo $! > "$pid_file"
  if ! osh_wait_for 30 "$name" test -s "$ready"; then
    if ! osh_alive "$(cat "$pid_file")"; then
      osh_log "$name exited during start; last log lines:"
      tail -n 20 "$OSH_VAR_DIR/log/$name.log" >&2
    fi
    osh_die "$name did not become ready"
  fi
  osh_log "$name ready: gRPC 127.0.0.1:$grpc_port, admin http://127.0.0.1:$admin_port/metrics"
}

# The local single-node Kafka broker the services publish to and consume from,
# and the Redis the gateway caches and rate-limits in.
"$OSH_ROOT/deploy/kafka.sh" start --dir "$OSH_VAR_DIR/kafka" --port 9092
"$OSH_ROOT/deploy/redis.sh" start --dir "$OSH_VAR_DIR/redis" --port 6379

# The key ring sealing the legal representatives' names and phones in every
# demo registry, generated once per checkout like the JWT secret.
REGISTRY_FIELD_KEY_FILE="$OSH_VAR_DIR/secrets/registry-field-keys"
[[ -s "$REGISTRY_FIELD_KEY_FILE" ]] || (umask 077 && printf 'k1 %s\n' \
  "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$REGISTRY_FIELD_KEY_FILE")

# Demo provinces: the chosen one first (its ports are the documented ones).
DEMO_PROVINCES=("$PROVINCE")
for p in 32 11; do [[ "$p" != "$PROVINCE" ]] && DEMO_PROVINCES+=("$p"); done
DEMO_PROVINCES=("${DEMO_PROVINCES[@]:0:3}")
for i in "${!DEMO_PROVINCES[@]}"; do
  p="${DEMO_PROVINCES[$i]}"
  name=registry; (( i > 0 )) && name="registry-$p"
  start_service "$name" registry "$p" $((7101 + 10 * i)) $((9101 + 10 * i)) \
    --kafka-brokers 127.0.0.1:9092 --consumer-group "registry-$p" --field-key-file "$REGISTRY_FIELD_KEY_FILE"
done
# The national aggregation, fed by every province's registry events on the same broker.
start_service reporting reporting 00 7105 9105 --kafka-brokers 127.0.0.1:9092 --deployment local
# The demo province's public content library.
start_service content content "$PROVINCE" 7106 9106 --kafka-brokers 127.0.0.1:9092
# Its notifications: rules turn registry and content events into inbox items and webhooks;
# the key ring sealing webhook secrets at rest is generated once per checkout.
NOTIFY_KEY_FILE="$OSH_VAR_DIR/secrets/notify-field-keys"
[[ -s "$NOTIFY_KEY_FILE" ]] || (umask 077 && printf 'k1 %s\n' \
  "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$NOTIFY_KEY_FILE")
start_service notify notify "$PROVINCE" 7107 9107 --kafka-brokers 127.0.0.1:9092 --field-key-file "$NOTIFY_KEY_FILE"
# Its training: the certificate-code HMAC key and the key ring sealing holder
# names are generated once per checkout, like the JWT secret.
CERTIFICATE_KEY_FILE="$OSH_VAR_DIR/secrets/training-certificate-key"
FIELD_KEY_FILE="$OSH_VAR_DIR/secrets/training-field-keys"
[[ -s "$CERTIFICATE_KEY_FILE" ]] || (umask 077 && head -c 48 /dev/urandom | base64 -w0 > "$CERTIFICATE_KEY_FILE")
[[ -s "$FIELD_KEY_FILE" ]] || (umask 077 && printf 'k1 %s\n' \
  "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$FIELD_KEY_FILE")
start_service training training "$PROVINCE" 7108 9108 --kafka-brokers 127.0.0.1:9092 \
  --certificate-key-file "$CERTIFICATE_KEY_FILE" --field-key-file "$FIELD_KEY_FILE"

# The HTTP/JSON entry: no gRPC port of its own, so it is started here rather than by start_service.
if osh_running "$OSH_VAR_DIR/run/gateway.pid" 9100 "$OSH_VAR_DIR/run/gateway.ready"; then
  osh_log "gateway already running (pid $(cat "$OSH_VAR_DIR/run/gateway.pid"))"
else
  osh_wait_ports_free gateway 8080 9100 || osh_die "gateway cannot start: its ports are taken"
  rm -f "$OSH_VAR_DIR/run/gateway.ready"
  "$OSH_BUILD_DIR/services/gateway/osh-gateway" --http-address 127.0.0.1:8080 --admin-address 127.0.0.1:9100 \
    --province "$PROVINCE" --jwt-hs256-secret-file "$SECRET_FILE" --ready-file "$OSH_VAR_DIR/run/gateway.ready" \
    --upstreams "osh.registry.v1.RegistryService=127.0.0.1:7101,osh.registry.v1.SupervisionService=127.0.0.1:7101,osh.reporting.v1.ReportingService=127.0.0.1:7105,osh.content.v1.ContentService=127.0.0.1:7106,osh.notify.v1.NotifyService=127.0.0.1:7107,osh.training.v1.TrainingService=127.0.0.1:7108" \
    --redis-address 127.0.0.1:6379 --cors-allowed-origins "http://localhost:3000" --web-root "$OSH_ROOT/web/dist" \
    >>"$OSH_VAR_DIR/log/gateway.log" 2>&1 &
  echo $! > "$OSH_VAR_DIR/run/gateway.pid"
  osh_wait_for 30 gateway test -s "$OSH_VAR_DIR/run/gateway.ready" || {
    tail -n 20 "$OSH_VAR_DIR/log/gateway.log" >&2; osh_die "gateway did not become ready"; }
  osh_log "gateway ready: http://127.0.0.1:8080 (OpenAPI at /openapi.json), admin http://127.0.0.1:9100/readyz"
fi

TOKEN_FILE="$OSH_VAR_DIR/secrets/dev-token"
"$OSH_BUILD_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub demo-admin \
  --role province_admin --province "$PROVINCE" --ttl 86400 > "$TOKEN_FILE"
NATIONAL_TOKEN_FILE="$OSH_VAR_DIR/secrets/dev-token-national"
"$OSH_BUILD_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub demo-national \
  --role national_admin --ttl 86400 > "$NATIONAL_TOKEN_FILE"

# Courses before employers: the registrations below assign the mandatory ones.
osh_log "publishing the demo mandatory courses (dust, noise, chemicals) in osh-training (idempotent)"
"$OSH_BUILD_DIR/bench/osh-loadgen" seed-training --target 127.0.0.1:7108 --token-file "$TOKEN_FILE" \
  >"$OSH_VAR_DIR/log/training-seed.log" 2>&1 || {
  tail -n 20 "$OSH_VAR_DIR/log/training-seed.log" >&2; osh_die "publishing the demo courses failed"; }

osh_log "creating the demo notification rules (deadline reminders, registrations, certificates; idempotent)"
"$OSH_ROOT/deploy/demo/notify_rules.sh" http://127.0.0.1:8080 "$TOKEN_FILE" >"$OSH_VAR_DIR/log/notify-rules.log" 2>&1 || {
  tail -n 20 "$OSH_VAR_DIR/log/notify-rules.log" >&2; osh_die "creating the demo notification rules failed"; }

osh_log "seeding demo employers and declarations in provinces ${DEMO_PROVINCES[*]} (idempotent)"
for i in "${!DEMO_PROVINCES[@]}"; do
  p="${DEMO_PROVINCES[$i]}"
  "$OSH_BUILD_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub "demo-admin-$p" \
    --role province_admin --province "$p" --ttl 3600 > "$OSH_VAR_DIR/secrets/seed-token-$p"
  "$OSH_BUILD_DIR/bench/osh-loadgen" seed --target "127.0.0.1:$((7101 + 10 * i))" \
    --token-file "$OSH_VAR_DIR/secrets/seed-token-$p" --province "$p" \
    --employers "${OSH_DEMO_EMPLOYERS:-300}" --declare-every "$((2 + i))" >/dev/null  # provinces differ
done

osh_log "seeding demo supervision facts (tests, exams, inspections, assistance, disease cases; idempotent)"
facts_specs=()
for i in "${!DEMO_PROVINCES[@]}"; do
  facts_specs+=("${DEMO_PROVINCES[$i]}:$((7101 + 10 * i)):$OSH_VAR_DIR/secrets/seed-token-${DEMO_PROVINCES[$i]}")
done
"$OSH_ROOT/deploy/demo/supervision_facts.sh" "$OSH_BUILD_DIR" "${facts_specs[@]}" \
  >"$OSH_VAR_DIR/log/supervision-facts.log" 2>&1 || {
  tail -n 20 "$OSH_VAR_DIR/log/supervision-facts.log" >&2; osh_die "seeding the demo supervision facts failed"; }

# The training service serves province $PROVINCE: its principals and OSH managers
# take the mandatory demo course and its surveys are recorded, so the training
# rate and the literacy level have figures.
osh_log "seeding demo course completions and literacy surveys in province $PROVINCE (idempotent)"
"$OSH_BUILD_DIR/bench/osh-loadgen" seed-learning --target 127.0.0.1:7108 --registry 127.0.0.1:7101 \
  --province "$PROVINCE" --secret-file "$SECRET_FILE" --token-file "$OSH_VAR_DIR/secrets/seed-token-$PROVINCE" \
  >"$OSH_VAR_DIR/log/learning-seed.log" 2>&1 || {
  tail -n 20 "$OSH_VAR_DIR/log/learning-seed.log" >&2; osh_die "seeding the demo completions and surveys failed"; }

SEEDS_DIR="${OSH_SEEDS_DIR:-$OSH_ROOT/../shared/seeds}"
if [[ -d "$SEEDS_DIR" ]]; then
  osh_log "publishing the source texts of $SEEDS_DIR as demo articles (idempotent)"
  "$OSH_BUILD_DIR/libs/auth/osh-devtoken" --secret-file "$SECRET_FILE" --sub demo-editor \
    --role editor --province "$PROVINCE" --ttl 3600 > "$OSH_VAR_DIR/secrets/seed-token-editor"
  "$OSH_BUILD_DIR/services/content/osh-content-import" --target 127.0.0.1:7106 \
    --token-file "$OSH_VAR_DIR/secrets/seed-token-editor" --dir "$SEEDS_DIR" >"$OSH_VAR_DIR/log/content-import.log" 2>&1 || {
    tail -n 20 "$OSH_VAR_DIR/log/content-import.log" >&2; osh_die "importing the demo articles failed"; }
  osh_log "$(tail -n 1 "$OSH_VAR_DIR/log/content-import.log")"
else
  osh_log "no seed texts at $SEEDS_DIR: the content library starts empty"
fi

cat <<MSG

osh-platform is up: the web console and the HTTP/JSON API on http://127.0.0.1:8080 (OpenAPI: /openapi.json),
registries of provinces ${DEMO_PROVINCES[*]} on 127.0.0.1:7101/7111/7121 (gRPC), national
reporting on 127.0.0.1:7105. Logs: $OSH_VAR_DIR/log, stop with deploy/down.sh

The web console: http://127.0.0.1:8080/ (sign in by pasting the token of
$TOKEN_FILE, province_admin, or $NATIONAL_TOKEN_FILE, national_admin).

A development token (province_admin, 24 h) is in $TOKEN_FILE. Try:

  export PATH="$OSH_TOOLS_BIN:\$PATH" TOKEN="\$(cat $TOKEN_FILE)"
  curl -s -H "authorization: Bearer \$TOKEN" 'http://127.0.0.1:8080/v1/employers?page_size=2'
  curl -s http://127.0.0.1:8080/v1/reporting/metrics          # public: no token needed
  curl -s 'http://127.0.0.1:8080/v1/articles:search?query=%E5%B0%98%E8%82%BA%E7%97%85'   # 尘肺病, public
  curl -s http://127.0.0.1:8080/v1/courses                    # published training courses, public
  curl -s -H "authorization: Bearer \$TOKEN" http://127.0.0.1:8080/v1/notify/reminders   # deadline reminders
  curl -s -H 'X-Experience-API-Version: 1.0.3' http://127.0.0.1:8108/xapi/about          # the xAPI LRS
  grpcurl -plaintext 127.0.0.1:7101 list
  grpcurl -plaintext -H "authorization: Bearer \$TOKEN" -d '{"page_size": 3}' \\
      127.0.0.1:7101 osh.registry.v1.RegistryService/ListEmployers
  curl -s http://127.0.0.1:9101/metrics | grep osh_grpc_server_handled_total
  kcat -C -b 127.0.0.1:9092 -t osh.registry.events -o beginning -e -f '%h %k\n' | head
  grpcurl -plaintext -H "authorization: Bearer \$(cat $NATIONAL_TOKEN_FILE)" \\
      -d '{"query": {"group_by": ["DIMENSION_PROVINCE"]}}' 127.0.0.1:7105 osh.reporting.v1.ReportingService/QueryRollup

MSG
