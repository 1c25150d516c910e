package dev.sseauth.benchmarks.load;

import dev.sseauth.benchmarks.ChildJvm;
import dev.sseauth.benchmarks.Results;
import dev.sseauth.benchmarks.Settings;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the loopback load measurements: for each round, each server (Jetty, Netty) and each
 * {@link Variant} (in an order rotated per round), a fresh server JVM and a fresh client JVM, both
 * with the same flags for every variant. Raw client lines go to {@code load-raw.jsonl}.
 *
 * <p>Keys: {@code load.<server>.<VARIANT>.<reconnect|first|events>} (per second, the median over
 * rounds, error = half the spread), {@code heap.netty.<VARIANT>} (bytes per held stream; the
 * servers' live-object class histograms go to {@code heap-histogram-<variant>.txt}).
 */
public final class LoadRun {
  /** JVM flags of every server process. */
  public static final List<String> SERVER_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
  /** JVM flags of every client process. */
  public static final List<String> CLIENT_FLAGS = List.of("-Xms1g", "-Xmx2g", "-XX:+UseG1GC");

  private LoadRun() {}

  public static void run(Settings s, Path out, Results results) throws Exception {
    Path raw = out.resolve("load-raw.jsonl");
    Files.deleteIfExists(raw);
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    Map<String, Long> errors = new LinkedHashMap<>();
    Variant[] variants = Variant.values();
    for (int round = 0; round < s.loadRounds(); round++) {
      for (String server : List.of("jetty", "netty")) {
        for (int k = 0; k < variants.length; k++) {
          Variant v = variants[(k + round) % variants.length];
          for (Map<String, Object> line : session(server, v, null, raw, "throughput",
              String.valueOf(s.loadConcurrency()), String.valueOf(s.loadWarmupMs()), String.valueOf(s.loadMeasureMs()),
              String.valueOf(s.eventStreams()), String.valueOf(s.eventsPerStream()))) {
            String key = "load." + server + "." + v.name() + "." + line.get("scenario");
            samples.computeIfAbsent(key, x -> new ArrayList<>()).add(((Number) line.get("rate")).doubleValue());
            errors.merge(key, ((Number) line.get("errors")).longValue(), Long::sum);
          }
        }
      }
    }
    samples.forEach((key, list) -> {
      List<Double> sorted = new ArrayList<>(list);
      Collections.sort(sorted);
      double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
          : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
      double spread = (sorted.get(sorted.size() - 1) - sorted.get(0)) / 2;
      results.put(key, median, spread, "1/s");
    });
    errors.forEach((key, n) -> {
      if (n > 0) {
        results.note(key, n + " failed operations (excluded from the rate)");
      }
    });
  }

  /** Holds {@link Settings#heapStreams()} streams on Netty, unguarded and guarded; {@code heap.netty.<VARIANT>}. */
  public static void heap(Settings s, Path out, Results results) throws Exception {
    Path raw = out.resolve("heap-raw.jsonl");
    Files.deleteIfExists(raw);
    for (Variant v : List.of(Variant.UNGUARDED, Variant.SSEAUTH)) {
      String histogram = out.resolve("heap-histogram-" + v.name().toLowerCase(Locale.ROOT) + ".txt").toAbsolutePath().toString();
      for (Map<String, Object> line : session("netty", v, histogram, raw, "heap", String.valueOf(s.heapStreams()), "120000")) {
        long held = ((Number) line.get("streams")).longValue();
        results.put("heap.netty." + v.name(), ((Number) line.get("bytesPerStream")).doubleValue(), 0, "B/stream");
        results.put("heap.netty." + v.name() + ".streams", held, 0, "streams");
        if (held < s.heapStreams()) {
          results.note("heap.netty." + v.name(), "only " + held + " of " + s.heapStreams() + " streams were held");
        }
      }
    }
  }

  /** Starts a server JVM, runs one client JVM against it, stops the server; the client's result lines. */
  private static List<Map<String, Object>> session(String server, Variant v, String histogram, Path raw, String mode,
      String... args)
      throws IOException, InterruptedException, ParseException {
    System.out.printf(Locale.ROOT, "[load] %s %s %s%n", server, v.label(), mode);
    String[] serverArgs = histogram == null ? new String[] {server, v.name()} : new String[] {server, v.name(), histogram};
    try (ChildJvm srv = ChildJvm.start(SERVER_FLAGS, LoadServer.class, serverArgs)) {
      String ready = srv.awaitLine("READY ", 60_000);
      String port = ready.substring("READY ".length()).trim();
      List<String> clientArgs = new ArrayList<>(List.of(mode, port, v.name()));
      clientArgs.addAll(List.of(args));
      List<Map<String, Object>> lines = new ArrayList<>();
      try (ChildJvm client = ChildJvm.start(CLIENT_FLAGS, LoadClient.class, clientArgs.toArray(String[]::new))) {
        for (String line : client.awaitExit(20 * 60_000)) {
          if (line.startsWith("RESULT ")) {
            String json = line.substring("RESULT ".length());
            Map<String, Object> m = JSONObjectUtils.parse(json);
            m.put("server", server);
            lines.add(m);
            Files.writeString(raw, JSONObjectUtils.toJSONString(m) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          }
        }
      }
      if (lines.isEmpty()) {
        throw new IllegalStateException("the " + mode + " client against " + server + "/" + v.label() + " reported nothing");
      }
      return lines;
    }
  }
}
