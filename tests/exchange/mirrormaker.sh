#!/usr/bin/env bash
# Apache Kafka's own MirrorMaker 2 (org.apache.kafka.connect.mirror.MirrorMaker, dedicated
# mode) for tests: the connect-mirror jars of the same Kafka version deploy/kafka.sh runs,
# fetched from Maven Central through the machine's Maven into the cache directory, run on the
# machine's JDK with a properties file. One directory per mirror holds its log and pid file.
#
#   mirrormaker.sh fetch                          resolve the jars (idempotent)
#   mirrormaker.sh start --dir DIR --config FILE  start in the background (own session)
#   mirrormaker.sh stop  --dir DIR                SIGTERM, SIGKILL after 30 s
#   mirrormaker.sh running --dir DIR              exit 0 when its process is alive
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/common.sh"

KAFKA_VERSION="${OSH_KAFKA_VERSION:-3.9.1}"
MM2_HOME="$OSH_CACHE_DIR/kafka-mirror/$KAFKA_VERSION"
MM2_LIBS="$MM2_HOME/libs"
MM2_HEAP_OPTS="${OSH_MM2_HEAP_OPTS:--Xms64m -Xmx256m}"

mm2_fetch() {
  osh_maven_libs "$MM2_HOME" "kafka-mirror-libs-$KAFKA_VERSION" "connect-mirror-$KAFKA_VERSION.jar" "
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-mirror</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>"
}

DIR="" CONFIG=""
parse_opts() {
  while (( $# > 0 )); do
    case "$1" in
      --dir) DIR="$2"; shift 2 ;;
      --config) CONFIG="$2"; shift 2 ;;
      *) osh_die "unknown option: $1" ;;
    esac
  done
  [[ -n "$DIR" ]] || osh_die "--dir is required"
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
}

# The pid in DIR's pid file when that process is alive and is this mirror (not a recycled pid).
mm2_pid() {
  local pid
  [[ -f "$DIR/mm2.pid" ]] || return 1
  pid="$(<"$DIR/mm2.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-Dosh.mm2.dir=$DIR " || return 1
  echo "$pid"
}

cmd_start() {
  [[ -f "$CONFIG" ]] || osh_die "--config: no file $CONFIG"
  if mm2_pid >/dev/null; then osh_log "MirrorMaker 2 already running (dir $DIR)"; return 0; fi
  mm2_fetch
  cat > "$DIR/log4j.properties" <<'L4J'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.kafka.common=WARN
log4j.logger.org.reflections=ERROR
L4J
  local -a heap
  read -r -a heap <<<"$MM2_HEAP_OPTS"
  setsid java "${heap[@]}" -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$DIR/log4j.properties" "-Dosh.mm2.dir=$DIR" \
    -cp "$MM2_LIBS/*" org.apache.kafka.connect.mirror.MirrorMaker "$CONFIG" \
    </dev/null >>"$DIR/mm2.log" 2>&1 &
  echo $! > "$DIR/mm2.pid"
  osh_log "MirrorMaker 2 started (pid $!, config $CONFIG)"
}

cmd_stop() {
  local pid
  if ! pid="$(mm2_pid)"; then rm -f "$DIR/mm2.pid"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$DIR/mm2.pid"
  osh_log "MirrorMaker 2 stopped (pid $pid)"
}

main() {
  (( $# >= 1 )) || osh_die "usage: mirrormaker.sh fetch | start --dir DIR --config FILE | stop --dir DIR | running --dir DIR"
  local cmd="$1"; shift
  case "$cmd" in
    fetch) mm2_fetch; echo "$MM2_LIBS" ;;
    start) parse_opts "$@"; cmd_start ;;
    stop) parse_opts "$@"; cmd_stop ;;
    running) parse_opts "$@"; mm2_pid >/dev/null ;;
    *) osh_die "unknown command: $cmd" ;;
  esac
}

main "$@"
