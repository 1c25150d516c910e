package dev.sseauth.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Where the load server and load client JVMs run: with {@code taskset} and at least two CPUs in this
 * process's affinity mask, the server gets the first half of those CPUs and the client the rest (on 2
 * cores: server on CPU 0, client on CPU 1), so neither steals the other's core and the scheduler cannot
 * move them onto one. Without {@code taskset}, or with a single CPU, both run unpinned and
 * {@link #description()} says why. Immutable and thread-safe.
 *
 * @param server the command prefix of a server JVM ({@code taskset -c 0}), empty when unpinned
 * @param client the command prefix of a client JVM, empty when unpinned
 * @param description one line for the report
 */
public record Pinning(List<String> server, List<String> client, String description) {
  public Pinning {
    server = List.copyOf(server);
    client = List.copyOf(client);
  }

  /** Whether the server and the client run on separate CPUs. */
  public boolean pinned() {
    return !server.isEmpty();
  }

  /** No pinning, for {@code reason}. */
  public static Pinning none(String reason) {
    return new Pinning(List.of(), List.of(), "server and client not pinned: " + reason);
  }

  /** Detects the CPUs this process may use and whether {@code taskset} runs; never throws. */
  public static Pinning detect() {
    List<Integer> cpus = allowedCpus();
    if (cpus.size() < 2) {
      return none(cpus.size() + " CPU available, server and client share it");
    }
    if (!tasksetWorks(cpus.get(0))) {
      return none("taskset is not available (util-linux)");
    }
    int half = cpus.size() / 2;
    String s = list(cpus.subList(0, half));
    String c = list(cpus.subList(half, cpus.size()));
    return new Pinning(List.of("taskset", "-c", s), List.of("taskset", "-c", c),
        String.format(Locale.ROOT, "server JVM on CPU %s, client JVM on CPU %s (taskset)", s, c));
  }

  /** The CPUs of this process's affinity mask ({@code Cpus_allowed_list}), else 0 to n-1. */
  static List<Integer> allowedCpus() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Cpus_allowed_list:")) {
          return parseList(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or unreadable: fall through
    }
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      all.add(i);
    }
    return all;
  }

  /** Parses a Linux CPU list such as {@code 0-3,6,8-9}. */
  static List<Integer> parseList(String list) {
    List<Integer> cpus = new ArrayList<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
      for (int i = from; i <= to; i++) {
        cpus.add(i);
      }
    }
    return cpus;
  }

  private static String list(List<Integer> cpus) {
    StringBuilder b = new StringBuilder();
    for (int c : cpus) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(c);
    }
    return b.toString();
  }

  private static boolean tasksetWorks(int cpu) {
    try {
      Process p = new ProcessBuilder("taskset", "-c", String.valueOf(cpu), "true")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
