#!/usr/bin/env bash
# `npm test`: every check against real Kafka, Postgres and Redis. Non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
started=$(date +%s)
step() { log "── $* ($(( $(date +%s) - started ))s)"; }

ensure_dependencies
trap stop_kafka_if_started EXIT

step "format (prettier)"
npx prettier --check . --log-level warn
step "lint (eslint, Nx module boundaries)"
bash scripts/lint.sh
step "types (tsc)"
npx tsc -p tsconfig.json --noEmit
step "unit tests (and docs/configuration.md against the config schemas)"
npx jest -c jest.unit.config.js --ci
step "Kubernetes manifests (render, schemas, strict types)"
bash scripts/manifests.sh

step "services"
ensure_kafka
ensure_nginx
build
node scripts/drop-test-databases.mjs

step "integration tests"
npx jest -c jest.int.config.js --ci --runInBand
step "end-to-end tests"
npx jest -c jest.e2e.config.js --ci --runInBand
step "container images (build, run, walking skeleton, podman kube play)"
bash scripts/images.sh

step "all checks passed"
