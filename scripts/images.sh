#!/usr/bin/env bash
# `bash scripts/images.sh`: the container images, built and run for real (also a step of `npm test`).
#
#  1. installs Podman (Debian's packages) when missing and makes the node:20-bookworm-slim
#     stand-in once per machine (scripts/containers/podman.sh);
#  2. builds the three images from docker/Dockerfile (targets identity, gateway, audit);
#  3. runs each as in production (NODE_ENV=production, read-only root, no capabilities, non-root)
#     against this machine's Postgres and Redis and a test Kafka, and checks /health/ready, the
#     image's HEALTHCHECK, that PID 1 is node under uid 1000, and graceful SIGTERM;
#  4. the walking skeleton through the containers: bootstrap with the image's CLI, issue a key at
#     identity, verify it at the gateway, find it in audit's trail; no secret in any log;
#  5. plays the `podman` overlay of k8s/ with `podman kube play` and waits for /health/ready;
#  6. removes every container, pod and database it made, and reports sizes and times.
#
# Env: KAFKA_BROKERS (else a local broker is started, as `npm test` does), POSTGRES_*, REDIS_URL,
#      KEYWAY_IMAGE_TAG (default `local`), KEYWAY_CONTAINERS_DIR (scripts/containers/podman.sh),
#      KEYWAY_IMAGES_SKIP_PLAY=1 to leave out step 5.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$ROOT/scripts/containers/podman.sh"

TAG="${KEYWAY_IMAGE_TAG:-local}"
SERVICES=(identity gateway audit)
RUN_ID="img$(date +%s)$$"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/keyway-images.XXXXXX")"
chmod 700 "$WORK"
CONTAINERS=()
PLAYED=""
PLAY_SECRETS=()
# e2e_…: scripts/drop-test-databases.mjs drops them should a killed run leave them behind.
DATABASES=("e2e_${RUN_ID}_identity" "e2e_${RUN_ID}_audit")
REPORT=()
note() {
  REPORT+=("$*")
  log "$*"
}
elapsed_ms() { echo $(($(containers_now_ms) - $1)); }

cleanup() {
  local status=$?
  set +e
  if [[ -n "$PLAYED" ]]; then pm kube down "$PLAYED" >/dev/null 2>&1; fi
  for secret in "${PLAY_SECRETS[@]}"; do pm secret rm "$secret" >/dev/null 2>&1; done
  for name in "${CONTAINERS[@]}"; do pm rm -f -t 0 "$name" >/dev/null 2>&1; done
  for db in "${DATABASES[@]}"; do
    psql -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres \
      -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
  done
  stop_kafka_if_started
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_podman
# Containers and pods a killed run left behind (this storage is ours alone; an hour is longer
# than any run).
pm pod rm -f $(pm pod ps -q --filter until=1h) >/dev/null 2>&1 || true
pm rm -f -t 0 $(pm ps -a -q --filter until=1h) >/dev/null 2>&1 || true
ensure_base_image
ensure_kafka

# ── 2. build ────────────────────────────────────────────────────────────────────────────────────
version="$(node -p 'require("./package.json").version')"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
build_args=(
  --format docker --network host
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$created"
  # Podman 1.28's layer cache ignores build-argument values: labels that change per build are
  # set here as well, so an image never carries a cached revision.
  --label "org.opencontainers.image.version=$version"
  --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.created=$created"
)
# npm inside the build goes through the same (possibly TLS-intercepting) proxy as this machine:
# it trusts what the machine trusts. Adding the system bundle is harmless where no proxy is.
ca_bundle="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
if [[ -f "$ca_bundle" ]]; then
  build_args+=(-v "$ca_bundle:/run/host-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt)
fi
build_total="$(containers_now_ms)"
# The dependency stages are tagged so that pruning dangling images keeps the npm layers cached.
for stage in build-deps prod-deps; do
  started="$(containers_now_ms)"
  nice -n 10 podman --root "$KEYWAY_CONTAINERS_DIR/root" --runroot "$KEYWAY_CONTAINERS_DIR/run" \
    build --quiet "${build_args[@]}" --target "$stage" -f docker/Dockerfile \
    -t "localhost/keyway-cache:$stage" . >/dev/null
  note "stage $stage: $(elapsed_ms "$started") ms"
done
for service in "${SERVICES[@]}"; do
  started="$(containers_now_ms)"
  if ! nice -n 10 podman --root "$KEYWAY_CONTAINERS_DIR/root" --runroot "$KEYWAY_CONTAINERS_DIR/run" \
    build "${build_args[@]}" --target "$service" -f docker/Dockerfile \
    -t "localhost/keyway-$service:$TAG" . >"$WORK/build-$service.log" 2>&1; then
    tail -40 "$WORK/build-$service.log" >&2
    containers_die "building $service failed"
  fi
  size="$(pm image inspect --format '{{.Size}}' "localhost/keyway-$service:$TAG")"
  note "image keyway-$service:$TAG: $((size / 1000000)) MB, built in $(elapsed_ms "$started") ms"
done
note "all images built in $(elapsed_ms "$build_total") ms (the three share every layer but the last few)"
pm image prune -f >/dev/null 2>&1 || true

# ── 3. run each image as in production ─────────────────────────────────────────────────────────
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
declare -A PORT
for service in "${SERVICES[@]}"; do PORT[$service]="$(free_port)"; done
pepper="$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')"
session_key="$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')"
signing_seed="$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"

env_file() { # service → a file of the container's environment (kept off the command line)
  local service=$1 file="$WORK/$1.env"
  {
    echo "NODE_ENV=production"
    echo "HTTP_PORT=${PORT[$service]}"
    echo "KAFKA_BROKERS=$KAFKA_BROKERS"
    echo "KAFKA_GROUP_ID=$RUN_ID-$service"
    echo "POSTGRES_HOST=$POSTGRES_HOST"
    echo "POSTGRES_PORT=$POSTGRES_PORT"
    echo "POSTGRES_USER=$POSTGRES_USER"
    [[ -n "${POSTGRES_PASSWORD:-}" ]] && echo "POSTGRES_PASSWORD=$POSTGRES_PASSWORD"
    echo "REDIS_URL=$REDIS_URL"
    echo "KEYWAY_PEPPER=$pepper"
    echo "SHUTDOWN_TIMEOUT_MS=10000"
    case "$service" in
      identity) echo "POSTGRES_DATABASE=e2e_${RUN_ID}_identity" && echo "OUTBOX_POLL_INTERVAL_MS=200" ;;
      audit) echo "POSTGRES_DATABASE=e2e_${RUN_ID}_audit" && echo "AUDIT_GATEWAY_URL=http://127.0.0.1:${PORT[gateway]}" && echo "AUDIT_SIGNING_KEY=$signing_seed" ;;
      gateway) echo "GATEWAY_SESSION_KEYS=ci:$session_key" ;;
    esac
  } >"$file"
  chmod 600 "$file"
  echo "$file"
}

# The restrictions of k8s/base's securityContext, so the image is tested as it will run.
# No healthcheck timer (podman would ask systemd, absent here, for one): the image's HEALTHCHECK
# command is run by hand below.
hardened=(--read-only --tmpfs /tmp:rw,size=64m,mode=1777 --cap-drop ALL
  --security-opt no-new-privileges --network host --no-healthcheck)

for service in identity audit; do
  started="$(containers_now_ms)"
  pm run --rm "${hardened[@]}" --env-file "$(env_file "$service")" \
    "localhost/keyway-$service:$TAG" migrate >"$WORK/migrate-$service.log" 2>&1 ||
    { cat "$WORK/migrate-$service.log" >&2; containers_die "$service migrate failed"; }
  note "$service: \`migrate\` in its image: $(elapsed_ms "$started") ms ($(tail -1 "$WORK/migrate-$service.log"))"
done

wait_ready() { # service → ms until /health/ready answers 200
  local service=$1 started=$2 deadline=$(($2 + 90000))
  until curl -fs -o /dev/null "http://127.0.0.1:${PORT[$service]}/health/ready"; do
    if [[ "$(pm inspect --format '{{.State.Running}}' "$RUN_ID-$service")" != true ]]; then
      pm logs "$RUN_ID-$service" 2>&1 | tail -30 >&2
      containers_die "$service exited before it was ready"
    fi
    if (($(containers_now_ms) > deadline)); then
      pm logs "$RUN_ID-$service" 2>&1 | tail -30 >&2
      curl -s "http://127.0.0.1:${PORT[$service]}/health/ready" >&2 || true
      containers_die "$service was not ready within 90 s"
    fi
    sleep 0.2
  done
  elapsed_ms "$started"
}

# audit authenticates its callers through the gateway, so it starts last (as in the e2e stack).
for service in identity gateway audit; do
  started="$(containers_now_ms)"
  pm run -d --name "$RUN_ID-$service" "${hardened[@]}" --env-file "$(env_file "$service")" \
    "localhost/keyway-$service:$TAG" >/dev/null
  CONTAINERS+=("$RUN_ID-$service")
  note "$service: container start to /health/ready: $(wait_ready "$service" "$started") ms"
done

for service in "${SERVICES[@]}"; do
  name="$RUN_ID-$service"
  check="$(pm image inspect --format '{{json .Config.Healthcheck.Test}}' "localhost/keyway-$service:$TAG")"
  [[ "$check" == '["CMD","node","/app/healthcheck.js"]' ]] ||
    containers_die "$service: the image has no HEALTHCHECK (built without --format docker?): $check"
  pm exec "$name" node /app/healthcheck.js || containers_die "$service: the image's HEALTHCHECK fails"
  status="$(pm exec "$name" sh -c 'grep -E "^(Uid|Gid):" /proc/1/status | tr -s "\t " " "; tr "\0" " " </proc/1/cmdline')"
  [[ "$status" == *"Uid: 1000 1000 1000 1000"* && "$status" == *"Gid: 1000 1000 1000 1000"* ]] ||
    containers_die "$service: PID 1 does not run as uid/gid 1000: $status"
  [[ "$status" == *"node /app/dist/apps/$service/src/main.js"* ]] ||
    containers_die "$service: PID 1 is not the service's node process: $status"
  if pm exec "$name" sh -c 'touch /app/written 2>/dev/null || touch /written 2>/dev/null'; then
    containers_die "$service: the process could write to its root filesystem"
  fi
done
note "all: PID 1 is node as uid/gid 1000, root filesystem read-only, HEALTHCHECK healthy"

# ── 4. the walking skeleton through the containers ────────────────────────────────────────────
pm run --rm "${hardened[@]}" --env-file "$WORK/identity.env" "localhost/keyway-identity:$TAG" \
  keyway bootstrap --workspace images-ci --json >"$WORK/owner.json" 2>"$WORK/bootstrap.log" ||
  { cat "$WORK/bootstrap.log" >&2; containers_die "bootstrap through the image's CLI failed"; }
started="$(containers_now_ms)"
IDENTITY_URL="http://127.0.0.1:${PORT[identity]}" GATEWAY_URL="http://127.0.0.1:${PORT[gateway]}" \
  AUDIT_URL="http://127.0.0.1:${PORT[audit]}" AUDIT_DATABASE="e2e_${RUN_ID}_audit" \
  OWNER_FILE="$WORK/owner.json" SECRETS_FILE="$WORK/secrets.txt" \
  node scripts/containers/walking-skeleton.mjs >"$WORK/flow.txt"
note "walking skeleton through the containers in $(elapsed_ms "$started") ms: $(cat "$WORK/flow.txt")"

echo "$pepper" >>"$WORK/secrets.txt"
echo "$session_key" >>"$WORK/secrets.txt"
for service in "${SERVICES[@]}"; do
  pm logs "$RUN_ID-$service" >"$WORK/$service.log" 2>&1
  if grep -qF -f "$WORK/secrets.txt" "$WORK/$service.log"; then
    containers_die "$service's log contains a key or a secret"
  fi
done
note "no key, pepper or signing key in any container's log"

for service in audit gateway identity; do
  started="$(containers_now_ms)"
  pm stop -t 30 "$RUN_ID-$service" >/dev/null
  ms="$(elapsed_ms "$started")"
  code="$(pm inspect --format '{{.State.ExitCode}}' "$RUN_ID-$service")"
  [[ "$code" == 0 ]] || {
    pm logs "$RUN_ID-$service" 2>&1 | tail -20 >&2
    containers_die "$service exited with $code on SIGTERM (expected a graceful 0)"
  }
  note "$service: SIGTERM to exit 0 in $ms ms"
done

# ── 5. the `podman` overlay with podman kube play ──────────────────────────────────────────────
if [[ -z "${KEYWAY_IMAGES_SKIP_PLAY:-}" ]]; then
  source "$ROOT/scripts/containers/kube-play.sh"
  kube_play_overlay
fi

log "images: ok"
printf '%s\n' "${REPORT[@]}" >"${KEYWAY_IMAGES_REPORT:-/dev/null}"
