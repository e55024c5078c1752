#!/usr/bin/env bash
# A local PostgreSQL 15 server (Debian's binaries, no system service) for
# development and tests, on 127.0.0.1 only, with its own data directory and port.
#
#   postgres.sh start  [--dir DIR] [--port N] [--fresh]   initdb if needed, start, wait until it accepts
#   postgres.sh stop   [--dir DIR]                        fast shutdown, SIGKILL after 30 s
#   postgres.sh kill   [--dir DIR]                        SIGKILL of the postmaster and its backends (crash tests)
#   postgres.sh status [--dir DIR]                        exit 0 when it accepts connections
#
# The superuser is `osh`, trusted from 127.0.0.1 only (a test server: no password);
# TCP only (no Unix socket: test directories are too deep for its path limit).
# PostgreSQL refuses to run as root, so when this script runs as root the server
# runs as the system user osh-pg (created on first use), which owns DIR/data.
# Durability is the production one (fsync, synchronous_commit on): crash tests rely on it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() { sed -n '5,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 ]] || usage
command="$1"; shift
DIR="$OSH_VAR_DIR/postgres" PORT=5432 FRESH=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --fresh) FRESH=1; shift ;;
    *) usage ;;
  esac
done
DIR="$(realpath -m "$DIR")"  # the server resolves paths from its own working directory
PG_BIN="${OSH_PG_BIN:-/usr/lib/postgresql/15/bin}"
[[ -x "$PG_BIN/postgres" ]] || osh_die "PostgreSQL 15 is not installed (deploy/install-deps.sh: postgresql-15)"
DATA="$DIR/data"
# DIR/data may link to where the data really is (below): the server is given that path.
resolve_data() { if [[ -L "$DIR/data" ]]; then DATA="$(readlink "$DIR/data")"; fi; PID_FILE="$DATA/postmaster.pid"; }
resolve_data

# as_server <command...>: runs a command as the server's user.
SERVER_USER="$(id -un)"
if [[ "$(id -u)" == 0 ]]; then
  SERVER_USER=osh-pg
  id -u "$SERVER_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVER_USER"
fi
as_server() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u "$SERVER_USER" -- "$@"; else "$@"; fi
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(head -n 1 "$PID_FILE")"
  # Trust the pid only if it is still a postgres serving this data directory.
  { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$DATA" || return 1
  echo "$pid"
}
port_of_dir() { sed -n 's/^port = //p' "$DATA/postgresql.auto.conf" 2>/dev/null | head -n 1 || true; }
accepts() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1"; }

case "$command" in
  start)
    if pid="$(running_pid)" && accepts "$(port_of_dir)"; then
      osh_log "PostgreSQL already running (pid $pid) at 127.0.0.1:$(port_of_dir)"
      exit 0
    fi
    # A DIR the server's user cannot reach (a checkout under /root, mode 700)
    # keeps its data under /var/tmp instead, linked from DIR/data.
    ELSEWHERE="/var/tmp/osh-postgres-$(printf '%s' "$DIR" | sha1sum | cut -c1-12)"
    if (( FRESH )); then rm -rf "$DIR" "$ELSEWHERE"; fi
    mkdir -p "$DIR"
    if [[ ! -e "$DIR/data" ]] && ! as_server test -x "$DIR" 2>/dev/null; then
      install -d -m 700 -o "$SERVER_USER" "$ELSEWHERE"
      ln -s "$ELSEWHERE" "$DIR/data"
    fi
    DATA="$DIR/data"
    resolve_data
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
      [[ -L "$DATA" ]] || install -d -m 700 -o "$SERVER_USER" "$DATA"
      as_server "$PG_BIN/initdb" -D "$DATA" -U osh --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
        { cat "$DIR/initdb.log" >&2; osh_die "initdb failed"; }
    fi
    # The port is written at every start, so a directory may be restarted on another.
    osh_port_open "$PORT" && osh_die "port $PORT is in use by something else"
    cat > "$DATA/postgresql.auto.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
shared_buffers = 64MB
fsync = on
synchronous_commit = on
logging_collector = off
CONF
    chown "$SERVER_USER" "$DATA/postgresql.auto.conf"
    # The server's log goes beside its data; the run is detached from this shell.
    touch "$DIR/postgres.log"; chown "$SERVER_USER" "$DIR/postgres.log"
    as_server setsid "$PG_BIN/postgres" -D "$DATA" </dev/null >>"$DIR/postgres.log" 2>&1 &
    server=$!
    # Up when it accepts connections; failed as soon as it exits (bad setting, port taken).
    up_or_gone() { accepts "$PORT" || ! osh_alive "$server"; }
    osh_wait_for 120 "PostgreSQL on port $PORT" up_or_gone && accepts "$PORT" ||
      { tail -n 20 "$DIR/postgres.log" >&2; osh_die "PostgreSQL did not start"; }
    osh_log "PostgreSQL ready (pid $(running_pid)) at 127.0.0.1:$PORT"
    ;;
  stop)
    pid="$(running_pid)" || { osh_log "PostgreSQL is not running"; exit 0; }
    kill -INT "$pid" 2>/dev/null || true  # fast shutdown: roll back sessions, checkpoint
    for _ in $(seq 1 300); do osh_alive "$pid" || break; sleep 0.1; done
    osh_alive "$pid" && kill -KILL "$pid"
    osh_log "PostgreSQL stopped"
    ;;
  kill)
    pid="$(running_pid)" || exit 0
    # The postmaster and every backend at once, as a crash of the machine would:
    # backends left behind would keep the old shared memory and block a restart.
    children="$(pgrep -P "$pid" || true)"
    kill -KILL "$pid" $children 2>/dev/null || true
    for _ in $(seq 1 100); do osh_alive "$pid" || break; sleep 0.1; done
    ;;
  status)
    running_pid >/dev/null && accepts "$(port_of_dir)"
    ;;
  *) usage ;;
esac
