package dev.sseauth.benchmarks;

/**
 * How long and how much to measure. {@link #full()} is the README's run; {@link #smoke()} runs every
 * part of the harness in seconds (CI), with numbers too noisy to mean anything.
 *
 * @param jmhForks JMH forks per benchmark (0 runs in this JVM)
 * @param jmhWarmups JMH warm-up iterations
 * @param jmhIterations JMH measurement iterations
 * @param jmhIterationMs length of one JMH iteration
 * @param loadRounds rounds of the load measurements; each round measures every variant of every server
 *     back to back, and reports the median round with the range over rounds
 * @param loadConcurrency concurrent clients for reconnects and first connects
 * @param loadWarmupMs least warm-up of every path before the rates and before a storm (then a settling
 *     second before each rate)
 * @param loadWarmupCapMs longest warm-up: past {@code loadWarmupMs} it goes on until the server's JIT is
 *     quiet, up to this (0: stop at {@code loadWarmupMs})
 * @param loadMeasureMs length of each rate measurement
 * @param eventStreams concurrent streams for events/s
 * @param eventsPerStream events each of those streams receives
 * @param stormRounds rounds of the reconnect storm, guarded and unguarded back to back on every server
 * @param stormStreams streams held open, then cut at once, in the reconnect storm
 * @param stormWarmupCuts cuts before the measured one in each storm session (each a full storm, not counted)
 * @param stormWarmupCutsCap most warm-up cuts: past {@code stormWarmupCuts} they go on while the server's
 *     JIT compiled for more than 5% of the last cut's recovery, up to this
 * @param stormRetryMs the SSE {@code retry} (ms) the storm servers send: sse-auth's handshake and the
 *     application alike, so both variants reconnect after the same delay
 * @param heapStreams streams held open for the heap measurement (every server)
 * @param heapGcs full GCs before each heap reading (the least used heap counts)
 * @param shareServers one server JVM per server and variant runs every scenario (throughput, heap, storm)
 *     instead of a fresh one per scenario: fewer JVM starts, for the smoke run
 * @param browserRuns measured {@code new EventSource} runs per variant in Chromium
 * @param browserWarmups discarded runs per variant first
 */
public record Settings(int jmhForks, int jmhWarmups, int jmhIterations, int jmhIterationMs,
    int loadRounds, int loadConcurrency, long loadWarmupMs, long loadWarmupCapMs, long loadMeasureMs, int eventStreams,
    int eventsPerStream, int stormRounds, int stormStreams, int stormWarmupCuts, int stormWarmupCutsCap, int stormRetryMs,
    int heapStreams, int heapGcs, boolean shareServers, int browserRuns, int browserWarmups) {

  /** The full run: five rounds of everything that is compared, on 2 cores in about an hour. */
  public static Settings full() {
    return new Settings(2, 4, 5, 1000, 5, 8, 5000, 90_000, 3000, 100, 3000, 5, 5000, 2, 5, 100, 10_000, 5, false, 30, 5);
  }

  /** These settings with {@code rounds} rounds of the load and storm measurements (a shorter or longer run). */
  public Settings withRounds(int rounds) {
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be at least 1, but was " + rounds);
    }
    return new Settings(jmhForks, jmhWarmups, jmhIterations, jmhIterationMs, rounds, loadConcurrency, loadWarmupMs,
        loadWarmupCapMs, loadMeasureMs, eventStreams, eventsPerStream, rounds, stormStreams, stormWarmupCuts,
        stormWarmupCutsCap, stormRetryMs, heapStreams,
        heapGcs, shareServers, browserRuns, browserWarmups);
  }

  /** The smoke run: every benchmark once, tiny counts. */
  public static Settings smoke() {
    return new Settings(0, 1, 1, 100, 1, 2, 50, 0, 200, 10, 50, 1, 50, 0, 0, 100, 50, 2, true, 2, 1);
  }
}
