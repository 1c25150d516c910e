package dev.sseauth.benchmarks.load;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.sseauth.benchmarks.ChildJvm;
import dev.sseauth.benchmarks.Pinning;
import dev.sseauth.benchmarks.Results;
import dev.sseauth.benchmarks.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs the loopback measurements on Jetty, Tomcat, Netty and Spring WebFlux (on Reactor Netty): every
 * measurement is a fresh server JVM and a fresh client JVM (the same flags for every variant), pinned to
 * separate CPUs when {@link Pinning} can. Parts:
 *
 * <ul>
 *   <li>{@code load}: {@link Settings#loadRounds()} rounds; in each round, for each server, the three
 *       {@link Variant}s back to back, in an order rotated per round. Keys
 *       {@code load.<server>.<VARIANT>.<reconnect|first|events>} (per second), one value per round.
 *   <li>{@code storm}: {@link Settings#stormRounds()} rounds; in each, for each server, unguarded and
 *       sse-auth back to back (order alternating per round): {@link Settings#stormStreams()} held
 *       streams, all connections closed by the server at once, time until every stream has its next
 *       application event. Keys {@code storm.<server>.<VARIANT>} (ms), one value per round.
 *   <li>{@code heap}: once per server, unguarded then sse-auth, {@link Settings#heapStreams()} held
 *       streams. Keys {@code heap.<server>.<VARIANT>} (bytes per held stream) and
 *       {@code heap.<server>.<VARIANT>.streams}; class histograms to {@code heap-histogram-<server>-<variant>.txt}.
 * </ul>
 *
 * <p>Every part runs on the servers asked for ({@link #SERVERS} unless told otherwise; the jitter storms on
 * those of {@link #JITTER_SERVERS}), which {@link Results#servers()} records. With
 * {@link Settings#shareServers()} (the smoke run) one session per server and variant runs all the requested
 * parts instead. Raw client lines go to {@code load-raw.jsonl}, {@code storm-raw.jsonl} and
 * {@code heap-raw.jsonl}.
 */
public final class LoadRun {
  /** The servers, in report order. */
  public static final List<String> SERVERS = List.of("jetty", "tomcat", "netty", "webflux");
  /** JVM flags of every server process. */
  public static final List<String> SERVER_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
  /**
   * JVM flags of the server processes holding thousands of streams (storm, heap), the same for every
   * variant: 10,000 held streams take more than 1 GiB on Tomcat (about 100 KB per connection unguarded).
   */
  public static final List<String> HELD_SERVER_FLAGS = List.of("-Xms4g", "-Xmx4g", "-XX:+UseG1GC");
  /** JVM flags of every client process. */
  public static final List<String> CLIENT_FLAGS = List.of("-Xms1g", "-Xmx2g", "-XX:+UseG1GC");
  /** How long the client may take to open the held streams. */
  private static final long HELD_TIMEOUT_MS = 300_000;
  private static final List<Variant> HELD_VARIANTS = List.of(Variant.UNGUARDED, Variant.SSEAUTH);

  private LoadRun() {}

  /** Runs the requested parts among {@code load}, {@code storm} and {@code heap}; the rest of {@code parts} is ignored. */
  public static void run(Settings s, Path out, Results results, Set<String> parts) throws Exception {
    run(s, out, results, parts, SERVERS);
  }

  /**
   * As {@link #run(Settings, Path, Results, Set)}, on {@code servers} only (a subset of {@link #SERVERS}; the
   * jitter storms on those of them in {@link #JITTER_SERVERS}).
   */
  public static void run(Settings s, Path out, Results results, Set<String> parts, List<String> servers)
      throws Exception {
    if (servers.isEmpty() || !SERVERS.containsAll(servers)) {
      throw new IllegalArgumentException("servers must be some of " + SERVERS + ", but were " + servers);
    }
    boolean load = parts.contains("load");
    boolean storm = parts.contains("storm");
    boolean heap = parts.contains("heap");
    boolean jitter = parts.contains("jitter");
    if (!load && !storm && !heap && !jitter) {
      return;
    }
    Pinning pin = Pinning.detect();
    System.out.println("[load] " + pin.description());
    results.note("cpus", pin.description());
    results.servers(servers);
    List<String> jitterServers = JITTER_SERVERS.stream().filter(servers::contains).toList();
    if (jitter && jitterServers.isEmpty()) {
      results.note("jitter", "not measured: the jitter storms run on " + String.join(" and ", JITTER_SERVERS)
          + ", and --servers named neither");
      System.out.println("[jitter] skipped: --servers names none of " + JITTER_SERVERS);
    }
    Collector c = new Collector(out, results, load, storm, heap, jitter);
    List<String> heldProps = List.of("-Dbench.retryMs=" + s.stormRetryMs(), "-Dbench.heapGcs=" + s.heapGcs());
    String throughput = "throughput:" + s.loadConcurrency() + ":" + s.loadWarmupMs() + ":" + s.loadWarmupCapMs() + ":"
        + s.loadMeasureMs() + ":" + s.eventStreams() + ":" + s.eventsPerStream();
    String cuts = (storm ? 1 : 0) + ":" + s.stormWarmupCuts() + ":" + s.stormWarmupCutsCap();
    if (s.shareServers()) {
      for (String server : servers) {
        for (Variant v : Variant.values()) {
          List<String> tasks = new ArrayList<>();
          if (load) {
            tasks.add(throughput);
          }
          boolean held = (storm || heap) && HELD_VARIANTS.contains(v);
          if (held) {
            tasks.add("held:" + (heap ? s.heapStreams() : s.stormStreams()) + ":" + HELD_TIMEOUT_MS + ":" + (heap ? 1 : 0) + ":"
                + cuts);
          }
          if (!tasks.isEmpty()) {
            measure(c, server, v, 0, s.heapStreams(), "all", () -> session(pin, "[load]", server, v, SERVER_FLAGS,
                held ? heldProps : List.of(), heap && held ? histogram(out, server, v) : null, tasks));
          }
        }
      }
    } else {
      if (load) {
        Variant[] variants = Variant.values();
        for (int round = 0; round < s.loadRounds(); round++) {
          for (String server : servers) {
            for (int k = 0; k < variants.length; k++) {
              Variant v = variants[(k + round) % variants.length];
              String label = String.format(Locale.ROOT, "[load] round %d/%d", round + 1, s.loadRounds());
              measure(c, server, v, round, 0, "load", () -> session(pin, label, server, v, SERVER_FLAGS, List.of(), null,
                  List.of(throughput)));
            }
          }
        }
      }
      if (storm) {
        String task = "held:" + s.stormStreams() + ":" + HELD_TIMEOUT_MS + ":0:" + cuts;
        for (int round = 0; round < s.stormRounds(); round++) {
          for (String server : servers) {
            for (int k = 0; k < HELD_VARIANTS.size(); k++) {
              Variant v = HELD_VARIANTS.get((k + round) % HELD_VARIANTS.size());
              String label = String.format(Locale.ROOT, "[storm] round %d/%d", round + 1, s.stormRounds());
              measure(c, server, v, round, 0, "storm", () -> session(pin, label, server, v, HELD_SERVER_FLAGS, heldProps,
                  null, List.of(task)));
            }
          }
        }
      }
      if (heap) {
        String task = "held:" + s.heapStreams() + ":" + HELD_TIMEOUT_MS + ":1:0:0:0";
        for (String server : servers) {
          for (Variant v : HELD_VARIANTS) {
            measure(c, server, v, 0, s.heapStreams(), "heap", () -> session(pin, "[heap]", server, v, HELD_SERVER_FLAGS,
                heldProps, histogram(out, server, v), List.of(task)));
          }
        }
      }
    }
    if (jitter) {
      // sse-auth alone, a browser-like retry of 1 s that the application does not replace, with and without
      // sseauth.retry.jitter: how the returning clients spread, not how fast the server takes them
      String task = "held:" + s.stormStreams() + ":" + HELD_TIMEOUT_MS + ":0:1:" + s.stormWarmupCuts() + ":"
          + s.stormWarmupCutsCap();
      for (int round = 0; round < s.stormRounds(); round++) {
        for (String server : jitterServers) {
          for (int k = 0; k < JITTERS.size(); k++) {
            String j = JITTERS.get((k + round) % JITTERS.size());
            List<String> props = List.of("-Dbench.retryMs=" + JITTER_RETRY_MS, "-Dbench.appRetry=false",
                "-Dbench.jitter=" + j, "-Dbench.heapGcs=" + s.heapGcs());
            String label = String.format(Locale.ROOT, "[jitter %s%%] round %d/%d", j, round + 1, s.stormRounds());
            measure(c, server, Variant.SSEAUTH, round, 0, "jitter", () -> jitterLines(j,
                session(pin, label, server, Variant.SSEAUTH, HELD_SERVER_FLAGS, props, null, List.of(task))));
          }
        }
      }
    }
    c.finish();
  }

  /** The servers of the jitter storms, the jitters compared (percent) and the retry they spread (ms). */
  static final List<String> JITTER_SERVERS = List.of("netty", "jetty");
  static final List<String> JITTERS = List.of("0", "20");
  static final int JITTER_RETRY_MS = 1000;

  /** A jitter session's storm lines, marked as such. */
  private static List<Map<String, Object>> jitterLines(String jitter, List<Map<String, Object>> lines) {
    for (Map<String, Object> line : lines) {
      if ("storm".equals(line.get("scenario"))) {
        line.put("scenario", "jitter");
        line.put("jitter", jitter);
      }
    }
    return lines;
  }

  /** A session of the harness: its client's result lines. */
  @FunctionalInterface
  private interface Session {
    List<Map<String, Object>> run() throws Exception;
  }

  /** Runs {@code session} and collects its lines; a failure is noted, the run goes on. */
  private static void measure(Collector c, String server, Variant v, int round, int heapStreams, String what,
      Session session) throws IOException {
    List<Map<String, Object>> lines;
    try {
      lines = session.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      c.failed(server, v, round, what, e);
      return;
    }
    c.add(server, v, round, heapStreams, lines);
  }

  private static String histogram(Path out, String server, Variant v) {
    return out.resolve("heap-histogram-" + server + "-" + v.name().toLowerCase(Locale.ROOT) + ".txt").toAbsolutePath().toString();
  }

  /** Gathers the client lines of every session into per-round values, notes and the raw files. */
  private static final class Collector {
    private final Path out;
    private final Results results;
    private final Map<String, Map<Integer, Double>> rounds = new LinkedHashMap<>();
    private final Map<String, String> units = new LinkedHashMap<>();
    private final Map<String, Long> errors = new LinkedHashMap<>();
    private final Map<String, List<Double>> cpu = new LinkedHashMap<>();
    private final Map<String, List<Double>> serverCpu = new LinkedHashMap<>();

    Collector(Path out, Results results, boolean load, boolean storm, boolean heap, boolean jitter) throws IOException {
      this.out = out;
      this.results = results;
      if (load) {
        Files.deleteIfExists(out.resolve("load-raw.jsonl"));
      }
      if (storm) {
        Files.deleteIfExists(out.resolve("storm-raw.jsonl"));
      }
      if (heap) {
        Files.deleteIfExists(out.resolve("heap-raw.jsonl"));
      }
      if (jitter) {
        Files.deleteIfExists(out.resolve("jitter-raw.jsonl"));
      }
    }

    void add(String server, Variant v, int round, int heapStreams, List<Map<String, Object>> lines) throws IOException {
      for (Map<String, Object> line : lines) {
        line.put("server", server);
        line.put("round", round + 1);
        String scenario = String.valueOf(line.get("scenario"));
        String file = switch (scenario) {
          case "heap" -> "heap-raw.jsonl";
          case "storm" -> "storm-raw.jsonl";
          case "jitter" -> "jitter-raw.jsonl";
          default -> "load-raw.jsonl";
        };
        Files.writeString(out.resolve(file), JSONObjectUtils.toJSONString(line) + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long errs = ((Number) line.getOrDefault("errors", 0L)).longValue();
        switch (scenario) {
          case "heap" -> {
            String key = "heap." + server + "." + v.name();
            long held = ((Number) line.get("streams")).longValue();
            results.put(key, number(line.get("bytesPerStream")), 0, "B/stream");
            results.put(key + ".streams", held, 0, "streams");
            if (held < heapStreams) {
              results.note(key, "only " + held + " of " + heapStreams + " streams were held");
            }
          }
          case "storm" -> {
            if (Boolean.TRUE.equals(line.get("warmup"))) {
              continue; // a warm-up cut: raw file only
            }
            String key = "storm." + server + "." + v.name();
            results.put(key + ".streams", ((Number) line.get("streams")).doubleValue(), 0, "streams");
            record(key, round, number(line.get("recoveryMs")), "ms", errs, line);
            if (line.get("recoveryMs") == null) {
              results.note(key + ".round" + (round + 1), line.get("recovered") + " of " + line.get("streams")
                  + " streams recovered before the time-out: the round counts as failed");
            }
          }
          case "jitter" -> {
            if (Boolean.TRUE.equals(line.get("warmup"))) {
              continue;
            }
            String key = "jitter." + server + "." + line.get("jitter");
            results.put(key + ".streams", ((Number) line.get("streams")).doubleValue(), 0, "streams");
            record(key + ".recovery", round, number(line.get("recoveryMs")), "ms", errs, line);
            record(key + ".peak", round, number(line.get("peakPerSec")), "1/s", 0, line);
          }
          default -> {
            String key = "load." + server + "." + v.name() + "." + scenario;
            record(key, round, number(line.get("rate")), "1/s", errs, line);
          }
        }
      }
    }

    private static double median(List<Double> list) {
      List<Double> sorted = new ArrayList<>(list);
      Collections.sort(sorted);
      return Results.median(sorted);
    }

    private static double number(Object o) {
      return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A session that failed: its round has no value (the other rounds still count), and a note says why. */
    void failed(String server, Variant v, int round, String what, Exception e) {
      String key = "failed." + server + "." + v.name() + "." + what + ".round" + (round + 1);
      results.note(key, String.valueOf(e.getMessage()));
      System.out.println("[load] FAILED " + key + ": " + e);
    }

    private void record(String key, int round, double value, String unit, long errs, Map<String, Object> line) {
      rounds.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(round, value);
      units.put(key, unit);
      errors.merge(key, errs, Long::sum);
      if (line.get("clientCpu") instanceof Number n && Double.isFinite(n.doubleValue())) {
        cpu.computeIfAbsent(key, k -> new ArrayList<>()).add(n.doubleValue());
      }
      if (line.get("serverCpu") instanceof Number n && Double.isFinite(n.doubleValue())) {
        serverCpu.computeIfAbsent(key, k -> new ArrayList<>()).add(n.doubleValue());
      }
    }

    void finish() {
      rounds.forEach((key, byRound) -> {
        Double[] perRound = new Double[Collections.max(byRound.keySet()) + 1];
        Arrays.fill(perRound, Double.NaN);
        byRound.forEach((r, x) -> perRound[r] = x);
        results.putRounds(key, Arrays.asList(perRound), units.get(key));
      });
      errors.forEach((key, n) -> {
        if (n > 0) {
          results.note(key, n + (key.startsWith("storm.") || key.startsWith("jitter.") ? " failed connections during the storms (retried)"
              : " failed operations (excluded from the rate)"));
        }
      });
      cpu.forEach((key, list) -> {
        double client = median(list);
        double server = serverCpu.containsKey(key) ? median(serverCpu.get(key)) : Double.NaN;
        if (client >= 0.9 && !(server >= client)) {
          results.note(key + ".cpu", String.format(Locale.ROOT, "the client used %.2f cores and the server %.2f "
              + "(medians): the client, not the server, may have set the pace", client, server));
        }
      });
    }
  }

  /** Starts a server JVM and a client JVM for it, runs the client's tasks, stops both; the client's result lines. */
  private static List<Map<String, Object>> session(Pinning pin, String label, String server, Variant v,
      List<String> flags, List<String> serverProps, String histogram, List<String> tasks)
      throws IOException, InterruptedException, ParseException {
    System.out.printf(Locale.ROOT, "%s %s %s %s%n", label, server, v.label(), String.join(" ", tasks));
    List<String> serverFlags = new ArrayList<>(flags);
    serverFlags.addAll(serverProps);
    String[] serverArgs = histogram == null ? new String[] {server, v.name()} : new String[] {server, v.name(), histogram};
    List<String> clientArgs = new ArrayList<>(List.of("-", v.name()));
    clientArgs.addAll(tasks);
    List<Map<String, Object>> lines = new ArrayList<>();
    // the client JVM starts while the server starts, on its own CPU, and waits for the port
    try (ChildJvm srv = ChildJvm.start(pin.server(), serverFlags, LoadServer.class, serverArgs);
         ChildJvm client = ChildJvm.start(pin.client(), CLIENT_FLAGS, LoadClient.class, clientArgs.toArray(String[]::new))) {
      String ready = srv.awaitLine("READY ", 60_000);
      client.sendLine(ready.substring("READY ".length()).trim());
      for (String line : client.awaitExit(30 * 60_000)) {
        if (line.startsWith("RESULT ")) {
          lines.add(JSONObjectUtils.parse(line.substring("RESULT ".length())));
        }
      }
    }
    if (lines.isEmpty()) {
      throw new IllegalStateException("the client against " + server + "/" + v.label() + " reported nothing");
    }
    return lines;
  }
}
