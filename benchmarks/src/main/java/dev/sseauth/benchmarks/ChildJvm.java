package dev.sseauth.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Java process started with this JVM's class path: its standard output is read line by line, its
 * standard error goes to ours, and closing it closes its standard input (the load server's signal to
 * stop), then destroys it if it has not exited within 10 seconds.
 */
public final class ChildJvm implements AutoCloseable {
  private static final String EOF = new String("EOF");
  private final Process process;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process is gone
      } finally {
        lines.add(EOF);
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** The class path children get: the test class path under surefire, else this JVM's. */
  public static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  /** Starts {@code main} with {@code flags} and {@code args}. */
  public static ChildJvm start(List<String> flags, Class<?> main, String... args) throws IOException {
    return start(List.of(), flags, main, args);
  }

  /**
   * Starts {@code main} with {@code flags} and {@code args}, the command prefixed with {@code prefix}
   * (such as {@code taskset -c 1}, see {@link Pinning}).
   */
  public static ChildJvm start(List<String> prefix, List<String> flags, Class<?> main, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(flags);
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    return new ChildJvm(pb.start());
  }

  /** Writes {@code line} and a line end to the process's standard input. @throws IOException if it is gone */
  public void sendLine(String line) throws IOException {
    var in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Waits for a line starting with {@code prefix}. @throws IllegalStateException on exit or timeout */
  public String awaitLine(String prefix, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IllegalStateException("no '" + prefix + "' line within " + timeoutMs + " ms");
      }
      if (line == EOF) {
        throw new IllegalStateException("the process exited before printing '" + prefix + "'");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Every further line until the process ends. @throws IllegalStateException on timeout or a failed exit */
  public List<String> awaitExit(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<String> out = new ArrayList<>();
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        process.destroyForcibly();
        throw new IllegalStateException("the process did not finish within " + timeoutMs + " ms");
      }
      if (line == EOF) {
        break;
      }
      out.add(line);
    }
    if (!process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the process did not exit within " + timeoutMs + " ms");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("the process exited with " + process.exitValue());
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
