# Sourced by the benches that load osh-registry through a bulk import
# (import_bench.sh, change_feed_bench.sh): the synthetic employers file and
# the registry with a gateway in front. Needs deploy/common.sh sourced, WORK
# (a scratch directory) and PIDS (an array the caller's EXIT trap kills).

REGISTRY="$OSH_BUILD_DIR/services/registry/osh-registry"
GATEWAY="$OSH_BUILD_DIR/services/gateway/osh-gateway"
DEVTOKEN="$OSH_BUILD_DIR/libs/auth/osh-devtoken"

ready_value() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# Dongguan-like employers: valid credit codes (check character computed),
# counties of Dongguan, a few industries and sizes, a legal representative.
#   write_employers_csv FILE ROWS
write_employers_csv() {
  python3 - "$1" "$2" <<'PY'
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
}

# osh-registry of province 44 (data in $WORK/data, no broker) and osh-gateway
# in front of it, both on free ports, sized for an upload of FILE_BYTES.
# Sets REGISTRY_PID, GRPC (the registry's host:port), URL (the gateway's)
# and TOKEN (a province_admin of 44).
#   start_registry_and_gateway FILE_BYTES IMPORT_BATCH_ROWS
start_registry_and_gateway() {
  local file_bytes="$1" batch="$2"
  [[ -s "$WORK/secret" ]] || head -c 48 /dev/urandom | base64 -w0 > "$WORK/secret"
  [[ -s "$WORK/field-keys" ]] ||
    printf 'k1 %s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" > "$WORK/field-keys"
  "$REGISTRY" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 --data-dir "$WORK/data" \
    --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/registry.ready" --access-log false --kafka-brokers "" \
    --field-key-file "$WORK/field-keys" --import-max-bytes $((file_bytes + 1024)) --import-batch-rows "$batch" \
    >"$WORK/registry.log" 2>&1 &
  REGISTRY_PID=$!
  PIDS+=("$REGISTRY_PID")
  osh_wait_for 60 "registry" test -s "$WORK/registry.ready"
  GRPC="127.0.0.1:$(ready_value "$WORK/registry.ready" grpc_port)"
  "$GATEWAY" --http-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --province 44 \
    --upstreams "osh.registry.v1.RegistryService=$GRPC" \
    --redis-address "" --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/gateway.ready" --access-log false \
    --upload-body-limit-bytes $((file_bytes + 1024)) --body-bytes-in-flight 0 --body-bytes-in-flight-per-client 0 \
    --upload-timeout-ms 600000 >"$WORK/gateway.log" 2>&1 &
  PIDS+=("$!")
  osh_wait_for 60 "gateway" test -s "$WORK/gateway.ready"
  URL="http://127.0.0.1:$(ready_value "$WORK/gateway.ready" http_port)"
  TOKEN="$("$DEVTOKEN" --secret-file "$WORK/secret" --sub bench --role province_admin --province 44 --ttl 7200)"
}
