#!/usr/bin/env bash
# Fetch the Apache Kafka broker jars (tools/kafka/pom.xml) from Maven Central into <repo>/.kafka/libs.
#
# Usage: tools/kafka/fetch.sh [--force] [extra mvn args...]
#   Quick no-op when .kafka/libs already holds the jars for the current pom.xml (a stamp file
#   records the pom's checksum). --force refetches. Extra arguments go to mvn, e.g.
#   -Dmaven.repo.local=/tmp/m2-empty to download into an empty local repository.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

force=0
if [[ "${1:-}" == "--force" ]]; then
  force=1
  shift
fi

pom="$KAFKA_TOOLS_DIR/pom.xml"
stamp="$KAFKA_LIBS_DIR/.fetched"
want="$(cksum <"$pom")"

libs_ok() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
    compgen -G "$KAFKA_LIBS_DIR/org.apache.kafka.kafka_2.13-*.jar" >/dev/null
}

if ((force == 0)) && libs_ok; then
  exit 0
fi

mkdir -p "$KAFKA_REPO_ROOT/.kafka"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$KAFKA_REPO_ROOT/.kafka/fetch.lock"
  flock -w 600 9 || kafka_die "timed out waiting for another fetch.sh"
  # Another fetch may have finished while we waited.
  if ((force == 0)) && libs_ok; then
    exit 0
  fi
fi

command -v mvn >/dev/null 2>&1 || kafka_die "mvn (Maven) is not on PATH; it is needed once to fetch the Kafka jars"

start_ms="$(kafka_now_ms)"
tmp="$KAFKA_REPO_ROOT/.kafka/libs.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"

echo "kafka: fetching broker jars with Maven into $KAFKA_LIBS_DIR ..." >&2
# Maven 3.8's default maven-dependency-plugin is 2.8, so name the version explicitly.
# Its output is only shown on failure (with -q, Maven 3.8 still prints bare ANSI reset codes).
if ! mvn_out="$(mvn -B -q -Dstyle.color=never -f "$pom" \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
  -DincludeScope=runtime -Dmdep.prependGroupId=true \
  -DoutputDirectory="$tmp" "$@" 2>&1)"; then
  printf '%s\n' "$mvn_out" >&2
  kafka_die "Maven could not fetch the Kafka jars (see the output above)"
fi

compgen -G "$tmp/org.apache.kafka.kafka_2.13-*.jar" >/dev/null ||
  kafka_die "Maven finished but no kafka_2.13 jar was copied into $tmp"
echo "$want" >"$tmp/.fetched"

# Replace the old directory as a whole so jars from an older pom do not linger.
rm -rf "$KAFKA_LIBS_DIR"
mv "$tmp" "$KAFKA_LIBS_DIR"
trap - EXIT

end_ms="$(kafka_now_ms)"
count="$(find "$KAFKA_LIBS_DIR" -name '*.jar' | wc -l | tr -d ' ')"
printf 'kafka: fetched %s jars in %d.%01ds\n' "$count" $(((end_ms - start_ms) / 1000)) $((((end_ms - start_ms) % 1000) / 100)) >&2
