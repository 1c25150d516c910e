#!/usr/bin/env bash
# Runs every test of sse-auth on a fresh clone: starts (and if needed installs) what the tests need —
# Redis and PostgreSQL on 127.0.0.1, headless Chromium and Firefox — then runs the Maven build, and the
# Spring Boot auto-configuration's tests once more against Spring Boot 3.5.
# Extra arguments go to Maven (e.g. scripts/test.sh -pl core).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_redis
ensure_postgres
ensure_browsers
mvn -B -ntp install "$@"
if [ $# -eq 0 ]; then
  # the auto-configuration again, against the other Spring Boot line applications run
  mvn -B -ntp -pl spring-boot-autoconfigure test -Dspring-boot.version=3.5.7
fi
