#!/usr/bin/env bash
# Start a single-node KRaft Apache Kafka broker in the background and wait until it is ready.
#
# Usage: tools/kafka/start.sh
# Env:   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (<repo>/.kafka/run-<port>),
#        KAFKA_HEAP ("-Xms256m -Xmx512m"), KAFKA_START_TIMEOUT (90 s).
#
# Idempotent: if the broker of this data dir is already running and answers, it is reused.
# Fails (non-zero) if the port is taken by another process, or if the broker is not ready in time.
# On success prints one line to stdout:
#   kafka: ready on 127.0.0.1:9092 (pid N, data DIR) in X.Ys
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_ms="$(kafka_now_ms)"
READY_MARK='Kafka Server started'

elapsed() {
  local ms=$(($(kafka_now_ms) - start_ms))
  printf '%d.%01ds' $((ms / 1000)) $(((ms % 1000) / 100))
}

ready_line() {
  local pid="$1" note="${2:-}"
  echo "kafka: ready on 127.0.0.1:$KAFKA_PORT (pid $pid, data $KAFKA_DATA_DIR${note}) in $(elapsed)"
}

log_tail() {
  if [[ -f "$KAFKA_LOG_FILE" ]]; then
    echo "---- last 60 lines of $KAFKA_LOG_FILE ----" >&2
    tail -n 60 "$KAFKA_LOG_FILE" >&2
    echo "----" >&2
  fi
}

port_in_use_message() {
  local port="$1" what="$2" owner
  owner="$(kafka_port_owner "$port")"
  echo "kafka: error: $what port 127.0.0.1:$port is already in use by another process" \
    "(not the broker of $KAFKA_DATA_DIR). Stop it, or pick other ports with" \
    "KAFKA_PORT / KAFKA_CONTROLLER_PORT." >&2
  if [[ -n "$owner" ]]; then
    echo "kafka: listener: $owner" >&2
  fi
}

# Wait until the log says started AND the client port accepts connections.
wait_ready() {
  local deadline=$((start_ms + KAFKA_START_TIMEOUT * 1000)) pid=""
  while :; do
    if [[ -z "$pid" && -s "$KAFKA_PID_FILE" ]]; then
      pid="$(tr -dc '0-9' <"$KAFKA_PID_FILE")"
    fi
    if [[ -n "$pid" ]] && ! kafka_pid_alive "$pid"; then
      echo "kafka: error: the broker (pid $pid) exited during start-up" >&2
      log_tail
      rm -f "$KAFKA_PID_FILE"
      exit 1
    fi
    if [[ -n "$pid" ]] && grep -qF "$READY_MARK" "$KAFKA_LOG_FILE" 2>/dev/null &&
      kafka_port_open "$KAFKA_PORT"; then
      READY_PID="$pid"
      return 0
    fi
    if (($(kafka_now_ms) >= deadline)); then
      echo "kafka: error: the broker was not ready on 127.0.0.1:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s" >&2
      log_tail
      if [[ -n "$pid" ]] && kafka_pid_alive "$pid"; then
        echo "kafka: killing the half-started broker (pid $pid)" >&2
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$KAFKA_PID_FILE"
      fi
      exit 1
    fi
    sleep 0.2
  done
}

"$KAFKA_TOOLS_DIR/fetch.sh"

new_dir=0
[[ -d "$KAFKA_DATA_DIR" ]] || new_dir=1
kafka_lock

# 1. Reuse the broker of this data dir if it is already running.
had_pid_file=0
[[ ! -f "$KAFKA_PID_FILE" ]] || had_pid_file=1
pid="$(kafka_running_pid)"
if [[ -n "$pid" ]]; then
  if ! grep -qxF "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT" \
    "$KAFKA_PROPS_FILE" 2>/dev/null; then
    kafka_die "a broker (pid $pid) already runs on $KAFKA_DATA_DIR with other ports" \
      "($(grep '^listeners=' "$KAFKA_PROPS_FILE" 2>/dev/null || echo '?')); stop it first (tools/kafka/stop.sh)"
  fi
  wait_ready
  ready_line "$READY_PID" ", reused"
  exit 0
fi

# 2. The ports must be free. If this data dir's previous broker just died (stale pid file,
#    e.g. killed with kill -9 by a test), give the kernel a moment to release its sockets.
if ((had_pid_file == 1)); then
  kafka_wait_ports_closed 10000 "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" || true
fi
if kafka_port_open "$KAFKA_PORT"; then
  port_in_use_message "$KAFKA_PORT" "client"
  ((new_dir == 0)) || rm -rf "$KAFKA_DATA_DIR"
  exit 1
fi
if kafka_port_open "$KAFKA_CONTROLLER_PORT"; then
  port_in_use_message "$KAFKA_CONTROLLER_PORT" "controller"
  ((new_dir == 0)) || rm -rf "$KAFKA_DATA_DIR"
  exit 1
fi

# 3. Render server.properties for this data dir.
mkdir -p "$KAFKA_LOG_DIRS"
props="$(<"$KAFKA_TOOLS_DIR/server.properties.template")"
props="${props//@KAFKA_PORT@/"$KAFKA_PORT"}"
props="${props//@KAFKA_CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}"
props="${props//@KAFKA_LOG_DIRS@/"$KAFKA_LOG_DIRS"}"
printf '%s\n' "$props" >"$KAFKA_PROPS_FILE"

read -r -a heap_opts <<<"$KAFKA_HEAP"
java_opts=(
  "${heap_opts[@]}"
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$KAFKA_TOOLS_DIR/log4j.properties"
  "-Dkafka.logs.dir=$KAFKA_DATA_DIR"
  -cp "$KAFKA_LIBS_DIR/*"
)

# 4. Format the storage once per data dir. The cluster id is generated on first use and then
#    read back from meta.properties, so it always matches the existing data.
meta="$KAFKA_LOG_DIRS/meta.properties"
if [[ ! -f "$meta" ]]; then
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding; Kafka avoids a leading '-'.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  if ! format_out="$("$KAFKA_JAVA" "${java_opts[@]}" kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$KAFKA_PROPS_FILE" --ignore-formatted 2>&1)"; then
    echo "$format_out" >&2
    kafka_die "formatting $KAFKA_LOG_DIRS failed"
  fi
fi

# 5. Launch detached: own session (setsid where available), no inherited stdio or lock fd,
#    so callers such as execSync() in a test's globalSetup return immediately.
#    The inner bash writes its own pid and then execs java, so the pid file holds the JVM's pid.
launcher=(nohup)
if command -v setsid >/dev/null 2>&1; then
  launcher+=(setsid)
fi
rm -f "$KAFKA_PID_FILE"
: >"$KAFKA_LOG_FILE"
# shellcheck disable=SC2016 # $$ and $1 are for the inner shell
"${launcher[@]}" bash -c 'echo "$$" >"$1"; shift; exec "$@"' kafka-launch "$KAFKA_PID_FILE" \
  "$KAFKA_JAVA" "${java_opts[@]}" kafka.Kafka "$KAFKA_PROPS_FILE" \
  </dev/null >>"$KAFKA_LOG_FILE" 2>&1 9>&- &

wait_ready
ready_line "$READY_PID"
