package dev.sseauth.benchmarks;

import dev.sseauth.benchmarks.jmh.CoreBenchmarks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Renders {@link Results} as the markdown table of the README's "Performance" section: each
 * measurement, its baseline from the same run, the ratio, the target and whether it was met.
 */
public final class Report {
  private Report() {}

  /** One line of the table; {@code target} is null for rows shown for context only. */
  public record Row(String what, String value, String baseline, double ratio, String target, Boolean met) {}

  private enum Kind { TIME_NS, MBPS, RATE, MS }

  private record Target(boolean atMost, double bound) {
    boolean met(double ratio) {
      return atMost ? ratio <= bound : ratio >= bound;
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

  /** Every row the results allow; rows whose numbers are missing are left out. */
  public static List<Row> rows(Results r) {
    List<Row> rows = new ArrayList<>();
    String[][] servers = {{"jetty", "Jetty"}, {"netty", "Netty"}};
    ratio(rows, r, "judge a reconnect (parse Last-Event-ID, verify token, check revocation)", "jmh.judgeReconnect",
        "nimbus HS256 verify alone", "jmh.baselineNimbusHs256Verify", Kind.TIME_NS, atMost(1.3));
    ratio(rows, r, "judge a reconnect", "jmh.judgeReconnect",
        "nimbus HS256 parse + verify + claims (sub, exp): what a JWT filter does", "jmh.baselineNimbusHs256VerifyAndClaims",
        Kind.TIME_NS, null);
    ratio(rows, r, "rewrite a typical stream (100-byte events with ids)", "jmh.rewriteStream",
        "scan of the same stream for line ends", "jmh.baselineLineEndScan", Kind.MBPS, atLeast(0.5));
    ratio(rows, r, "issue a ticket", "jmh.issueTicket",
        "ConcurrentHashMap put + remove, same random source", "jmh.baselineMapPutRemove", Kind.TIME_NS, null);
    ratio(rows, r, "redeem a ticket (take, revocation check, mint token, handshake)", "jmh.redeemTicket",
        "ConcurrentHashMap put + remove, same random source", "jmh.baselineMapPutRemove", Kind.TIME_NS, null);
    ratio(rows, r, "mint a session token", "jmh.mintSessionToken",
        "nimbus HS256 sign alone, same claims", "jmh.baselineNimbusHs256Sign", Kind.TIME_NS, null);
    for (String[] s : servers) {
      String k = "load." + s[0] + ".";
      ratio(rows, r, s[1] + ": reconnects/s with Last-Event-ID, sse-auth", k + "SSEAUTH.reconnect",
          "unguarded", k + "UNGUARDED.reconnect", Kind.RATE, atLeast(0.90));
      ratio(rows, r, s[1] + ": reconnects/s with Last-Event-ID, sse-auth", k + "SSEAUTH.reconnect",
          "JWT in the query string", k + "JWT_QUERY.reconnect", Kind.RATE, atLeast(0.95));
      ratio(rows, r, s[1] + ": first connects/s, sse-auth incl. the ticket request", k + "SSEAUTH.first",
          "unguarded", k + "UNGUARDED.first", Kind.RATE, null);
      ratio(rows, r, s[1] + ": first connects/s, sse-auth incl. the ticket request", k + "SSEAUTH.first",
          "JWT in the query string", k + "JWT_QUERY.first", Kind.RATE, null);
      ratio(rows, r, s[1] + ": events/s delivered over concurrent streams, sse-auth", k + "SSEAUTH.events",
          "unguarded", k + "UNGUARDED.events", Kind.RATE, atLeast(0.97));
      ratio(rows, r, s[1] + ": events/s delivered over concurrent streams, sse-auth", k + "SSEAUTH.events",
          "JWT in the query string", k + "JWT_QUERY.events", Kind.RATE, null);
    }
    Results.Value hs = r.get("heap.netty.SSEAUTH");
    Results.Value hu = r.get("heap.netty.UNGUARDED");
    if (hs != null && hu != null) {
      double extra = hs.value() - hu.value();
      Results.Value n = r.get("heap.netty.SSEAUTH.streams");
      String streams = n == null ? "" : String.format(Locale.ROOT, " at %,d streams", (long) n.value());
      rows.add(new Row("Netty: heap per held stream" + streams + ", sse-auth",
          String.format(Locale.ROOT, "%,.0f B", hs.value()), String.format(Locale.ROOT, "unguarded: %,.0f B", hu.value()),
          Double.NaN, "extra ≤ 1,024 B (measured " + String.format(Locale.ROOT, "%+,.0f B", extra) + ")",
          extra <= 1024));
    }
    ratio(rows, r, "Chromium: new EventSource → first app event, continue mode", "browser.c",
        "unguarded", "browser.u", Kind.MS, atMost(1.2));
    ratio(rows, r, "Chromium: new EventSource → first app event, reconnect mode (retry: 0)", "browser.r",
        "unguarded", "browser.u", Kind.MS, null);
    return rows;
  }

  private static void ratio(List<Row> rows, Results r, String what, String key, String baselineWhat, String baselineKey,
      Kind kind, Target target) {
    Results.Value a = r.get(key);
    Results.Value b = r.get(baselineKey);
    if (a == null || b == null) {
      return;
    }
    double va = value(kind, a.value());
    double vb = value(kind, b.value());
    double ratio = va / vb;
    rows.add(new Row(what, format(kind, a), baselineWhat + ": " + format(kind, b), ratio,
        target == null ? "—" : target.toString(), target == null ? null : target.met(ratio)));
  }

  private static double value(Kind kind, double v) {
    return kind == Kind.MBPS ? mbps(v) : v;
  }

  /** MB/s (10^6 bytes) of a stream benchmark's ns per operation. */
  static double mbps(double nsPerOp) {
    return CoreBenchmarks.StreamState.STREAM_BYTES * 1000.0 / nsPerOp;
  }

  private static String format(Kind kind, Results.Value v) {
    double err = Double.isFinite(v.error()) ? v.error() : 0;
    return switch (kind) {
      case TIME_NS -> err > 0 ? String.format(Locale.ROOT, "%,.0f ± %,.0f ns", v.value(), err)
          : String.format(Locale.ROOT, "%,.0f ns", v.value());
      case MBPS -> {
        double m = mbps(v.value());
        double e = err > 0 ? m - mbps(v.value() + err) : 0;
        yield e > 0 ? String.format(Locale.ROOT, "%,.0f ± %,.0f MB/s", m, e) : String.format(Locale.ROOT, "%,.0f MB/s", m);
      }
      case RATE -> err > 0 ? String.format(Locale.ROOT, "%,.0f/s (±%,.0f)", v.value(), err)
          : String.format(Locale.ROOT, "%,.0f/s", v.value());
      case MS -> err > 0 ? String.format(Locale.ROOT, "%.1f ms (±%.1f)", v.value(), err)
          : String.format(Locale.ROOT, "%.1f ms", v.value());
    };
  }

  /** The markdown: a heading line, the table, the machine, the notes. */
  public static String markdown(Results r, Settings s, boolean smoke, String command) {
    StringBuilder b = new StringBuilder();
    if (smoke) {
      b.append("> **Smoke run** (tiny iteration counts): these numbers only prove the harness works.\n\n");
    }
    b.append("| measurement | sse-auth | baseline (same run) | ratio | target | result |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (Row row : rows(r)) {
      b.append("| ").append(row.what()).append(" | ").append(row.value()).append(" | ").append(row.baseline())
          .append(" | ").append(Double.isNaN(row.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f×", row.ratio()))
          .append(" | ").append(row.target()).append(" | ")
          .append(row.met() == null ? "(context)" : row.met() ? "**met**" : "**missed**").append(" |\n");
    }
    b.append("\nTimes are JMH averages ± the 99.9% half-interval; load rates are medians of ")
        .append(s.loadRounds()).append(" round(s) (± half the spread); browser times are medians of ")
        .append(s.browserRuns()).append(" runs per variant (± half the interquartile range).\n");
    b.append("\nMachine: ").append(machine()).append('\n');
    b.append("\nSettings: ").append(s).append('\n');
    b.append("\nCommand: `").append(command).append("`\n");
    if (!r.notes().isEmpty()) {
      b.append("\nNotes:\n");
      r.notes().forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
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
