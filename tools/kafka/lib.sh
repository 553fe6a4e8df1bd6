# shellcheck shell=bash disable=SC2034 # variables are used by the scripts that source this file
# Shared settings and helpers for the tools/kafka scripts. Sourced, never executed.
#
# Environment (all optional):
#   KAFKA_PORT             client (PLAINTEXT) port on 127.0.0.1        default 9092
#   KAFKA_CONTROLLER_PORT  KRaft controller port on 127.0.0.1          default 9093
#   KAFKA_DATA_DIR         data, broker.log, broker.pid, server.properties
#                                                                       default <repo>/.kafka/run-<KAFKA_PORT>
#   KAFKA_HEAP             JVM heap flags                               default "-Xms256m -Xmx512m"
#   KAFKA_START_TIMEOUT    seconds start.sh waits for readiness         default 90
#   KAFKA_STOP_SIGNAL      TERM (controlled shutdown) or KILL           default TERM

KAFKA_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
KAFKA_REPO_ROOT="$(cd "$KAFKA_TOOLS_DIR/../.." && pwd -P)"
KAFKA_LIBS_DIR="$KAFKA_REPO_ROOT/.kafka/libs"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

kafka_die() {
  echo "kafka: error: $*" >&2
  exit 1
}

kafka_check_port_var() {
  local name="$1" value="$2"
  if ! [[ "$value" =~ ^[0-9]+$ ]] || ((10#$value < 1 || 10#$value > 65535)); then
    kafka_die "$name must be a TCP port number, got '$value'"
  fi
}
kafka_check_port_var KAFKA_PORT "$KAFKA_PORT"
kafka_check_port_var KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] ||
  kafka_die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $KAFKA_PORT)"
[[ "$KAFKA_START_TIMEOUT" =~ ^[0-9]+$ ]] ||
  kafka_die "KAFKA_START_TIMEOUT must be a whole number of seconds, got '$KAFKA_START_TIMEOUT'"

# Absolute data dir; a relative KAFKA_DATA_DIR is taken relative to the caller's cwd.
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$KAFKA_REPO_ROOT/.kafka/run-$KAFKA_PORT}"
[[ "$KAFKA_DATA_DIR" == /* ]] || KAFKA_DATA_DIR="$PWD/$KAFKA_DATA_DIR"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR%/}"
[[ -n "$KAFKA_DATA_DIR" ]] || kafka_die "KAFKA_DATA_DIR must not be /"

KAFKA_PID_FILE="$KAFKA_DATA_DIR/broker.pid"
KAFKA_LOG_FILE="$KAFKA_DATA_DIR/broker.log"
KAFKA_PROPS_FILE="$KAFKA_DATA_DIR/server.properties"
KAFKA_LOG_DIRS="$KAFKA_DATA_DIR/data"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  KAFKA_JAVA="$JAVA_HOME/bin/java"
else
  KAFKA_JAVA="java"
fi

# Monotonic-enough wall clock in milliseconds (bash 5 has EPOCHREALTIME; fall back to date).
kafka_now_ms() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo $((10#$t / 1000))
  else
    echo $(($(date +%s) * 1000))
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
kafka_port_open() {
  local port="$1"
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null
  else
    bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null
  fi
}

# Best-effort description of who listens on a port (Linux ss / lsof), for error messages.
kafka_port_owner() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$port" 2>/dev/null | head -3
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | tail -n +2 | head -3
  fi
}

# Pid from the pid file when it names a live broker started for this data dir; empty otherwise.
# A stale pid file (dead process, zombie, or a reused pid running something else) is removed.
kafka_running_pid() {
  local pid args stat
  [[ -f "$KAFKA_PID_FILE" ]] || return 0
  pid="$(tr -dc '0-9' <"$KAFKA_PID_FILE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    stat="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
    args="$(ps -ww -o args= -p "$pid" 2>/dev/null || true)"
    if [[ "$stat" != Z* && "$args" == *kafka.Kafka* && "$args" == *"$KAFKA_PROPS_FILE"* ]]; then
      echo "$pid"
      return 0
    fi
  fi
  rm -f "$KAFKA_PID_FILE"
}

kafka_pid_alive() {
  local pid="$1" stat
  kill -0 "$pid" 2>/dev/null || return 1
  stat="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
  [[ -n "$stat" && "$stat" != Z* ]]
}

# Ports recorded in this data dir's server.properties (the running broker's real ports),
# falling back to the environment's. Prints "client controller".
kafka_recorded_ports() {
  local line
  line="$(grep '^listeners=' "$KAFKA_PROPS_FILE" 2>/dev/null || true)"
  if [[ "$line" =~ PLAINTEXT://[^,]*:([0-9]+) ]]; then
    local client="${BASH_REMATCH[1]}"
    if [[ "$line" =~ CONTROLLER://[^,]*:([0-9]+) ]]; then
      echo "$client ${BASH_REMATCH[1]}"
      return 0
    fi
  fi
  echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT"
}

# Wait up to $1 ms until none of the given ports accepts connections. After SIGKILL the JVM's
# main thread can already be a zombie while other threads still hold the listening sockets.
kafka_wait_ports_closed() {
  local deadline=$(($(kafka_now_ms) + $1)) port busy
  shift
  while :; do
    busy=0
    for port in "$@"; do
      if kafka_port_open "$port"; then
        busy=1
      fi
    done
    ((busy == 1)) || return 0
    (($(kafka_now_ms) < deadline)) || return 1
    sleep 0.1
  done
}

# Serialise start/stop/wipe on one data dir (flock where available, e.g. Linux).
# The lock fd is 9; never let a long-lived child inherit it.
kafka_lock() {
  mkdir -p "$KAFKA_DATA_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$KAFKA_DATA_DIR/.lock"
    flock -w 180 9 || kafka_die "timed out waiting for another start/stop on $KAFKA_DATA_DIR"
  fi
}
