#!/bin/sh
# The image's entry point; `exec` makes node PID 1, so it receives SIGTERM directly.
#   serve                 run this image's service (KEYWAY_SERVICE: identity, gateway or audit)
#   migrate               create this service's database if missing and apply its migrations
#   keyway ARGS…          the operator CLI (bootstrap, keys, projections rebuild --gateway, …)
#   anything else         run as given (node -e …, sh)
set -eu
dist=/app/dist/apps
case "${1:-serve}" in
  serve)
    [ "$#" -gt 0 ] && shift
    exec node "$dist/$KEYWAY_SERVICE/src/main.js" "$@"
    ;;
  migrate)
    case "$KEYWAY_SERVICE" in
      identity) exec node "$dist/identity/src/command.js" migrate ;;
      audit) exec node "$dist/audit/src/main.js" migrate ;;
      *) echo "$KEYWAY_SERVICE: no database to migrate" && exit 0 ;;
    esac
    ;;
  keyway)
    shift
    exec node "$dist/cli/src/main.js" "$@"
    ;;
  *) exec "$@" ;;
esac
