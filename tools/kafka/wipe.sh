#!/usr/bin/env bash
# Stop the broker of this data dir (see stop.sh) and delete the data dir: topics, offsets,
# cluster id, logs. The next start.sh formats a fresh one.
#
# Usage: tools/kafka/wipe.sh
# Env:   KAFKA_PORT / KAFKA_DATA_DIR select the broker; KAFKA_STOP_SIGNAL as for stop.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$KAFKA_TOOLS_DIR/stop.sh"

[[ -d "$KAFKA_DATA_DIR" ]] || exit 0
case "$KAFKA_DATA_DIR" in
  "$KAFKA_REPO_ROOT" | "$HOME" | /tmp | /)
    kafka_die "refusing to delete KAFKA_DATA_DIR=$KAFKA_DATA_DIR"
    ;;
esac
rm -rf "$KAFKA_DATA_DIR"
echo "kafka: wiped $KAFKA_DATA_DIR"
