# Sourced by bench scripts that run services as real processes on loopback.
# They set WORK (a scratch directory holding `secret`, the HS256 secret) and
# KAFKA_BROKERS before calling these.

# bench_start <name> <binary> [flags...]: starts a service on free ports with
# its data in $WORK/<name>, waits for its ready file, prints its gRPC port.
bench_start() {
  local name="$1" bin="$2"; shift 2
  "$bin" --grpc-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --data-dir "$WORK/$name" \
    --jwt-hs256-secret-file "$WORK/secret" --ready-file "$WORK/$name.ready" --access-log false \
    --kafka-brokers "$KAFKA_BROKERS" "$@" >"$WORK/$name.log" 2>&1 &
  echo $! > "$WORK/$name.pid"  # a file: bench_start runs in a command substitution's subshell
  osh_wait_for 60 "$name" test -s "$WORK/$name.ready" || { tail -n 20 "$WORK/$name.log" >&2; exit 1; }
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' "$WORK/$name.ready"
}

# bench_stop <name>: stops what bench_start started and waits until it is gone.
bench_stop() {
  local pid; pid="$(cat "$WORK/$1.pid")"
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$WORK/$1.pid"
}
