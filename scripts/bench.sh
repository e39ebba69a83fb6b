#!/usr/bin/env bash
# Measures plugin-client side by side with plain grpc-java and with go-plugin's own Go host, and
# prints one line per metric on stdout:
#   metric=<name> ours=<value><unit> peer=<value><unit> ratio=<ours/peer>
# Progress and the details behind each metric go to stderr; JMH reports and peer output go to the
# work directory (default benchmarks/target/bench-run). docs/benchmarks.md explains each metric.
#
# Usage: scripts/bench.sh [--quick] [driver options...]
#   --quick   shorter runs, for CI: about 1.5 minutes on 2 cores once built (a full run takes 3.5)
# Other options go to the driver, for example --only call_overhead or --jmh-profiler stack. Run
# scripts/bench.sh --help for the list.
#
# It builds what it needs first. Maven builds the benchmarks module and the modules it depends on,
# with tests skipped, unless benchmarks.jar is newer than their sources. scripts/build-peers.sh
# builds the go-plugin peers. Exit status: 0 when every metric was measured, 1 when one could not be
# (the reason is on stderr), 2 on a usage error, 124 when the run hit its time limit.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$repo_root/benchmarks/target/benchmarks.jar"
peers_dir="$repo_root/benchmarks/target/peers"
work_dir="$repo_root/benchmarks/target/bench-run"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

quick=false
driver_args=()
for argument in "$@"; do
  case $argument in
    --quick) quick=true ;;
    --work-dir|--work-dir=*)
      echo "bench: --work-dir is set by this script ($work_dir)" >&2
      exit 2 ;;
    *) driver_args+=("$argument") ;;
  esac
done

log() {
  echo "bench: $*" >&2
}

# Prints the newest modification time (epoch seconds) among the sources the benchmarks jar is built from.
newest_source() {
  find "$repo_root/pom.xml" \
    "$repo_root"/{plugin-protocol,plugin-client-core,calculator-api,benchmarks}/pom.xml \
    "$repo_root"/{plugin-protocol,plugin-client-core,calculator-api,benchmarks}/src/main \
    -type f -printf '%T@\n' | sort -n | tail -1 | cut -d. -f1
}

started=$(date +%s)

if [[ -f $jar && $(stat -c %Y "$jar") -ge $(newest_source) ]]; then
  log "benchmarks.jar is up to date"
else
  log "building the benchmarks module and its dependencies with Maven (tests skipped)"
  (cd "$repo_root" && mvn -B -q -DskipTests -pl benchmarks -am package)
fi
"$repo_root/scripts/build-peers.sh" "$peers_dir"
log "build took $(($(date +%s) - started)) s"

# The limits keep a hung run from blocking CI, and a normal run ends well before them.
if $quick; then
  limit=110
  driver_args+=(--quick)
else
  limit=570
fi
mkdir -p "$work_dir"
load=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $(nproc) cores, load average $load before the run"

run_started=$(date +%s)
status=0
timeout --kill-after=15 "$limit" "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" \
  dev.pluginclient.benchmarks.BenchmarkDriver \
  --go-plugin "$peers_dir/go-calculator-plugin" --go-host "$peers_dir/go-host" --work-dir "$work_dir" \
  ${driver_args[@]+"${driver_args[@]}"} || status=$?
if [[ $status -eq 124 || $status -eq 137 ]]; then
  log "the run did not finish within its limit of $limit s; see $work_dir"
  exit 124
fi
log "run took $(($(date +%s) - run_started)) s (total $(($(date +%s) - started)) s), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
