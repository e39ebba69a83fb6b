#!/usr/bin/env bash
# Measures the calculator plugin's start-up: the wall time from launching `java` to reading the
# handshake line on its stdout, as a host measures it. Prints the median over RUNS starts for plain
# `java -jar` and for the start-up options (AppCDS archive, C1 only, serial GC).
#
# Usage: calculator-plugin/measure-start.sh [RUNS]    (default 20; run `mvn package` first)
# Each start is bounded by a 30 second timeout; the plugin is killed after its handshake.
set -euo pipefail

cd "$(dirname "$0")"
RUNS="${1:-20}"
JAR=target/calculator-plugin.jar
ARCHIVE=target/calculator-plugin.jsa
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ ! -f "$JAR" ]]; then
  echo "missing $JAR; build it with: mvn -pl calculator-plugin package" >&2
  exit 1
fi

# Prints the milliseconds from launch to handshake for one start with the given JVM options.
measure_once() {
  local socket_dir started line pid elapsed
  socket_dir="$(mktemp -d)"
  started=$(date +%s%N)
  coproc PLUGIN {
    exec env CALCULATOR_PLUGIN=calculator-v1-7d2f4c PLUGIN_PROTOCOL_VERSIONS=1 \
      PLUGIN_UNIX_SOCKET_DIR="$socket_dir" "$JAVA" "$@" -jar "$JAR" 2>/dev/null
  }
  pid=$PLUGIN_PID
  if ! IFS= read -r -t 30 line <&"${PLUGIN[0]}"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$socket_dir"
    echo "no handshake within 30 s" >&2
    return 1
  fi
  elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$socket_dir"
  case "$line" in
    1\|1\|unix\|*) echo "$elapsed" ;;
    *) echo "unexpected handshake line: $line" >&2; return 1 ;;
  esac
}

median() {
  sort -n | awk '{ values[NR] = $1 } END { if (NR % 2) print values[(NR + 1) / 2]; else print int((values[NR / 2] + values[NR / 2 + 1]) / 2) }'
}

measure() {
  local label="$1"
  shift
  local samples=()
  for ((i = 0; i < RUNS; i++)); do
    samples+=("$(measure_once "$@")")
  done
  printf '%-60s median %4d ms over %d starts (min %d, max %d)\n' "$label" \
    "$(printf '%s\n' "${samples[@]}" | median)" "$RUNS" \
    "$(printf '%s\n' "${samples[@]}" | sort -n | head -1)" "$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)"
}

measure "java -jar" 
FAST_OPTIONS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto)
if [[ -f "$ARCHIVE" ]]; then
  measure "java -XX:SharedArchiveFile=... -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar" \
    -XX:SharedArchiveFile="$ARCHIVE" "${FAST_OPTIONS[@]}"
else
  echo "no $ARCHIVE (the build skipped the AppCDS step); measuring without it" >&2
  measure "java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar" "${FAST_OPTIONS[@]}"
fi
