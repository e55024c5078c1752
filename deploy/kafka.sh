#!/usr/bin/env bash
# A real single-node Apache Kafka broker for development and tests: KRaft mode, one
# process that is both broker and controller, listening on 127.0.0.1 only. The jars come
# from Maven Central through the machine's Maven into the cache directory (outside the
# checkout) and run on the machine's JDK; data, logs and the pid file live in one
# directory (default var/kafka).
#
#   kafka.sh fetch                               resolve the broker jars (idempotent)
#   kafka.sh start   [--dir DIR] [--port N] [--fresh]
#                                                start (and format) a broker, wait until
#                                                it answers a metadata request; --fresh
#                                                stops and wipes DIR first
#   kafka.sh stop    [--dir DIR]                 SIGTERM, SIGKILL after 30 s
#   kafka.sh kill    [--dir DIR]                 SIGKILL at once (crash tests)
#   kafka.sh restart [--dir DIR] [--port N]
#   kafka.sh status  [--dir DIR]                 exit 0 when running and answering
#   kafka.sh topics-create NAME [PARTITIONS] [--dir DIR]
#   kafka.sh topics-list [--dir DIR]
#
# The controller listens on port+1. Kafka 3.9 rather than 4.x: Debian 12's librdkafka
# 2.0 predates the protocol versions Kafka 4.0 dropped older ones in favour of.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_VERSION="${OSH_KAFKA_VERSION:-3.9.1}"
KAFKA_SCALA="2.13"
KAFKA_HOME="$OSH_CACHE_DIR/kafka/$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_HEAP_OPTS="${OSH_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_JVM_OPTS="${OSH_KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
START_TIMEOUT="${OSH_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT=30

usage() { sed -n '8,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# ---------------------------------------------------------------------------------------
# fetch

kafka_fetch() {
  # The broker (kafka_2.13 brings kafka-server, kafka-storage, raft, metadata ...), the
  # command-line tools (TopicCommand) without Kafka Connect, and a log4j backend for slf4j:
  # the same set the binary distribution's libs/ has for a broker.
  osh_maven_libs "$KAFKA_HOME" "kafka-broker-libs-$KAFKA_VERSION" "kafka_$KAFKA_SCALA-$KAFKA_VERSION.jar" "
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$KAFKA_SCALA</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions>
    </dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>"
}

kafka_java() {
  command -v java >/dev/null 2>&1 || osh_die "java not found: run deploy/install-deps.sh"
  java -cp "$KAFKA_LIBS/*" "$@"
}

# ---------------------------------------------------------------------------------------
# state of a broker directory

DIR=""
PORT=""
FRESH=0

parse_opts() {
  while (( $# > 0 )); do
    case "$1" in
      --dir) [[ $# -ge 2 ]] || osh_die "--dir needs a value"; DIR="$2"; shift 2 ;;
      --dir=*) DIR="${1#--dir=}"; shift ;;
      --port) [[ $# -ge 2 ]] || osh_die "--port needs a value"; PORT="$2"; shift 2 ;;
      --port=*) PORT="${1#--port=}"; shift ;;
      --fresh) FRESH=1; shift ;;
      *) osh_die "unknown option: $1" ;;
    esac
  done
  if [[ -n "$PORT" ]] && ! { [[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT > 0 && PORT < 65535 )); }; then
    osh_die "bad port: $PORT (the controller takes port+1)"
  fi
  DIR="${DIR:-${OSH_KAFKA_DIR:-$OSH_VAR_DIR/kafka}}"
  mkdir -p "$(dirname "$DIR")"
  DIR="$(cd "$(dirname "$DIR")" && pwd)/$(basename "$DIR")"
  if [[ -z "$PORT" ]]; then
    PORT="$(configured_port)"
  fi
}

# The port a directory's broker was set up with, so stop/status/topics need no --port.
configured_port() {
  local props="$DIR/server.properties" line
  if [[ -f "$props" ]]; then
    line="$(grep -E '^advertised\.listeners=' "$props" || true)"
    if [[ "$line" =~ :([0-9]+)$ ]]; then
      echo "${BASH_REMATCH[1]}"
      return
    fi
  fi
  echo "${OSH_KAFKA_PORT:-9092}"
}

bootstrap() { echo "127.0.0.1:$PORT"; }

# The pid in DIR's pid file when that process is alive and really is this broker
# (guards against a recycled pid).
broker_pid() {
  local pid
  [[ -f "$DIR/kafka.pid" ]] || return 1
  pid="$(<"$DIR/kafka.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-Dosh.kafka.dir=$DIR " || return 1
  echo "$pid"
}

# Sends a Metadata v1 request asking for no topics and succeeds when the reply lists at
# least one live broker: the broker answers requests only once it has caught up with the
# metadata log and been unfenced, which is exactly "ready for clients". Pure bash, so
# polling costs no JVM start.
#   request:  size=17 | api_key=3 api_version=1 correlation_id=7 client_id="osh" | topics=[]
#   reply:    size | correlation_id | brokers count | ...
metadata_ready() {
  local port="$1" out
  local -a b
  out="$(timeout 5 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
      printf "\x00\x00\x00\x11\x00\x03\x00\x01\x00\x00\x00\x07\x00\x03osh\x00\x00\x00\x00" >&3
      head -c 12 <&3' _ "$port" 2>/dev/null | od -An -tu1 -v)" || return 1
  read -r -a b <<<"$out"
  (( ${#b[@]} == 12 )) || return 1
  (( b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 7 )) || return 1
  (( (b[8] << 24 | b[9] << 16 | b[10] << 8 | b[11]) >= 1 ))
}

# ---------------------------------------------------------------------------------------
# commands

write_config() {
  local cport=$((PORT + 1))
  mkdir -p "$DIR/data"
  cat > "$DIR/server.properties" <<EOF
# Written by deploy/kafka.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
# One machine, small: fewer threads and internal partitions than the defaults.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
log.retention.hours=168
log.segment.bytes=104857600
# After a SIGKILL the restarted broker cannot register until the controller has let the
# dead incarnation's session lapse; 5 s instead of 9 s keeps crash tests quick.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=5000
EOF
  cat > "$DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.kafka.authorizer.logger=WARN
EOF
  # The command-line tools (StorageTool, TopicCommand) say only what went wrong.
  cat > "$DIR/tools-log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

format_storage() {
  if [[ -f "$DIR/data/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  if [[ -s "$DIR/cluster.id" ]]; then
    cluster_id="$(<"$DIR/cluster.id")"
  else
    # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding; Kafka itself never
    # hands out one that starts with '-' (it reads as an option on command lines).
    cluster_id="-"
    while [[ "$cluster_id" == -* ]]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    done
    echo "$cluster_id" > "$DIR/cluster.id"
  fi
  osh_log "formatting $DIR/data (cluster id $cluster_id)"
  kafka_java -Dlog4j.configuration="file:$DIR/tools-log4j.properties" \
    kafka.tools.StorageTool format --ignore-formatted \
    -t "$cluster_id" -c "$DIR/server.properties" >"$DIR/format.log" 2>&1 \
    || { cat "$DIR/format.log" >&2; osh_die "formatting Kafka storage in $DIR/data failed"; }
}

cmd_start() {
  local pid
  if (( FRESH )); then
    if [[ -e "$DIR" ]]; then
      # Refuse to wipe a directory that is not a broker directory (a mistyped --dir).
      if [[ -n "$(ls -A "$DIR")" && ! -f "$DIR/server.properties" ]]; then
        osh_die "--fresh: $DIR is not empty and holds no server.properties; not wiping it"
      fi
      cmd_stop
      rm -rf "$DIR"
    fi
  fi
  mkdir -p "$DIR"
  if pid="$(broker_pid)"; then
    if osh_port_open "$PORT" && metadata_ready "$PORT"; then
      osh_log "Kafka already running (pid $pid) at $(bootstrap)"
      bootstrap
      return 0
    fi
    osh_log "Kafka (pid $pid) is starting; waiting for it"
  else
    rm -f "$DIR/kafka.pid"
    local port
    for port in "$PORT" "$((PORT + 1))"; do
      if osh_port_open "$port"; then
        osh_die "port $port is in use by another process (another broker? try --port)"
      fi
    done
    kafka_fetch
    write_config
    format_storage
    osh_log "starting Kafka $KAFKA_VERSION on $(bootstrap) (dir $DIR)"
    local -a heap jvm
    read -r -a heap <<<"$KAFKA_HEAP_OPTS"
    read -r -a jvm <<<"$KAFKA_JVM_OPTS"
    # setsid: its own session, so ctest, a terminal's Ctrl-C or the calling shell's exit
    # does not take the broker down with it; no inherited stdio, so nothing waits on it.
    setsid java "${heap[@]}" "${jvm[@]}" \
      -Dlog4j.configuration="file:$DIR/log4j.properties" \
      "-Dosh.kafka.dir=$DIR" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$DIR/server.properties" \
      </dev/null >>"$DIR/kafka.log" 2>&1 &
    pid=$!
    echo "$pid" > "$DIR/kafka.pid"
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until metadata_ready "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$DIR/kafka.pid"
      tail -n 30 "$DIR/kafka.log" >&2 || true
      osh_die "Kafka exited during start-up; log: $DIR/kafka.log"
    fi
    if (( SECONDS >= deadline )); then
      tail -n 30 "$DIR/kafka.log" >&2 || true
      osh_die "Kafka (pid $pid) did not answer on $(bootstrap) within ${START_TIMEOUT}s; log: $DIR/kafka.log"
    fi
    sleep 0.3
  done
  osh_log "Kafka ready (pid $pid) at $(bootstrap)"
  bootstrap
}

cmd_stop() {
  local pid signal="${1:-TERM}"
  if ! pid="$(broker_pid)"; then
    rm -f "$DIR/kafka.pid"
    osh_log "Kafka not running (dir $DIR)"
    return 0
  fi
  if [[ "$signal" == KILL ]]; then
    osh_log "killing Kafka (pid $pid)"
    kill -KILL "$pid" 2>/dev/null || true
  else
    osh_log "stopping Kafka (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      osh_log "Kafka (pid $pid) still up after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && osh_die "Kafka (pid $pid) did not exit"
  rm -f "$DIR/kafka.pid"
  osh_log "Kafka stopped"
}

cmd_status() {
  local pid
  if ! pid="$(broker_pid)"; then
    echo "stopped (dir $DIR)"
    return 3
  fi
  if metadata_ready "$PORT"; then
    echo "running pid=$pid bootstrap=$(bootstrap) dir=$DIR"
    return 0
  fi
  echo "starting pid=$pid bootstrap=$(bootstrap) dir=$DIR (not answering yet)"
  return 1
}

require_running() {
  broker_pid >/dev/null && metadata_ready "$PORT" \
    || osh_die "no Kafka answering at $(bootstrap) for dir $DIR: run deploy/kafka.sh start"
}

cmd_topics_create() {
  local name="$1" partitions="$2"
  [[ "$partitions" =~ ^[0-9]+$ ]] || osh_die "bad partition count: $partitions"
  require_running
  kafka_java -Dlog4j.configuration="file:$DIR/tools-log4j.properties" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" \
    --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor 1
}

cmd_topics_list() {
  require_running
  kafka_java -Dlog4j.configuration="file:$DIR/tools-log4j.properties" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" --list
}

main() {
  (( $# >= 1 )) || usage
  local cmd="$1"; shift
  case "$cmd" in
    fetch)
      (( $# == 0 )) || osh_die "fetch takes no arguments"
      kafka_fetch
      echo "$KAFKA_LIBS"
      ;;
    start) parse_opts "$@"; cmd_start ;;
    stop) parse_opts "$@"; cmd_stop TERM ;;
    kill) parse_opts "$@"; cmd_stop KILL ;;
    restart) parse_opts "$@"; cmd_stop TERM; cmd_start ;;
    status) parse_opts "$@"; cmd_status ;;
    topics-create)
      (( $# >= 1 )) && [[ "$1" != --* ]] || osh_die "usage: kafka.sh topics-create NAME [PARTITIONS] [--dir DIR]"
      local name="$1" partitions=3; shift
      if (( $# >= 1 )) && [[ "$1" != --* ]]; then partitions="$1"; shift; fi
      parse_opts "$@"
      cmd_topics_create "$name" "$partitions"
      ;;
    topics-list) parse_opts "$@"; cmd_topics_list ;;
    -h|--help|help) usage ;;
    *) osh_log "unknown command: $cmd"; usage ;;
  esac
}

main "$@"
