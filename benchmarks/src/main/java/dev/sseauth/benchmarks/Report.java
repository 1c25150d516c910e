package dev.sseauth.benchmarks;

import dev.sseauth.benchmarks.jmh.CoreBenchmarks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Renders {@link Results} as the markdown table of {@code benchmarks/README.md}: each measurement, its
 * baseline from the same run, the ratio with its range, the target and whether it was met.
 *
 * <p>The rule for "met": a target is met only when the whole range of the ratio clears it (for a
 * "≥" target the lowest ratio, for a "≤" target the highest). For load rates and storm times, measured in
 * rounds with each round measuring a server's variants back to back, the range is the lowest and highest
 * of the per-round ratios (guarded in round k over baseline in round k) and the ratio shown is their
 * median. For JMH times (average ± 99.9% half-interval) and browser times (median ± half the
 * interquartile range) it is the ratio of the interval ends, worst against best. A single value (one round,
 * a heap or size measurement) is its own range.
 */
public final class Report {
  private Report() {}

  /** The targets of issue 13 (ratios unless named in bytes). */
  public static final class Targets {
    /** Reconnects/s guarded ≥ this × unguarded, on every server. */
    public static final double RECONNECTS_VS_UNGUARDED = 0.90;
    /** Reconnects/s guarded ≥ this × JWT in the query string, on every server. */
    public static final double RECONNECTS_VS_JWT = 0.95;
    /** Events/s guarded ≥ this × unguarded, on every server. */
    public static final double EVENTS_VS_UNGUARDED = 0.95;
    /** First connects/s guarded, ticket request included, ≥ this × unguarded. */
    public static final double FIRST_CONNECTS_VS_UNGUARDED = 0.45;
    /** Reconnect storm: guarded time to full recovery ≤ this × unguarded, on every server. */
    public static final double STORM_VS_UNGUARDED = 1.20;
    /** Judging a reconnect ≤ this × nimbus HS256 parse + verify + claims. */
    public static final double JUDGE_VS_JWT_FILTER = 1.00;
    /** Rewriting ≥ this × the line-end scan. */
    public static final double REWRITE_VS_SCAN = 0.60;
    /** Bytes of the wire token for a 20-character subject, at most. */
    public static final int WIRE_TOKEN_BYTES = 100;
    /** Bytes of the composite id with a 10-character application id, at most. */
    public static final int COMPOSITE_ID_BYTES = 128;
    /** Extra heap per held stream at 10,000 streams, at most. */
    public static final int HEAP_EXTRA_BYTES = 1024;
    /** Chromium, first application event in continue mode ≤ this × unguarded. */
    public static final double BROWSER_CONTINUE = 1.20;

    private Targets() {}
  }

  /**
   * One line of the table; {@code target} is "—" and {@code met} null for rows shown for context only.
   * {@code ratio}, {@code low} and {@code high} are NaN where no ratio applies.
   */
  public record Row(String what, String value, String baseline, double ratio, double low, double high, String target,
      Boolean met) {}

  private enum Kind { TIME_NS, MBPS, RATE, MS }

  private record Target(boolean atMost, double bound) {
    boolean met(double low, double high) {
      return atMost ? high <= bound : low >= bound;
    }

    @Override
    public String toString() {
      return (atMost ? "≤ " : "≥ ") + String.format(Locale.ROOT, "%.2f×", bound);
    }
  }

  private static Target atMost(double b) {
    return new Target(true, b);
  }

  private static Target atLeast(double b) {
    return new Target(false, b);
  }

  /** The servers of the load table: key part and name. */
  private static final String[][] SERVERS = {{"jetty", "Jetty"}, {"tomcat", "Tomcat"}, {"netty", "Netty"},
      {"webflux", "WebFlux"}};

  /** The name shown for the server {@code key} ({@code webflux}: WebFlux). */
  static String serverName(String key) {
    for (String[] s : SERVERS) {
      if (s[0].equals(key)) {
        return s[1];
      }
    }
    return key;
  }

  /** The servers of the load table measured in {@code r} ({@link Results#servers()}; every one if it names none). */
  private static List<String[]> servers(Results r) {
    List<String[]> measured = new ArrayList<>();
    for (String[] s : SERVERS) {
      if (r.servers().isEmpty() || r.servers().contains(s[0])) {
        measured.add(s);
      }
    }
    return measured;
  }

  /**
   * Every row the results allow; rows whose numbers are missing are left out, and so are servers that
   * {@link Results#servers()} does not name.
   */
  public static List<Row> rows(Results r) {
    List<Row> rows = new ArrayList<>();
    List<String[]> servers = servers(r);
    ratio(rows, r, "judge a reconnect (parse Last-Event-ID, verify token, check revocation)", "jmh.judgeReconnect",
        "nimbus HS256 parse + verify + claims (sub, exp): what a JWT filter does", "jmh.baselineNimbusHs256VerifyAndClaims",
        Kind.TIME_NS, atMost(Targets.JUDGE_VS_JWT_FILTER));
    ratio(rows, r, "judge a reconnect", "jmh.judgeReconnect",
        "nimbus HS256 verify alone", "jmh.baselineNimbusHs256Verify", Kind.TIME_NS, null);
    ratio(rows, r, "rewrite a typical stream (100-byte events with ids)", "jmh.rewriteStream",
        "scan of the same stream for line ends", "jmh.baselineLineEndScan", Kind.MBPS, atLeast(Targets.REWRITE_VS_SCAN));
    ratio(rows, r, "issue a ticket", "jmh.issueTicket",
        "ConcurrentHashMap put + remove, same random source", "jmh.baselineMapPutRemove", Kind.TIME_NS, null);
    ratio(rows, r, "redeem a ticket (take, revocation check, mint token, handshake)", "jmh.redeemTicket",
        "ConcurrentHashMap put + remove, same random source", "jmh.baselineMapPutRemove", Kind.TIME_NS, null);
    ratio(rows, r, "mint a session token", "jmh.mintSessionToken",
        "nimbus HS256 sign alone, same claims", "jmh.baselineNimbusHs256Sign", Kind.TIME_NS, null);
    size(rows, r, "wire token for a " + WireSize.SUBJECT.length() + "-character subject (prefix of every event id)",
        "wire.token", Targets.WIRE_TOKEN_BYTES);
    size(rows, r, "composite id with a " + WireSize.APP_ID.length() + "-character app id (Last-Event-ID of a reconnect)",
        "wire.compositeId", Targets.COMPOSITE_ID_BYTES);
    for (String[] s : servers) {
      String k = "load." + s[0] + ".";
      ratio(rows, r, s[1] + ": reconnects/s with Last-Event-ID, sse-auth", k + "SSEAUTH.reconnect",
          "unguarded", k + "UNGUARDED.reconnect", Kind.RATE, atLeast(Targets.RECONNECTS_VS_UNGUARDED));
      ratio(rows, r, s[1] + ": reconnects/s with Last-Event-ID, sse-auth", k + "SSEAUTH.reconnect",
          "JWT in the query string", k + "JWT_QUERY.reconnect", Kind.RATE, atLeast(Targets.RECONNECTS_VS_JWT));
      ratio(rows, r, s[1] + ": first connects/s, sse-auth incl. the ticket request", k + "SSEAUTH.first",
          "unguarded", k + "UNGUARDED.first", Kind.RATE, atLeast(Targets.FIRST_CONNECTS_VS_UNGUARDED));
      ratio(rows, r, s[1] + ": first connects/s, sse-auth incl. the ticket request", k + "SSEAUTH.first",
          "JWT in the query string", k + "JWT_QUERY.first", Kind.RATE, null);
      ratio(rows, r, s[1] + ": events/s delivered over concurrent streams, sse-auth", k + "SSEAUTH.events",
          "unguarded", k + "UNGUARDED.events", Kind.RATE, atLeast(Targets.EVENTS_VS_UNGUARDED));
      ratio(rows, r, s[1] + ": events/s delivered over concurrent streams, sse-auth", k + "SSEAUTH.events",
          "JWT in the query string", k + "JWT_QUERY.events", Kind.RATE, null);
    }
    for (String[] s : servers) {
      String k = "storm." + s[0] + ".";
      Results.Value n = r.get(k + "SSEAUTH.streams");
      String streams = n == null ? "" : String.format(Locale.ROOT, "%,d ", (long) n.value());
      ratio(rows, r, s[1] + ": reconnect storm, " + streams + "held streams cut at once: time until every one has "
          + "reconnected and received its next event, sse-auth", k + "SSEAUTH", "unguarded", k + "UNGUARDED", Kind.MS,
          atMost(Targets.STORM_VS_UNGUARDED));
    }
    for (String[] s : servers) {
      String k = "jitter." + s[0] + ".";
      Results.Value n = r.get(k + "20.streams");
      String streams = n == null ? "" : String.format(Locale.ROOT, "%,d ", (long) n.value());
      String what = s[1] + ": reconnect storm, " + streams + "held streams cut at once, retry 1 s, sse-auth with "
          + "sseauth.retry.jitter 20 %";
      ratio(rows, r, what + ": peak reconnects/s (most in any 100 ms)", k + "20.peak", "jitter 0", k + "0.peak",
          Kind.RATE, null);
      ratio(rows, r, what + ": time until every one has received its next event", k + "20.recovery", "jitter 0",
          k + "0.recovery", Kind.MS, null);
    }
    for (String[] s : servers) {
      Results.Value hs = r.get("heap." + s[0] + ".SSEAUTH");
      Results.Value hu = r.get("heap." + s[0] + ".UNGUARDED");
      if (hs != null && hu != null) {
        double extra = hs.value() - hu.value();
        Results.Value n = r.get("heap." + s[0] + ".SSEAUTH.streams");
        String streams = n == null ? "" : String.format(Locale.ROOT, " at %,d streams", (long) n.value());
        rows.add(new Row(s[1] + ": heap per held stream" + streams + ", sse-auth",
            String.format(Locale.ROOT, "%,.0f B", hs.value()), String.format(Locale.ROOT, "unguarded: %,.0f B", hu.value()),
            Double.NaN, Double.NaN, Double.NaN,
            String.format(Locale.ROOT, "extra ≤ %,d B (measured %+,.0f B)", Targets.HEAP_EXTRA_BYTES, extra),
            extra <= Targets.HEAP_EXTRA_BYTES));
      }
    }
    ratio(rows, r, "Chromium: new EventSource → first app event, continue mode", "browser.c",
        "unguarded", "browser.u", Kind.MS, atMost(Targets.BROWSER_CONTINUE));
    ratio(rows, r, "Chromium: new EventSource → first app event, reconnect mode (retry: 0)", "browser.r",
        "unguarded", "browser.u", Kind.MS, null);
    return rows;
  }

  private static void size(List<Row> rows, Results r, String what, String key, int atMost) {
    Results.Value v = r.get(key);
    if (v == null) {
      return;
    }
    rows.add(new Row(what, String.format(Locale.ROOT, "%,.0f B", v.value()), "—", Double.NaN, Double.NaN, Double.NaN,
        String.format(Locale.ROOT, "≤ %,d B", atMost), v.value() <= atMost));
  }

  private static void ratio(List<Row> rows, Results r, String what, String key, String baselineWhat, String baselineKey,
      Kind kind, Target target) {
    Results.Value a = r.get(key);
    Results.Value b = r.get(baselineKey);
    if (a == null || b == null) {
      return;
    }
    double[] q = ratioRange(kind, a, b);
    rows.add(new Row(what, format(kind, a), baselineWhat + ": " + format(kind, b), q[0], q[1], q[2],
        target == null ? "—" : target.toString(), target == null ? null : target.met(q[1], q[2])));
  }

  /**
   * The ratio of {@code a} to {@code b} with its range, {@code {ratio, low, high}}: from the paired
   * per-round values when both were measured in the same rounds, else from their intervals.
   */
  static double[] ratioRange(Kind kind, Results.Value a, Results.Value b) {
    if (!a.rounds().isEmpty() && a.rounds().size() == b.rounds().size()) {
      List<Double> paired = new ArrayList<>();
      for (int i = 0; i < a.rounds().size(); i++) {
        double x = a.rounds().get(i) / b.rounds().get(i);
        if (Double.isFinite(x)) {
          paired.add(x);
        }
      }
      if (!paired.isEmpty()) {
        Collections.sort(paired);
        return new double[] {Results.median(paired), paired.get(0), paired.get(paired.size() - 1)};
      }
    }
    double[] x = inDisplayUnit(kind, a);
    double[] y = inDisplayUnit(kind, b);
    double low = Math.max(0, x[1]) / y[2];
    double high = y[1] > 0 ? x[2] / y[1] : Double.POSITIVE_INFINITY;
    return new double[] {x[0] / y[0], low, high};
  }

  /** {value, low, high} in the unit shown (MB/s for stream benchmarks, whose raw value is ns per operation). */
  private static double[] inDisplayUnit(Kind kind, Results.Value v) {
    if (kind == Kind.MBPS) {
      return new double[] {mbps(v.value()), mbps(v.high()), v.low() > 0 ? mbps(v.low()) : Double.POSITIVE_INFINITY};
    }
    return new double[] {v.value(), v.low(), v.high()};
  }

  /** MB/s (10^6 bytes) of a stream benchmark's ns per operation. */
  static double mbps(double nsPerOp) {
    return CoreBenchmarks.StreamState.STREAM_BYTES * 1000.0 / nsPerOp;
  }

  private static String format(Kind kind, Results.Value v) {
    double err = Double.isFinite(v.error()) ? v.error() : 0;
    boolean perRound = !v.rounds().isEmpty();
    boolean rounds = perRound && v.low() < v.high();
    return switch (kind) {
      case TIME_NS -> err > 0 ? String.format(Locale.ROOT, "%,.0f ± %,.0f ns", v.value(), err)
          : String.format(Locale.ROOT, "%,.0f ns", v.value());
      case MBPS -> {
        double m = mbps(v.value());
        double e = err > 0 ? m - mbps(v.value() + err) : 0;
        yield e > 0 ? String.format(Locale.ROOT, "%,.0f ± %,.0f MB/s", m, e) : String.format(Locale.ROOT, "%,.0f MB/s", m);
      }
      case RATE -> rounds ? String.format(Locale.ROOT, "%,.0f/s (%,.0f–%,.0f)", v.value(), v.low(), v.high())
          : String.format(Locale.ROOT, "%,.0f/s", v.value());
      case MS -> rounds ? String.format(Locale.ROOT, "%,.0f ms (%,.0f–%,.0f)", v.value(), v.low(), v.high())
          : perRound ? String.format(Locale.ROOT, "%,.0f ms", v.value())
          : err > 0 ? String.format(Locale.ROOT, "%.1f ms (±%.1f)", v.value(), err)
          : String.format(Locale.ROOT, "%.1f ms", v.value());
    };
  }

  /** The ratio cell: {@code 0.93× (0.91–0.95)}, the range left out when it is a single value. */
  static String ratioCell(Row row) {
    if (Double.isNaN(row.ratio())) {
      return "—";
    }
    String ratio = String.format(Locale.ROOT, "%.2f×", row.ratio());
    String low = String.format(Locale.ROOT, "%.2f", row.low());
    String high = Double.isInfinite(row.high()) ? "∞" : String.format(Locale.ROOT, "%.2f", row.high());
    return low.equals(high) && ratio.startsWith(low) ? ratio : ratio + " (" + low + "–" + high + ")";
  }

  /** The markdown: a heading line, the table, how to read it, the machine, the settings, the notes. */
  public static String markdown(Results r, Settings s, boolean smoke, String command) {
    StringBuilder b = new StringBuilder();
    if (smoke) {
      b.append("> **Smoke run** (tiny iteration counts): these numbers only prove the harness works.\n\n");
    }
    b.append("| measurement | sse-auth | baseline (same run) | ratio | target | result |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (Row row : rows(r)) {
      b.append("| ").append(row.what()).append(" | ").append(row.value()).append(" | ").append(row.baseline())
          .append(" | ").append(ratioCell(row))
          .append(" | ").append(row.target()).append(" | ")
          .append(row.met() == null ? "(context)" : row.met() ? "**met**" : "**missed**").append(" |\n");
    }
    b.append("\nLoad rates and storm times: the median of ").append(s.loadRounds()).append(" load and ")
        .append(s.stormRounds()).append(" storm round(s), the lowest and highest round in brackets. Their ratios: the ")
        .append("median of the per-round ratios (each round measures a server's variants back to back), the lowest ")
        .append("and highest per-round ratio in brackets. JMH: average ± the 99.9% half-interval; browser: median of ")
        .append(s.browserRuns()).append(" runs ± half the interquartile range; their ratio ranges pair the interval ")
        .append("ends, worst against best. A target is met only when the whole range clears it. Storms: the servers ")
        .append("send `retry: ").append(s.stormRetryMs()).append("` (sse-auth's handshake and the application alike); ")
        .append("before the measured cut at least ").append(s.stormWarmupCuts()).append(" warm-up cut(s), more while ")
        .append("the server's JIT is busy (up to ").append(s.stormWarmupCutsCap()).append("). Rates: every path ")
        .append("warmed for at least ").append(s.loadWarmupMs()).append(" ms, then until the server's JIT is quiet (up to ")
        .append(s.loadWarmupCapMs()).append(" ms).\n");
    b.append("\nMachine: ").append(machine()).append('\n');
    String cpus = r.notes().get("cpus");
    if (cpus != null) {
      b.append("\nLoad JVMs: ").append(cpus).append('\n');
    }
    if (!r.servers().isEmpty()) {
      b.append("\nServers measured (load, storm, heap): ")
          .append(String.join(", ", r.servers().stream().map(Report::serverName).toList())).append('\n');
    }
    b.append("\nSettings: ").append(s).append('\n');
    b.append("\nCommand: `").append(command).append("`\n");
    List<Map.Entry<String, String>> notes = new ArrayList<>();
    r.notes().entrySet().stream().filter(e -> !e.getKey().equals("cpus")).forEach(notes::add);
    if (!notes.isEmpty()) {
      b.append("\nNotes:\n");
      notes.forEach(e -> b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n'));
    }
    return b.toString();
  }

  /** CPU, cores, memory, OS, JVM and Chromium of this machine, one line. */
  public static String machine() {
    String cpu = firstMatch(Path.of("/proc/cpuinfo"), "model name");
    String mem = firstMatch(Path.of("/proc/meminfo"), "MemTotal");
    String memText = "";
    if (mem != null) {
      try {
        long kb = Long.parseLong(mem.replaceAll("[^0-9]", ""));
        memText = String.format(Locale.ROOT, ", %.0f GiB RAM", kb / 1024.0 / 1024.0);
      } catch (NumberFormatException e) {
        memText = "";
      }
    }
    return (cpu == null ? "unknown CPU" : cpu) + ", " + Runtime.getRuntime().availableProcessors() + " cores" + memText
        + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")
        + ", " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + ", " + chromiumVersion()
        + ", " + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE);
  }

  private static String firstMatch(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  private static String chromiumVersion() {
    try {
      Process p = new ProcessBuilder("chromium", "--version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).trim();
      v = v.substring(v.lastIndexOf('\n') + 1); // Debian's wrapper script may print a warning first
      return p.waitFor(10, TimeUnit.SECONDS) && !v.isEmpty() ? v : "chromium: unknown";
    } catch (IOException e) {
      return "no chromium";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "chromium: unknown";
    }
  }
}
