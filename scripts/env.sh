# Shared by the npm scripts: repository root, dependencies, service defaults, a local broker.
# Sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export POSTGRES_HOST="${POSTGRES_HOST:-127.0.0.1}"
export POSTGRES_PORT="${POSTGRES_PORT:-5432}"
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export KAFKAJS_NO_PARTITIONER_WARNING=1
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE="${CI:+true}"

log() { printf '\033[1m[keyway]\033[0m %s\n' "$*" >&2; }

# Installs node_modules when missing or older than the lock file.
ensure_dependencies() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Compiles apps and libs to dist/ (swc; types are checked by `npm run typecheck`).
build() {
  node scripts/build.mjs >&2
}

STARTED_KAFKA=""
# Uses KAFKA_BROKERS when given; otherwise starts (or reuses) the local single-node broker.
ensure_kafka() {
  if [ -n "${KAFKA_BROKERS:-}" ]; then
    log "using Kafka at $KAFKA_BROKERS"
    return
  fi
  export KAFKA_PORT="${KAFKA_PORT:-9092}"
  bash tools/kafka/start.sh >&2
  STARTED_KAFKA=1
  export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
}

stop_kafka_if_started() {
  if [ -n "$STARTED_KAFKA" ]; then bash tools/kafka/stop.sh >&2 || true; fi
}

# Installs Debian's nginx (with auth_request) when missing, for the forward-auth tests.
ensure_nginx() {
  bash tools/nginx/ensure.sh >&2
}
