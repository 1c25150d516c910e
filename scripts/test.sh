#!/usr/bin/env bash
# Runs every test of sse-auth on a fresh clone: starts (and if needed installs) what the tests need —
# Redis (and a Redis Cluster on ports 7101-7106) and PostgreSQL on 127.0.0.1, headless Chromium and Firefox, nginx — then runs the Maven build, and the
# Spring Boot auto-configuration's tests once more against Spring Boot 3.5.
# Extra arguments go to Maven (e.g. scripts/test.sh -pl core).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_redis
ensure_redis_cluster
ensure_postgres
ensure_browsers
ensure_nginx
mvn -B -ntp install "$@"
if [ $# -eq 0 ]; then
  # the auto-configuration and its real applications again, on the other Spring Boot line, with the
  # versions a Boot 3.5 application resolves (its Tomcat, Servlet API, Micrometer, Caffeine, Lettuce and
  # Netty, and the nimbus-jose-jwt of its Spring Security) in place of this build's
  mvn -B -ntp -pl spring-boot-autoconfigure test -Dspring-boot.version=3.5.7 -Dtomcat.version=10.1.48 \
    -Dservlet-api.version=6.0.0 -Dmicrometer.version=1.15.5 -Dcaffeine.version=3.2.2 -Dnimbus.version=9.37.4 \
    -Dlettuce.version=6.6.0.RELEASE -Dnetty.version=4.1.128.Final
fi
