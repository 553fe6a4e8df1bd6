#!/usr/bin/env bash
# Benchmarks without npm: builds the services, brings its own Kafka broker unless KAFKA_BROKERS
# is set, runs bench/<name>.mjs (identity's key issuing by default), stops what it started.
#
# Usage: bash bench/run.sh [identity-issue|identity-auth-throttle|revocation|gateway|gateway-<part>|
#        audit-ingest|audit-integrity|audit-usage-queries|audit-export]
#        gateway runs every gateway part in turn (commands, exactness, revocation, throughput,
#        rebuild; the rebuild last, as it leaves a million events on the broker's topics).
# Env:   BENCH_KEYS (5000), BENCH_CONCURRENCY (16) and the other BENCH_* of identity-issue.mjs;
#        BENCH_THROTTLE_ATTEMPTS (600), BENCH_THROTTLE_CONCURRENCY (16) of identity-auth-throttle.mjs;
#        BENCH_AUDIT_EVENTS (100000) and the others at the top of bench/audit-ingest.mjs;
#        BENCH_REVOKES (300), BENCH_REVOKE_CONCURRENCY (16) and the others of revocation.mjs;
#        BENCH_AUDIT_ROWS (1000000), BENCH_AUDIT_SMALL_ROWS (100000), BENCH_AUDIT_QUERIES (200) of
#          audit-export.mjs;
#        the BENCH_* listed at the top of each bench/gateway-*.mjs (they need Debian's wrk);
#        BENCH_INTEGRITY_ROWS (1000000) of audit-integrity.mjs (it needs no broker);
#        BENCH_USAGE_* and the others at the top of bench/audit-usage-queries.mjs (no Kafka);
#        KAFKA_BROKERS: use this broker instead of starting one;
#        BENCH_KAFKA_PORT (39092): first client port tried for the bench's own broker (its
#          controller port is the next one); KEYWAY_DIST: use this build instead of building.
#
# The build goes to a private directory (not the repository's dist/), so that a test run using
# dist/ at the same time is not disturbed. The broker gets a fresh data dir, wiped at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export KAFKAJS_NO_PARTITIONER_WARNING=1
export POSTGRES_HOST="${POSTGRES_HOST:-127.0.0.1}" POSTGRES_PORT="${POSTGRES_PORT:-5432}"
export POSTGRES_USER="${POSTGRES_USER:-postgres}"

log() { printf '[bench] %s\n' "$*" >&2; }

bench="${1:-identity-issue}"
needs_kafka=1
case "$bench" in
  identity-issue)
    bench_vars=(BENCH_KEYS BENCH_CONCURRENCY BENCH_WARMUP BENCH_UNLOADED_KEYS BENCH_UNLOADED_PAUSE_MS
      BENCH_ROUNDS BENCH_BASELINE_DIST)
    ;;
  identity-auth-throttle)
    bench_vars=(BENCH_THROTTLE_ATTEMPTS BENCH_THROTTLE_CONCURRENCY)
    ;;
  audit-ingest)
    bench_vars=(BENCH_AUDIT_EVENTS BENCH_AUDIT_WORKSPACES BENCH_AUDIT_LAG_RATE BENCH_AUDIT_LAG_SECONDS
      BENCH_CPU_PROF)
    ;;
  revocation)
    bench_vars=(BENCH_REVOKES BENCH_REVOKE_CONCURRENCY BENCH_REVOKE_PAUSE_MS BENCH_REVOKE_WARMUP)
    ;;
  audit-export)
    bench_vars=(BENCH_AUDIT_ROWS BENCH_AUDIT_SMALL_ROWS BENCH_AUDIT_QUERIES)
    ;;
  gateway | gateway-commands | gateway-exactness | gateway-revocation | gateway-throughput | \
    gateway-rebuild)
    bench_vars=(BENCH_GATEWAY_ENV BENCH_COMMANDS_N BENCH_COMMANDS_FRESH BENCH_EXACT_TRIALS
      BENCH_EXACT_REQUESTS BENCH_EXACT_LIMIT BENCH_EXACT_CONNECTIONS BENCH_GW_REVOKES
      BENCH_GW_REVOKE_WARMUP BENCH_GW_REVOKE_PAUSE_MS BENCH_ROUNDS BENCH_SECONDS
      BENCH_WARMUP_SECONDS BENCH_CONNECTIONS BENCH_LATENCY_SECONDS BENCH_REBUILD_KEYS
      BENCH_CPU_PROF)
    if ! command -v wrk >/dev/null && [ "$bench" != gateway-commands ] &&
      [ "$bench" != gateway-exactness ] && [ "$bench" != gateway-rebuild ]; then
      log "wrk is missing: apt-get install -y wrk"
      exit 2
    fi
    ;;
  audit-integrity)
    bench_vars=(BENCH_INTEGRITY_ROWS)
    needs_kafka=0
    ;;
  audit-usage-queries)
    bench_vars=(BENCH_USAGE_WINDOWS BENCH_USAGE_KEYS BENCH_QUERY_ROUNDS BENCH_INGEST_EVENTS
      BENCH_INGEST_BATCH BENCH_KEEP_DB)
    needs_kafka=0
    ;;
  *)
    log "usage: bash bench/run.sh [identity-issue|identity-auth-throttle|revocation|gateway|gateway-<part>|audit-ingest|audit-integrity|audit-usage-queries|audit-export]"
    exit 2
    ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/keyway-bench.XXXXXX")"
kafka_env=()
cleanup() {
  if ((${#kafka_env[@]} > 0)); then
    env "${kafka_env[@]}" bash tools/kafka/wipe.sh >&2 || log "could not stop the bench broker"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Build apps/ and libs/ with the repository's own build script, into $work/build/dist.
if [ -z "${KEYWAY_DIST:-}" ]; then
  mkdir "$work/build"
  for entry in apps libs node_modules tsconfig.base.json .swcrc; do
    ln -s "$ROOT/$entry" "$work/build/$entry"
  done
  (cd "$work/build" && node "$ROOT/scripts/build.mjs" >&2)
  export KEYWAY_DIST="$work/build/dist"
fi

# 2. A broker of our own on a free pair of ports, unless one is given.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
broker_note="given by KAFKA_BROKERS"
if [ "$needs_kafka" = 0 ]; then
  broker_note="none (this benchmark does not use Kafka)"
elif [ -z "${KAFKA_BROKERS:-}" ]; then
  port="${BENCH_KAFKA_PORT:-39092}"
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if ! port_open "$port" && ! port_open "$((port + 1))"; then break; fi
    port=$((port + 100))
  done
  kafka_env=(KAFKA_PORT="$port" KAFKA_CONTROLLER_PORT="$((port + 1))" KAFKA_DATA_DIR="$work/kafka")
  env "${kafka_env[@]}" bash tools/kafka/start.sh >&2
  export KAFKA_BROKERS="127.0.0.1:$port"
  broker_note="Apache Kafka 3.9.1 from tools/kafka, started by the benchmark"
fi

# 3. The benchmark itself.
command="bash bench/run.sh"
if [ "$bench" != identity-issue ]; then command="$command $bench"; fi
for var in "${bench_vars[@]}"; do
  if [ -n "${!var:-}" ]; then command="$var=${!var} $command"; fi
done
parts=("$bench")
if [ "$bench" = gateway ]; then
  parts=(gateway-commands gateway-exactness gateway-revocation gateway-throughput gateway-rebuild)
fi
status=0
for part in "${parts[@]}"; do
  log "running bench/$part.mjs"
  BENCH_COMMAND="${BENCH_COMMAND:-$command}" BENCH_BROKER_NOTE="${BENCH_BROKER_NOTE:-$broker_note}" \
    node "bench/$part.mjs" || status=$?
done
exit "$status"
