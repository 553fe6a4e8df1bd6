#!/usr/bin/env bash
# `npm run keyway -- <command>`: the operator CLI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_dependencies >&2
[ -f dist/apps/cli/src/main.js ] && [ -z "$(find apps libs -name '*.ts' -newer dist/apps/cli/src/main.js -print -quit)" ] || build
exec node dist/apps/cli/src/main.js "$@"
