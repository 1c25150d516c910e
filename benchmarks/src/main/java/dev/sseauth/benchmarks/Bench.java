package dev.sseauth.benchmarks;

import dev.sseauth.benchmarks.browser.BrowserRun;
import dev.sseauth.benchmarks.jmh.JmhRun;
import dev.sseauth.benchmarks.load.LoadRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark harness: {@code Bench --out <dir> [--smoke] [--only jmh,wire,load,storm,heap,browser]} runs
 * the JMH core benchmarks, the wire sizes, the loopback load rounds (Jetty, Tomcat, Netty, WebFlux), the reconnect
 * storms, the held-stream heap and the browser timing, then writes {@code results.md} (the markdown
 * table), {@code results.json} and the raw results ({@code jmh.json}, {@code load-raw.jsonl},
 * {@code storm-raw.jsonl}, {@code heap-raw.jsonl}, {@code browser.json}) to the output directory. {@code --profile <regex>}
 * instead profiles the matching JMH benchmarks (stack sampling, allocation) into
 * {@code profile-<regex>.txt}. {@code --rounds N} changes the number of load and storm rounds (at least 5
 * for a table whose ranges mean something; fewer for a quick look).
 */
public final class Bench {
  /** The parts of a run. */
  public static final List<String> PARTS = List.of("jmh", "wire", "load", "storm", "jitter", "heap", "browser");
  /** The README command of a full run. */
  public static final String COMMAND = "bash scripts/bench.sh";

  private Bench() {}

  /** Runs {@code parts} with {@code settings}, writing everything under {@code out}; the results. */
  public static Results run(Settings settings, Path out, Set<String> parts, boolean smoke) throws Exception {
    return run(settings, out, parts, smoke, smoke ? COMMAND + " --smoke" : COMMAND);
  }

  /** As {@link #run(Settings, Path, Set, boolean)}, with the command line the report names. */
  public static Results run(Settings settings, Path out, Set<String> parts, boolean smoke, String command)
      throws Exception {
    Files.createDirectories(out);
    Results results = new Results();
    if (parts.contains("jmh")) {
      timed("JMH core benchmarks", () -> JmhRun.run(settings, out, results));
    }
    if (parts.contains("wire")) {
      timed("wire sizes", () -> WireSize.run(results));
    }
    if (parts.contains("load") || parts.contains("storm") || parts.contains("jitter") || parts.contains("heap")) {
      timed("loopback load, reconnect storm, heap per held stream (Jetty, Tomcat, Netty, WebFlux)",
          () -> LoadRun.run(settings, out, results, parts));
    }
    if (parts.contains("browser")) {
      timed("Chromium timing", () -> BrowserRun.run(settings, out, results));
    }
    Files.writeString(out.resolve("results.json"), results.toJson());
    String md = Report.markdown(results, settings, smoke, command);
    Files.writeString(out.resolve("results.md"), md);
    return results;
  }

  @FunctionalInterface
  private interface Part {
    void run() throws Exception;
  }

  private static void timed(String what, Part part) throws Exception {
    System.out.println("[bench] " + what);
    long t0 = System.nanoTime();
    part.run();
    System.out.printf(java.util.Locale.ROOT, "[bench] %s: %.0f s%n", what, (System.nanoTime() - t0) / 1e9);
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of("target");
    StringBuilder command = new StringBuilder(COMMAND);
    boolean smoke = false;
    int rounds = 0;
    Set<String> parts = new LinkedHashSet<>(PARTS);
    for (int i = 0; i < args.length; i++) {
      if (!args[i].equals("--out")) {
        command.append(' ').append(args[i]);
        if (i + 1 < args.length && (args[i].equals("--only") || args[i].equals("--rounds"))) {
          command.append(' ').append(args[i + 1]);
        }
      }
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--smoke" -> smoke = true;
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--profile" -> {
          Files.createDirectories(out);
          JmhRun.profile(args[++i], out);
          System.out.println("[bench] wrote the profile under " + out);
          System.exit(0);
        }
        case "--only" -> {
          parts.clear();
          for (String p : args[++i].split(",")) {
            if (!PARTS.contains(p.trim())) {
              throw new IllegalArgumentException("--only takes " + PARTS + ", but was '" + p + "'");
            }
            parts.add(p.trim());
          }
        }
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (use --out DIR, --smoke, --rounds N, --only " + String.join(",", PARTS) + ")");
      }
    }
    Settings settings = smoke ? Settings.smoke() : Settings.full();
    if (rounds > 0) {
      settings = settings.withRounds(rounds);
    }
    Results r = run(settings, out, parts, smoke, command.toString());
    System.out.println();
    System.out.println(Files.readString(out.resolve("results.md")));
    System.out.println("[bench] wrote " + out.resolve("results.md") + " and the raw results in " + out);
    if (r.all().isEmpty()) {
      System.exit(1);
    }
    System.exit(0);
  }
}
