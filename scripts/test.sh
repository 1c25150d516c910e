#!/usr/bin/env bash
# Runs every test of sse-auth on a fresh clone: starts (and if needed installs) what the tests need —
# Redis and PostgreSQL on 127.0.0.1, headless Chromium and Firefox — then runs the Maven build.
# Extra arguments go to Maven (e.g. scripts/test.sh -pl core).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_redis
ensure_postgres
ensure_browsers
exec mvn -B -ntp install "$@"
