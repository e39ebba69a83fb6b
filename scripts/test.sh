#!/usr/bin/env bash
# Runs every test: unit, integration, interop (real go-plugin peers), Spring Boot and end-to-end.
# Extra arguments go to Maven, for example: scripts/test.sh -pl plugin-client-core
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
exec mvn -B -ntp verify "$@"
