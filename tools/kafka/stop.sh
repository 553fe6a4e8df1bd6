#!/usr/bin/env bash
# Stop the broker started by start.sh for this data dir.
#
# Usage: tools/kafka/stop.sh
# Env:   KAFKA_PORT / KAFKA_DATA_DIR select the broker (same defaults as start.sh).
#        KAFKA_STOP_SIGNAL=TERM (default): controlled shutdown, SIGKILL after 30 s.
#        KAFKA_STOP_SIGNAL=KILL: kill at once (simulates a crash; the data dir is kept).
# Idempotent: exits 0 when no broker is running.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

signal="${KAFKA_STOP_SIGNAL:-TERM}"
signal="${signal#SIG}"
case "$signal" in
  TERM | KILL) ;;
  *) kafka_die "KAFKA_STOP_SIGNAL must be TERM or KILL, got '$KAFKA_STOP_SIGNAL'" ;;
esac

[[ -d "$KAFKA_DATA_DIR" ]] || exit 0
kafka_lock

read -r client_port controller_port < <(kafka_recorded_ports)
pid="$(kafka_running_pid)"
if [[ -z "$pid" ]]; then
  exit 0
fi

start_ms="$(kafka_now_ms)"
kill "-$signal" "$pid" 2>/dev/null || true
if [[ "$signal" == TERM ]]; then
  deadline=$((start_ms + 30000))
  while kafka_pid_alive "$pid" && (($(kafka_now_ms) < deadline)); do
    sleep 0.2
  done
  if kafka_pid_alive "$pid"; then
    echo "kafka: broker (pid $pid) still running 30 s after SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
fi
# After SIGKILL the process disappears almost at once; give it up to 10 s.
deadline=$(($(kafka_now_ms) + 10000))
while kafka_pid_alive "$pid" && (($(kafka_now_ms) < deadline)); do
  sleep 0.1
done
kafka_pid_alive "$pid" && kafka_die "broker (pid $pid) did not exit"
rm -f "$KAFKA_PID_FILE"
kafka_wait_ports_closed 10000 "$client_port" "$controller_port" ||
  kafka_die "broker (pid $pid) exited but 127.0.0.1:$client_port or :$controller_port still answers"

ms=$(($(kafka_now_ms) - start_ms))
printf 'kafka: stopped broker on 127.0.0.1:%s (pid %s, SIG%s) in %d.%01ds\n' \
  "$client_port" "$pid" "$signal" $((ms / 1000)) $(((ms % 1000) / 100))
