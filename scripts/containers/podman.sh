# shellcheck shell=bash
# Podman as the image checks use it: a private containers.conf and storage under one scratch
# directory, so nothing touches the machine's own container settings. Sourced, not run.
#
# Env: KEYWAY_CONTAINERS_DIR  storage, run state and config   default /var/tmp/keyway-containers
#      (kept between runs: the base image and the layer cache are reused, CI stays fast)
# Settings measured on Debian 12 (docs/operations.md, "Troubleshooting"): runc, not crun ("cgroups
# in hybrid mode not supported"); cgroupfs and the file events logger (no systemd session);
# explicit ulimits (podman's defaults exceed the hard limits and setrlimit fails); host networking.

KEYWAY_CONTAINERS_DIR="${KEYWAY_CONTAINERS_DIR:-/var/tmp/keyway-containers}"
export CONTAINERS_CONF="$KEYWAY_CONTAINERS_DIR/containers.conf"

containers_log() { printf '\033[1m[containers]\033[0m %s\n' "$*" >&2; }
containers_die() {
  printf '\033[1m[containers]\033[0m error: %s\n' "$*" >&2
  exit 1
}

# `pm ARGS…`: podman on the private storage.
pm() {
  podman --root "$KEYWAY_CONTAINERS_DIR/root" --runroot "$KEYWAY_CONTAINERS_DIR/run" "$@"
}

containers_now_ms() { date +%s%3N; }

# Installs Podman, runc, slirp4netns and debootstrap from Debian's packages when missing (root).
ensure_podman() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v slirp4netns >/dev/null 2>&1 || missing+=(slirp4netns)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if ((${#missing[@]} > 0)); then
    command -v apt-get >/dev/null 2>&1 ||
      containers_die "${missing[*]} missing and apt-get is not available; install them"
    ((EUID == 0)) || containers_die "${missing[*]} missing; run as root, or: sudo apt-get install ${missing[*]}"
    local started output
    started="$(containers_now_ms)"
    containers_log "installing ${missing[*]} (apt-get) ..."
    apt_install() {
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y \
        --no-install-recommends podman runc slirp4netns debootstrap conmon catatonit 2>&1
    }
    if ! output="$(apt_install)"; then
      containers_log "apt-get install failed; refreshing the package lists and retrying"
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1 ||
        containers_die "apt-get update failed"
      output="$(apt_install)" || {
        echo "$output" >&2
        containers_die "apt-get install podman failed"
      }
    fi
    containers_log "installed in $(($(containers_now_ms) - started)) ms"
  fi
  mkdir -p "$KEYWAY_CONTAINERS_DIR/root" "$KEYWAY_CONTAINERS_DIR/run" "$KEYWAY_CONTAINERS_DIR/tmp"
  # Never above this shell's own hard limits: runc may not raise them (setrlimit: EPERM).
  local nofile nproc
  nofile="$(ulimit -Hn)" nproc="$(ulimit -Hu)"
  [[ "$nofile" == unlimited || "$nofile" -gt 20000 ]] && nofile=20000
  [[ "$nproc" == unlimited || "$nproc" -gt 32768 ]] && nproc=32768
  cat >"$CONTAINERS_CONF.tmp" <<CONF
[containers]
netns = "host"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$KEYWAY_CONTAINERS_DIR/tmp"
CONF
  mv "$CONTAINERS_CONF.tmp" "$CONTAINERS_CONF"
}

# The node:20-bookworm-slim this machine cannot pull (no registry is reachable), made locally:
# a debootstrapped Debian 12 plus the machine's own Node 20, tagged with the official name so that
# an unmodified `FROM node:20-bookworm-slim` resolves without pulling. Made once; reused after.
ensure_base_image() {
  local official=docker.io/library/node:20-bookworm-slim
  if pm image exists "$official"; then
    containers_log "base image $official present (reused)"
    return
  fi
  local started rootfs mirror here
  started="$(containers_now_ms)"
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  if ! pm image exists localhost/debian:bookworm-slim; then
    rootfs="$(mktemp -d "$KEYWAY_CONTAINERS_DIR/rootfs.XXXXXX")"
    mirror="$(apt_mirror)"
    containers_log "debootstrap bookworm from $mirror (once per machine) ..."
    if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
      tail -20 "$rootfs.log" >&2
      rm -rf "$rootfs" "$rootfs.log"
      containers_die "debootstrap failed"
    fi
    # What a slim image leaves out: docs, man pages, locales but C, apt lists and caches.
    rm -rf "$rootfs"/usr/share/{doc,man,info,locale}/* "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
    tar -C "$rootfs" -c . | pm import --change 'CMD ["bash"]' - localhost/debian:bookworm-slim >/dev/null
    rm -rf "$rootfs" "$rootfs.log"
  fi
  local context
  context="$(mktemp -d "$KEYWAY_CONTAINERS_DIR/node-context.XXXXXX")"
  cp "$(readlink -f "$(command -v node)")" "$context/node"
  cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$context/npm"
  pm build --quiet --network host --format docker -f "$here/node-standin.Containerfile" \
    -t "$official" "$context" >/dev/null
  rm -rf "$context"
  containers_log "base image $official made in $(($(containers_now_ms) - started)) ms" \
    "(Node $(pm run --rm "$official" node --version))"
}

# The Debian mirror apt uses here (deb822 or one-line sources), for debootstrap.
apt_mirror() {
  local uri
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)"
  [[ -n "$uri" ]] ||
    uri="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -v security | head -1)"
  echo "${uri:-http://deb.debian.org/debian}"
}
