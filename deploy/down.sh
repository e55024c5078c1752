#!/usr/bin/env bash
# Stops everything deploy/up.sh started (SIGTERM, then SIGKILL after a grace
# period). Data under var/data is kept for the next start.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

stopped_any=0
for pid_file in "$OSH_VAR_DIR"/run/*.pid; do
  [[ -e "$pid_file" ]] || continue
  name="$(basename "$pid_file" .pid)"
  pid="$(cat "$pid_file")"
  # osh_alive, not `kill -0`: a stopped service may stay a zombie until PID 1 reaps it.
  if osh_alive "$pid" "$OSH_VAR_DIR/run/$name.ready"; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do osh_alive "$pid" || break; sleep 0.1; done
    if osh_alive "$pid"; then
      osh_log "$name did not stop in 10 s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    osh_log "stopped $name"
    stopped_any=1
  else
    osh_log "$name was not running (stale pid file)"
  fi
  rm -f "$pid_file" "$OSH_VAR_DIR/run/$name.ready"
done
if "$OSH_ROOT/deploy/kafka.sh" status --dir "$OSH_VAR_DIR/kafka" >/dev/null 2>&1; then
  "$OSH_ROOT/deploy/kafka.sh" stop --dir "$OSH_VAR_DIR/kafka"
  stopped_any=1
fi
if "$OSH_ROOT/deploy/redis.sh" status --dir "$OSH_VAR_DIR/redis" >/dev/null 2>&1; then
  "$OSH_ROOT/deploy/redis.sh" stop --dir "$OSH_VAR_DIR/redis"
  stopped_any=1
fi
(( stopped_any )) || osh_log "nothing was running"
