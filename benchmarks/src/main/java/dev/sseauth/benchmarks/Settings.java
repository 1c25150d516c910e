package dev.sseauth.benchmarks;

/**
 * How long and how much to measure. {@link #full()} is the README's run; {@link #smoke()} runs every
 * part of the harness in seconds (CI), with numbers too noisy to mean anything.
 *
 * @param jmhForks JMH forks per benchmark (0 runs in this JVM)
 * @param jmhWarmups JMH warm-up iterations
 * @param jmhIterations JMH measurement iterations
 * @param jmhIterationMs length of one JMH iteration
 * @param loadRounds rounds over all server variants; the median round counts
 * @param loadConcurrency concurrent clients for reconnects and first connects
 * @param loadWarmupMs warm-up before each rate measurement
 * @param loadMeasureMs length of each rate measurement
 * @param eventStreams concurrent streams for events/s
 * @param eventsPerStream events each of those streams receives
 * @param heapStreams streams held open for the heap measurement (Netty)
 * @param browserRuns measured {@code new EventSource} runs per variant in Chromium
 * @param browserWarmups discarded runs per variant first
 */
public record Settings(int jmhForks, int jmhWarmups, int jmhIterations, int jmhIterationMs,
    int loadRounds, int loadConcurrency, long loadWarmupMs, long loadMeasureMs, int eventStreams,
    int eventsPerStream, int heapStreams, int browserRuns, int browserWarmups) {

  /** The full run: a stable ratio on a busy 2-core machine in about a quarter of an hour. */
  public static Settings full() {
    return new Settings(2, 4, 5, 1000, 3, 8, 5000, 4000, 100, 5000, 10_000, 30, 5);
  }

  /** The smoke run: every benchmark once, tiny counts. */
  public static Settings smoke() {
    return new Settings(0, 1, 1, 100, 1, 2, 100, 300, 10, 50, 50, 2, 1);
  }
}
