#!/usr/bin/env bash
# ESLint with the Nx module-boundary rule really on: `bash scripts/lint.sh [files or dirs…]`
# (default: everything). The rule reads the project graph Nx caches in .nx/, which is git-ignored;
# without it the rule logs "No cached ProjectGraph is available", checks nothing and passes. So
# the graph is built first, and lint fails if it is still missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true

npx nx show projects >/dev/null
graph=.nx/workspace-data/project-graph.json
if [ ! -s "$graph" ]; then
  echo "lint: Nx did not write $graph; the module-boundary rule would be skipped" >&2
  exit 1
fi
npx eslint --max-warnings 0 "${@:-.}"
