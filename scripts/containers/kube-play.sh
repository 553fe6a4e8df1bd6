# shellcheck shell=bash
# Step 5 of scripts/images.sh: the `podman` overlay of k8s/, rendered with kubectl kustomize and
# run with `podman kube play` (its Deployments' securityContext, read-only root, /tmp emptyDir,
# ConfigMap and Secret wiring), until every service answers /health/ready. Sourced by
# images.sh, whose cleanup takes the pods, secrets and databases down again.

kube_play_overlay() {
  command -v kubectl >/dev/null 2>&1 || containers_die "kubectl (with kustomize) is needed to render k8s/"
  local started dir secret service
  started="$(containers_now_ms)"
  dir="$WORK/play"
  mkdir -p "$dir"
  declare -gA PLAY_PORT
  for service in "${SERVICES[@]}"; do PLAY_PORT[$service]="$(free_port)"; done
  DATABASES+=("e2e_${RUN_ID}_play_identity" "e2e_${RUN_ID}_play_audit")
  kubectl kustomize "$ROOT/k8s/overlays/podman" >"$dir/rendered.yaml"
  RUN_ID="$RUN_ID" PORT_IDENTITY="${PLAY_PORT[identity]}" PORT_GATEWAY="${PLAY_PORT[gateway]}" \
    PORT_AUDIT="${PLAY_PORT[audit]}" node "$ROOT/scripts/containers/kube-play-manifest.mjs" "$dir" \
    <"$dir/rendered.yaml" >"$dir/secrets.txt"
  while read -r secret; do
    pm secret rm "$secret" >/dev/null 2>&1 || true
    pm secret create "$secret" "$dir/secret-$secret.json" >/dev/null
    PLAY_SECRETS+=("$secret")
  done <"$dir/secrets.txt"
  PLAYED="$dir/play.yaml"
  pm kube play --network host "$PLAYED" >"$dir/play.log" 2>&1 ||
    { cat "$dir/play.log" >&2; containers_die "podman kube play failed"; }
  for service in identity gateway audit; do
    local deadline=$(($(containers_now_ms) + 120000))
    until curl -fs -o /dev/null "http://127.0.0.1:${PLAY_PORT[$service]}/health/ready"; do
      if (($(containers_now_ms) > deadline)); then
        pm ps -a --filter "name=$RUN_ID" >&2
        pm logs "$RUN_ID-keyway-$service-pod-0-$service" 2>&1 | tail -30 >&2
        containers_die "the played $service was not ready within 120 s"
      fi
      sleep 0.3
    done
  done
  note "k8s/overlays/podman played with podman kube play: all three /health/ready in $(elapsed_ms "$started") ms"
  started="$(containers_now_ms)"
  # (Podman logs that it cannot remove the healthcheck timers systemd never had: harmless.)
  pm kube down "$PLAYED" >"$dir/down.log" 2>&1 || { cat "$dir/down.log" >&2; containers_die "kube down failed"; }
  PLAYED=""
  note "kube down in $(elapsed_ms "$started") ms"
}
