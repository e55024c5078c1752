#!/usr/bin/env bash
# A local redis-server (Debian's) for development and tests, on 127.0.0.1 only.
# The platform uses Redis as a cache and for rate limits: nothing in it is the
# only copy of anything, so it runs without persistence.
#
#   redis.sh start  [--dir DIR] [--port N] [--fresh]   start and wait for PONG
#   redis.sh stop   [--dir DIR]                        SHUTDOWN, SIGKILL after 10 s
#   redis.sh kill   [--dir DIR]                        SIGKILL at once (failure tests)
#   redis.sh status [--dir DIR]                        exit 0 when it answers PING
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() { sed -n '6,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 ]] || usage
command="$1"; shift
DIR="$OSH_VAR_DIR/redis" PORT=6379 FRESH=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --fresh) FRESH=1; shift ;;
    *) usage ;;
  esac
done
PID_FILE="$DIR/redis.pid"
command -v redis-server >/dev/null || osh_die "redis-server is not installed (deploy/install-deps.sh)"

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  # Trust the pid only if it is still a redis-server started for this directory.
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "redis-server" || return 1
  echo "$pid"
}
port_of_dir() { sed -n 's/^port //p' "$DIR/redis.conf" 2>/dev/null || echo "$PORT"; }
answers() { [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]; }

case "$command" in
  start)
    if pid="$(running_pid)" && answers "$(port_of_dir)"; then
      osh_log "Redis already running (pid $pid) at 127.0.0.1:$(port_of_dir)"
      exit 0
    fi
    if (( FRESH )); then rm -rf "$DIR"; fi
    osh_port_open "$PORT" && osh_die "port $PORT is in use by something else"
    mkdir -p "$DIR"
    cat > "$DIR/redis.conf" <<CONF
bind 127.0.0.1
protected-mode yes
port $PORT
dir $DIR
pidfile $PID_FILE
logfile $DIR/redis.log
save ""
appendonly no
maxmemory 256mb
maxmemory-policy allkeys-lru
CONF
    setsid redis-server "$DIR/redis.conf" </dev/null >/dev/null 2>&1 &
    osh_wait_for 20 "Redis on port $PORT" answers "$PORT" || { tail -n 20 "$DIR/redis.log" >&2; exit 1; }
    osh_log "Redis ready (pid $(cat "$PID_FILE")) at 127.0.0.1:$PORT"
    ;;
  stop)
    pid="$(running_pid)" || { osh_log "Redis is not running"; exit 0; }
    redis-cli -h 127.0.0.1 -p "$(port_of_dir)" shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$PID_FILE"
    osh_log "Redis stopped"
    ;;
  kill)
    pid="$(running_pid)" || exit 0
    kill -KILL "$pid"
    rm -f "$PID_FILE"
    ;;
  status)
    running_pid >/dev/null && answers "$(port_of_dir)"
    ;;
  *) usage ;;
esac
