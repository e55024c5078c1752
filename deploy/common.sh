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

# osh_alive <pid> [<text>]: true while the process runs (and, with <text>, has it in its
# command line: a pid reused by another program is not ours). Unlike `kill -0`, a process
# that exited but was not reaped yet counts as gone: up.sh's services are orphans, and
# PID 1 reaps them late or, in some containers, never, so a SIGKILLed service stays a
# zombie (state Z) that `kill -0` still finds.
osh_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"  # the fields after "(comm)", which may hold spaces
  [[ "${stat%% *}" != Z && "${stat%% *}" != X ]] || return 1
  [[ -z "${2:-}" ]] || tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# osh_healthy <admin port>: true when the admin port answers /healthz.
osh_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; }

# osh_running <pid file> <admin port> <ready file>: true when the process of the pid
# file runs and answers /healthz on its admin port. One that runs without answering
# (starting or stopping) is given 30 s to become one or the other; one that neither
# answers nor goes away stops the script rather than start a second copy beside it.
osh_running() {
  local pid_file="$1" admin_port="$2" ready="$3" pid deadline=$((SECONDS + 30))
  [[ -s "$pid_file" ]] || return 1
  pid="$(cat "$pid_file")"
  while osh_alive "$pid" "$ready"; do
    osh_healthy "$admin_port" && return 0
    (( SECONDS < deadline )) ||
      osh_die "pid $pid ($pid_file) runs but http://127.0.0.1:$admin_port/healthz does not answer; stop it first"
    sleep 0.2
  done
  return 1
}

# osh_wait_ports_free <what> <port...>: waits (10 s at most) until nothing listens on
# the ports, e.g. those of a process that was just killed; fails naming a port still taken.
osh_wait_ports_free() {
  local what="$1" port; shift
  for port in "$@"; do
    osh_wait_for 10 "port $port of $what to be free" bash -c '! (exec 3<>"/dev/tcp/127.0.0.1/$0") 2>/dev/null' "$port" ||
      return 1
  done
}

# osh_pinned_venv <name> <requirements-file>: prints the path of a venv under
# $OSH_CACHE_DIR/venv with exactly the pinned requirements (from PyPI), made
# once and reused while the requirements file is unchanged; concurrent callers
# wait for the first one. Test tools (schemathesis, aiosmtpd) come from here.
osh_pinned_venv() {
  local name="$1" requirements="$2"
  local venv="$OSH_CACHE_DIR/venv/$name"
  local stamp="$venv/.osh-requirements.sha256"
  local want
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  mkdir -p "$OSH_CACHE_DIR/venv"
  (
    flock 9
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
      osh_log "installing $requirements into $venv"
      rm -rf "$venv"
      python3 -m venv "$venv" || osh_die "python3 -m venv failed (Debian: apt-get install python3-venv)"
      if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" ||
         ! "$venv/bin/pip" check >/dev/null; then
        rm -rf "$venv"
        osh_die "pip could not install $requirements"
      fi
      echo "$want" >"$stamp"
    fi
  ) 9>"$venv.lock" || return 1
  echo "$venv"
}

# osh_maven_libs HOME NAME REQUIRED_JAR DEPENDENCY_XML: resolves the runtime jars of the
# dependencies (<dependency> elements) with the machine's Maven from Maven Central into
# HOME/libs, once (HOME/fetched marks it done). REQUIRED_JAR (a file name) must be among
# them. The jars are swapped in whole, so an interrupted fetch never leaves a half-filled
# libs/ behind. Used for the Kafka broker (deploy/kafka.sh) and MirrorMaker 2 (tests/exchange).
osh_maven_libs() {
  local home="$1" name="$2" required="$3" dependencies="$4"
  [[ -f "$home/fetched" ]] && return 0
  command -v mvn >/dev/null 2>&1 || osh_die "mvn not found: run deploy/install-deps.sh"
  mkdir -p "$home"
  local work
  work="$(mktemp -d "$home/fetch.XXXXXX")"
  cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>osh.platform.local</groupId>
  <artifactId>$name</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
$dependencies
  </dependencies>
</project>
POM
  osh_log "fetching the $name jars with Maven into $home/libs"
  if ! mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
    cat "$work/mvn.log" >&2
    rm -rf "$work"
    osh_die "Maven could not resolve the $name jars"
  fi
  [[ -f "$work/libs/$required" ]] || { rm -rf "$work"; osh_die "$required missing after Maven ran"; }
  rm -rf "$home/libs"
  mv "$work/libs" "$home/libs"
  cp "$work/pom.xml" "$home/pom.xml"
  rm -rf "$work"
  touch "$home/fetched"
  osh_log "$name: $(find "$home/libs" -name '*.jar' | wc -l) jars"
}
