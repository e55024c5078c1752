# Sourced by the gateway's end-to-end tests: starts a throwaway stack of real
# processes — redis-server, osh-registry, osh-reporting, osh-content, osh-notify, osh-training and osh-gateway — on
# free ports under $WORK, and stops everything on exit.
# Needs: BIN_DIR (the build directory), ROOT (the checkout), WORK (a temp dir).
# KAFKA_BROKERS, when set, connects the registry (and whoever asks) to a broker.
# CONTENT_ARGS (an array), when set, is added to osh-content's command line.
# Sets: REDIS_PORT, GATEWAY (host:port), GATEWAY_ADMIN (host:port), SECRET_FILE.

PIDS=()
stack_cleanup() {
  for pid in "${PIDS[@]}"; do { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null; done
  "$ROOT/deploy/redis.sh" kill --dir "$WORK/redis" >/dev/null 2>&1
  [[ -n "${OSH_KEEP_WORK:-}" ]] && cp -r "$WORK" "$OSH_KEEP_WORK"; rm -rf "$WORK"
}
trap stack_cleanup EXIT
trap 'exit 1' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ready_value() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
wait_ready() {  # wait_ready <ready-file> <log>
  for _ in $(seq 1 150); do [[ -s "$1" ]] && return 0; sleep 0.1; done
  echo "did not start: $1"; tail -20 "$2"; exit 1
}

SECRET_FILE="$WORK/secret"
head -c 48 /dev/urandom | base64 -w0 >"$SECRET_FILE"
# Production-style keys too: an ES256 key pair whose public half is in a JWKS
# every process trusts beside the HS256 secret.
EC_KEY="$WORK/es256.pem" JWKS_FILE="$WORK/jwks.json"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$EC_KEY" 2>/dev/null
"$BIN_DIR/libs/auth/osh-devtoken" --jwks-for "$EC_KEY" --kid e2e-es256 >"$JWKS_FILE"

start_redis() {
  REDIS_PORT="${REDIS_PORT:-$(free_port)}"
  "$ROOT/deploy/redis.sh" start --fresh --dir "$WORK/redis" --port "$REDIS_PORT" >/dev/null || {
    echo "redis did not start"; exit 1; }
}

start_backends() {
  printf 'e2e %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" >"$WORK/field-keys"
  "$BIN_DIR/services/registry/osh-registry" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --data-dir "$WORK/registry" --jwt-hs256-secret-file "$SECRET_FILE" --jwt-jwks-file "$JWKS_FILE" --ready-file "$WORK/registry.ready" \
    --kafka-brokers "${KAFKA_BROKERS:-}" --consumer-group "registry-e2e-$$" --access-log false \
    --field-key-file "$WORK/field-keys" \
    >>"$WORK/registry.log" 2>&1 &
  PIDS+=($!)
  "$BIN_DIR/services/reporting/osh-reporting" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 \
    --province 44 --data-dir "$WORK/reporting" --jwt-hs256-secret-file "$SECRET_FILE" --jwt-jwks-file "$JWKS_FILE" \
    --ready-file "$WORK/reporting.ready" --consume false --kafka-brokers "" --access-log false \
    >>"$WORK/reporting.log" 2>&1 &
  PIDS+=($!)
  "$BIN_DIR/services/content/osh-content" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --data-dir "$WORK/content" --jwt-hs256-secret-file "$SECRET_FILE" --jwt-jwks-file "$JWKS_FILE" \
    --ready-file "$WORK/content.ready" --kafka-brokers "${KAFKA_BROKERS:-}" --access-log false \
    ${CONTENT_ARGS[@]+"${CONTENT_ARGS[@]}"} >>"$WORK/content.log" 2>&1 &
  PIDS+=($!)
  head -c 48 /dev/urandom | base64 -w0 >"$WORK/certificate-key"
  "$BIN_DIR/services/notify/osh-notify" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --data-dir "$WORK/notify" --jwt-hs256-secret-file "$SECRET_FILE" --jwt-jwks-file "$JWKS_FILE" \
    --field-key-file "$WORK/field-keys" --ready-file "$WORK/notify.ready" --kafka-brokers "" --access-log false \
    >>"$WORK/notify.log" 2>&1 &
  PIDS+=($!)
  "$BIN_DIR/services/training/osh-training" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --data-dir "$WORK/training" --jwt-hs256-secret-file "$SECRET_FILE" --jwt-jwks-file "$JWKS_FILE" \
    --certificate-key-file "$WORK/certificate-key" --field-key-file "$WORK/field-keys" \
    --ready-file "$WORK/training.ready" --kafka-brokers "${TRAINING_KAFKA_BROKERS:-}" --consumer-group "training-e2e-$$" \
    --access-log false --xapi-address 127.0.0.1:0 \
    >>"$WORK/training.log" 2>&1 &
  PIDS+=($!)
  wait_ready "$WORK/registry.ready" "$WORK/registry.log"
  wait_ready "$WORK/reporting.ready" "$WORK/reporting.log"
  wait_ready "$WORK/content.ready" "$WORK/content.log"
  wait_ready "$WORK/notify.ready" "$WORK/notify.log"
  wait_ready "$WORK/training.ready" "$WORK/training.log"
  NOTIFY_GRPC="127.0.0.1:$(ready_value "$WORK/notify.ready" grpc_port)"
  TRAINING_GRPC="127.0.0.1:$(ready_value "$WORK/training.ready" grpc_port)"
  REGISTRY_GRPC="127.0.0.1:$(ready_value "$WORK/registry.ready" grpc_port)"
  REPORTING_GRPC="127.0.0.1:$(ready_value "$WORK/reporting.ready" grpc_port)"
  CONTENT_GRPC="127.0.0.1:$(ready_value "$WORK/content.ready" grpc_port)"
}

# start_gateway [extra flags...]
start_gateway() {
  rm -f "$WORK/gateway.ready"
  "$BIN_DIR/services/gateway/osh-gateway" --http-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --upstreams "osh.registry.v1.RegistryService=$REGISTRY_GRPC,osh.registry.v1.SupervisionService=$REGISTRY_GRPC,osh.reporting.v1.ReportingService=$REPORTING_GRPC,osh.content.v1.ContentService=$CONTENT_GRPC,osh.notify.v1.NotifyService=$NOTIFY_GRPC,osh.training.v1.TrainingService=$TRAINING_GRPC" \
    --redis-address "127.0.0.1:$REDIS_PORT" --jwt-hs256-secret-file "$SECRET_FILE" --jwt-jwks-file "$JWKS_FILE" \
    --ready-file "$WORK/gateway.ready" --shutdown-grace-ms 100 "$@" >>"$WORK/gateway.log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=($GATEWAY_PID)
  wait_ready "$WORK/gateway.ready" "$WORK/gateway.log"
  GATEWAY="127.0.0.1:$(ready_value "$WORK/gateway.ready" http_port)"
  GATEWAY_ADMIN="127.0.0.1:$(ready_value "$WORK/gateway.ready" admin_port)"
}

es256_token() {  # es256_token <subject> <role>
  "$BIN_DIR/libs/auth/osh-devtoken" --alg ES256 --private-key "$EC_KEY" --kid e2e-es256 --sub "$1" --role "$2" \
    --province 44
}

token() {  # token <subject> <role> [org]
  local args=(--secret-file "$SECRET_FILE" --sub "$1" --role "$2" --province 44)
  [[ -n "${3:-}" ]] && args+=(--org "$3")
  "$BIN_DIR/libs/auth/osh-devtoken" "${args[@]}"
}
