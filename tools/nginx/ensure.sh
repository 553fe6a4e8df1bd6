#!/usr/bin/env bash
# Makes sure an nginx with the auth_request module is installed (Debian's `nginx` package), for
# the tests that put real nginx in front of the gateway. Quiet when it already is.
#
# Usage: tools/nginx/ensure.sh
#   Installs with apt-get when `nginx` is missing (needs root), without starting the system nginx
#   service: a temporary policy-rc.d forbids it, and a service started anyway is stopped again.
#   Fails with a clear message when nginx cannot be installed or lacks auth_request.
set -euo pipefail

say() { echo "nginx: $*" >&2; }
die() {
  echo "nginx: error: $*" >&2
  exit 1
}

find_nginx() {
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; }
}

check_auth_request() {
  [[ "$("$1" -V 2>&1)" == *--with-http_auth_request_module* ]] ||
    die "$1 was built without http_auth_request_module (see '$1 -V'); install Debian's nginx package"
}

if bin="$(find_nginx)"; then
  check_auth_request "$bin"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  die "nginx is not installed and apt-get is not available; install nginx with http_auth_request_module"
((EUID == 0)) || die "nginx is not installed; run this as root, or: sudo apt-get install nginx"

started_ms="$(date +%s%3N)"
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
  # invoke-rc.d asks this file whether a package may start its service; 101 means no.
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
pid_before="$(cat /run/nginx.pid 2>/dev/null || true)"

apt() {
  local output
  if ! output="$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@" 2>&1)"; then
    echo "$output" >&2
    return 1
  fi
}
say "installing Debian's nginx package (apt-get) ..."
if ! apt install -y --no-install-recommends nginx; then
  say "apt-get install failed; refreshing the package lists and retrying"
  apt update || die "apt-get update failed"
  apt install -y --no-install-recommends nginx || die "apt-get install nginx failed"
fi

bin="$(find_nginx)" || die "apt-get installed nginx, yet no nginx binary is on PATH or in /usr/sbin"
check_auth_request "$bin"

# A service the package started despite the policy (e.g. under systemd) must not keep port 80.
pid_after="$(cat /run/nginx.pid 2>/dev/null || true)"
if [[ -n "$pid_after" && "$pid_after" != "$pid_before" ]] && kill -0 "$pid_after" 2>/dev/null; then
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl stop nginx || true
  fi
  kill -0 "$pid_after" 2>/dev/null && { "$bin" -s stop 2>/dev/null || kill "$pid_after" || true; }
  say "stopped the system nginx service the package had started"
fi

say "installed $("$bin" -v 2>&1 | sed 's/^nginx version: //') with auth_request" \
  "in $(($(date +%s%3N) - started_ms)) ms"
