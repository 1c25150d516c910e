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
 * for a table whose ranges mean something; fewer for a quick look). {@code --servers jetty,tomcat,netty,webflux}
 * runs the load, storm, jitter and heap parts on those servers only (default all; the jitter storms only ever
 * run on Netty and Jetty); the report then has rows for those servers only and says which were measured.
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
    return run(settings, out, parts, LoadRun.SERVERS, smoke, command);
  }

  /**
   * As {@link #run(Settings, Path, Set, boolean, String)}, the load, storm, jitter and heap parts on
   * {@code servers} only (a subset of {@link LoadRun#SERVERS}).
   */
  public static Results run(Settings settings, Path out, Set<String> parts, List<String> servers, boolean smoke,
      String command) throws Exception {
    Files.createDirectories(out);
    Results results = new Results();
    if (parts.contains("jmh")) {
      timed("JMH core benchmarks", () -> JmhRun.run(settings, out, results));
    }
    if (parts.contains("wire")) {
      timed("wire sizes", () -> WireSize.run(results));
    }
    if (parts.contains("load") || parts.contains("storm") || parts.contains("jitter") || parts.contains("heap")) {
      timed("loopback load, reconnect storm, heap per held stream ("
              + String.join(", ", servers.stream().map(Report::serverName).toList()) + ")",
          () -> LoadRun.run(settings, out, results, parts, servers));
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

  /** The command line's syntax, printed with a usage error. */
  public static final String USAGE = "usage: Bench [--out DIR] [--smoke] [--rounds N] [--only "
      + String.join(",", PARTS) + "] [--servers " + String.join(",", LoadRun.SERVERS) + "] [--profile REGEX]";

  /**
   * A parsed command line.
   *
   * @param out the output directory
   * @param smoke tiny counts
   * @param rounds load and storm rounds (0: those of the settings)
   * @param parts the parts to run, among {@link #PARTS}
   * @param servers the servers of the load, storm, jitter and heap parts, among {@link LoadRun#SERVERS}, in its order
   * @param profile the regex of the JMH benchmarks to profile instead, or null
   * @param command the command line the report names ({@link #COMMAND} and the arguments but {@code --out})
   */
  record Options(Path out, boolean smoke, int rounds, Set<String> parts, List<String> servers, String profile,
      String command) {}

  /** Parses {@code args}. @throws IllegalArgumentException naming the option when an argument is wrong */
  static Options parse(String... args) {
    Path out = Path.of("target");
    StringBuilder command = new StringBuilder(COMMAND);
    boolean smoke = false;
    int rounds = 0;
    String profile = null;
    Set<String> parts = new LinkedHashSet<>(PARTS);
    List<String> servers = LoadRun.SERVERS;
    for (int i = 0; i < args.length; i++) {
      if (!args[i].equals("--out")) {
        command.append(' ').append(args[i]);
        if (i + 1 < args.length
            && (args[i].equals("--only") || args[i].equals("--rounds") || args[i].equals("--servers"))) {
          command.append(' ').append(args[i + 1]);
        }
      }
      switch (args[i]) {
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--smoke" -> smoke = true;
        case "--rounds" -> {
          String n = value(args, ++i, "--rounds");
          try {
            rounds = Integer.parseInt(n.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rounds takes a number, but was '" + n + "'");
          }
        }
        case "--profile" -> profile = value(args, ++i, "--profile");
        case "--only" -> {
          parts.clear();
          for (String p : value(args, ++i, "--only").split(",")) {
            if (!PARTS.contains(p.trim())) {
              throw new IllegalArgumentException("--only takes " + PARTS + ", but was '" + p + "'");
            }
            parts.add(p.trim());
          }
        }
        case "--servers" -> servers = servers(value(args, ++i, "--servers"));
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (use --out DIR, --smoke, --rounds N, --only "
            + String.join(",", PARTS) + ", --servers " + String.join(",", LoadRun.SERVERS) + ")");
      }
    }
    return new Options(out, smoke, rounds, parts, servers, profile, command.toString());
  }

  /**
   * The servers named in {@code list} (comma-separated), in the order of {@link LoadRun#SERVERS}.
   *
   * @throws IllegalArgumentException naming {@code --servers} when a name is not a server or none is named
   */
  static List<String> servers(String list) {
    Set<String> named = new LinkedHashSet<>();
    for (String s : list.split(",", -1)) {
      String name = s.trim();
      if (!LoadRun.SERVERS.contains(name)) {
        throw new IllegalArgumentException("--servers takes a comma-separated subset of "
            + String.join(",", LoadRun.SERVERS) + ", but was '" + s + "'");
      }
      named.add(name);
    }
    return LoadRun.SERVERS.stream().filter(named::contains).toList();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("[bench] " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Path out = o.out();
    if (o.profile() != null) {
      Files.createDirectories(out);
      JmhRun.profile(o.profile(), out);
      System.out.println("[bench] wrote the profile under " + out);
      System.exit(0);
    }
    Settings settings = o.smoke() ? Settings.smoke() : Settings.full();
    if (o.rounds() > 0) {
      settings = settings.withRounds(o.rounds());
    }
    Results r = run(settings, out, o.parts(), o.servers(), o.smoke(), o.command());
    System.out.println();
    System.out.println(Files.readString(out.resolve("results.md")));
    System.out.println("[bench] wrote " + out.resolve("results.md") + " and the raw results in " + out);
    if (r.all().isEmpty()) {
      System.exit(1);
    }
    System.exit(0);
  }
}
