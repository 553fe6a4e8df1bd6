#!/usr/bin/env bash
# `bash scripts/manifests.sh`: k8s/ checked offline (also a step of `npm test`): every overlay and
# extra renders with `kubectl kustomize`, every object validates against the Kubernetes schemas
# (kubernetes-models) and passes a strict type check against their types. The workload policy
# (restricted profile, probes, limits, PDBs…) is tools/k8s/workloads.int-spec.ts; playing an
# overlay with podman kube play is step 5 of scripts/images.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
command -v kubectl >/dev/null 2>&1 ||
  { log "kubectl (with its built-in kustomize) is needed to render k8s/; install kubectl"; exit 1; }
node scripts/manifests/validate.mjs
