#!/usr/bin/env bash
# `npm start`: the whole stack on one machine, in the foreground; Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ensure_dependencies
build
for port in "${IDENTITY_PORT:-8081}" "${GATEWAY_PORT:-8080}" "${AUDIT_PORT:-8082}"; do
  if (echo > "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
    log "port $port is already in use (another Keyway?); set IDENTITY_PORT, GATEWAY_PORT or AUDIT_PORT"
    exit 1
  fi
done
ensure_kafka

log "migrating databases"
node dist/apps/identity/src/command.js migrate
node dist/apps/audit/src/main.js migrate

# audit authenticates its callers at this stack's gateway, wherever GATEWAY_PORT put it.
export AUDIT_GATEWAY_URL="${AUDIT_GATEWAY_URL:-http://127.0.0.1:${GATEWAY_PORT:-8080}}"

pids=()
run_service() { # name port
  local name=$1 port=$2
  HTTP_PORT=$port node --enable-source-maps "dist/apps/$name/src/main.js" \
    > >(sed -u "s/^/[$name] /") 2>&1 &
  pids+=($!)
  log "$name starting on :$port"
}

stop_all() {
  trap - INT TERM EXIT
  log "stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_kafka_if_started
  log "stopped"
  exit "${1:-0}"
}
trap 'stop_all 130' INT
trap 'stop_all 143' TERM
trap 'stop_all $?' EXIT

run_service identity "${IDENTITY_PORT:-8081}"
run_service gateway "${GATEWAY_PORT:-8080}"
run_service audit "${AUDIT_PORT:-8082}"

for port in "${IDENTITY_PORT:-8081}" "${GATEWAY_PORT:-8080}" "${AUDIT_PORT:-8082}"; do
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/health/ready" > /dev/null 2>&1 && break
    sleep 0.5
  done
done
log "ready: gateway :${GATEWAY_PORT:-8080}, identity :${IDENTITY_PORT:-8081}, audit :${AUDIT_PORT:-8082} (Ctrl-C stops)"
log "first time? npm run keyway -- bootstrap --workspace NAME --json"
# Any service dying takes the stack down, so a failure is never silent.
wait -n "${pids[@]}" || true
log "a service exited; stopping the others"
exit 1
