#!/usr/bin/env bash
# Runs the sse-auth demo on a fresh clone (needs only Java 17+ and Maven): builds what it needs the first
# time (and again after a source change), then serves the page with Jetty + the servlet adapter on
# http://localhost:8080 and with Netty + the Netty adapter on http://localhost:8081.
#
#   scripts/demo.sh                          # ports 8080 and 8081
#   scripts/demo.sh --port 9000              # or PORT=9000 scripts/demo.sh: ports 9000 and 9001
#   scripts/demo.sh -Dsseauth.token.ttl=5m   # any sseauth.* key, or SSEAUTH_TOKEN_TTL=5m scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jar=demo/target/sse-auth-demo.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml core/src core/pom.xml servlet-adapter/src servlet-adapter/pom.xml \
    netty-adapter/src netty-adapter/pom.xml demo/src demo/pom.xml -newer "$jar" -type f 2>/dev/null | head -1)" ]; then
  echo "[demo] building the demo (the first time downloads dependencies and takes a minute or two)" >&2
  mvn -B -ntp -q install -DskipTests -pl demo -am
fi
jvm=()
app=()
for a in "$@"; do
  case "$a" in
    -D*) jvm+=("$a") ;;
    *) app+=("$a") ;;
  esac
done
exec java ${JAVA_OPTS:-} "${jvm[@]}" -jar "$jar" "${app[@]}"
