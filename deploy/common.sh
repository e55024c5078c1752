# Shared settings of the deploy scripts; sourced, not run.
# Everything a run writes lives under var/ in the checkout (data, logs, pids) or
# under the cache directory outside it (downloaded tools), never in tracked files.

OSH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OSH_BUILD_DIR="${OSH_BUILD_DIR:-$OSH_ROOT/build}"
OSH_VAR_DIR="${OSH_VAR_DIR:-$OSH_ROOT/var}"
OSH_CACHE_DIR="${OSH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/osh-platform}"
OSH_TOOLS_BIN="$OSH_CACHE_DIR/bin"
export PATH="$OSH_TOOLS_BIN:/usr/local/go/bin:$PATH"

osh_log() { printf '[osh] %s\n' "$*" >&2; }
osh_die() { printf '[osh] error: %s\n' "$*" >&2; exit 1; }

# osh_wait_for <seconds> <description> <command...>: polls until the command succeeds.
osh_wait_for() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then
      osh_log "timed out after ${seconds}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# osh_port_open <port>: true when something listens on 127.0.0.1:<port>.
osh_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
