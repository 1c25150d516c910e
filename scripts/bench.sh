#!/usr/bin/env bash
# Runs the sse-auth benchmarks on a fresh clone: JMH core benchmarks, wire sizes, loopback load and
# reconnect storm on Jetty, Tomcat, Netty and Spring WebFlux (server and client in separate JVMs, pinned
# to separate CPUs with taskset when it is there), heap per held stream, and the Chromium timing. Prints
# the markdown table and writes it to benchmarks/target/results.md, with the raw results (jmh.json,
# load-raw.jsonl, storm-raw.jsonl, heap-raw.jsonl, browser.json, results.json) next to it. Takes about
# an hour and a half on 2 cores; run it on a quiet machine. Extra arguments go to the harness:
#   --smoke                                   tiny counts (what CI runs as a test)
#   --only jmh,wire,load,storm,jitter,heap,browser   a subset (jitter: storms with and without retry jitter)
#   --rounds N                                load and storm rounds (default 5)
#   --servers jetty,tomcat,netty,webflux      load, storm, jitter and heap on these servers only (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
command -v chromium >/dev/null || apt_install chromium
# 10,000 held streams need as many sockets in the server and in the client process
need=16384
soft=$(ulimit -Sn)
if [ "$soft" != unlimited ] && [ "$soft" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
log "open files per process: $(ulimit -n)"
command -v taskset >/dev/null || log "no taskset (util-linux): the load server and client JVMs will run unpinned"
mvn -B -ntp -q install -DskipTests -pl benchmarks -am
exec mvn -B -ntp -q -pl benchmarks exec:exec -Dbench.args="$*"
