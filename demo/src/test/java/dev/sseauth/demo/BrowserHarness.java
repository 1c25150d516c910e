package dev.sseauth.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sseauth.demo.internal.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The driver-free browser harness: a small HTTP server the scenario pages talk to. A page (served by the
 * demo itself from the test class path, {@code /test/*.html}) runs its scenario, asks the test to act
 * with {@code POST /step/<run>/<name>} (advance the clock, drop the streams, take a screenshot; answered
 * when done) and finally {@code POST /report/<run>} with what it saw, as JSON. Bodies are text/plain and
 * responses allow any origin, so no preflight is needed.
 */
final class BrowserHarness implements AutoCloseable {
  /** One page load. */
  final class Run {
    final String id;
    final Map<String, Consumer<String>> steps;
    final CompletableFuture<String> report = new CompletableFuture<>();
    final List<String> log = new CopyOnWriteArrayList<>();

    Run(String id, Map<String, Consumer<String>> steps) {
      this.id = id;
      this.steps = steps;
    }

    /** The page URL on {@code base} with the harness parameters. */
    String url(URI base, String page) {
      return base.resolve(page) + "?harness=" + harnessBase() + "&run=" + id;
    }

    /** Waits for the page's report. */
    String await(Duration timeout, Browser.Handle browser) throws Exception {
      try {
        return report.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("no report from " + browser + " within " + timeout + "; page log: " + log
            + "; browser output: " + browser.output(), e);
      } catch (ExecutionException e) {
        throw new AssertionError("step failed: " + e.getCause() + "; page log: " + log, e.getCause());
      }
    }
  }

  private final HttpServer server;
  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  BrowserHarness() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "browser-harness");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  String harnessBase() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** A new run whose page may ask for the named steps. */
  Run newRun(Map<String, Consumer<String>> steps) {
    Run r = new Run("r" + ids.incrementAndGet(), steps);
    runs.put(r.id, r);
    return r;
  }

  private void handle(HttpExchange ex) throws IOException {
    String[] parts = ex.getRequestURI().getPath().split("/");
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    int status = 200;
    String answer = "{}";
    try {
      Run run = parts.length >= 3 ? runs.get(parts[2]) : null;
      if (!"POST".equals(ex.getRequestMethod()) || run == null) {
        status = 404;
      } else if (parts[1].equals("report")) {
        run.report.complete(body);
      } else if (parts[1].equals("log")) {
        run.log.add(body);
      } else if (parts[1].equals("step") && parts.length == 4) {
        Consumer<String> step = run.steps.get(parts[3]);
        run.log.add("step " + parts[3]);
        if (step == null) {
          status = 404;
          run.report.completeExceptionally(new AssertionError("the page asked for unknown step " + parts[3]));
        } else {
          step.accept(body);
        }
      } else {
        status = 404;
      }
    } catch (RuntimeException | AssertionError e) {
      status = 500;
      answer = "{\"error\":" + Json.str(String.valueOf(e)) + "}";
      Run run = runs.get(parts.length >= 3 ? parts[2] : "");
      if (run != null) {
        run.report.completeExceptionally(e);
      }
    }
    byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  /** Writes the report to {@code target/browser-reports/<name>.json}, for reading after a failure. */
  static void keep(String name, String report) throws IOException {
    Path dir = Path.of("target", "browser-reports");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name + ".json"), report);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
