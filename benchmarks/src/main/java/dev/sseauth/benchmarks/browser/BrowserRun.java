package dev.sseauth.benchmarks.browser;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.sseauth.HandshakeMode;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.benchmarks.Results;
import dev.sseauth.benchmarks.Settings;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Time from {@code new EventSource} to the first application event in headless Chromium, for an
 * unguarded stream ({@code /u/events}), sse-auth in continue mode ({@code /c/events}) and in reconnect
 * mode ({@code /r/events}, {@code retry: 0}). One page load runs every variant in turn, warm-ups
 * first; the page POSTs the times to {@code /report}. The ticket request happens before
 * {@code new EventSource} and is not in the time. Keys: {@code browser.<u|c|r>} (median ms), raw
 * times in {@code browser.json}.
 */
public final class BrowserRun {
  private BrowserRun() {}

  /** The application: one event, then the response ends (the page closes the EventSource at once). */
  static final class OneEvent extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/event-stream");
      resp.setHeader("Cache-Control", "no-cache");
      resp.getOutputStream().write("id: 1\ndata: first\n\n".getBytes(StandardCharsets.US_ASCII));
      resp.flushBuffer();
    }
  }

  static final class Page extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String html;

    Page(String html) {
      this.html = html;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/html;charset=utf-8");
      resp.setHeader("Cache-Control", "no-store");
      resp.getOutputStream().write(html.getBytes(StandardCharsets.UTF_8));
    }
  }

  static final class Report extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final CompletableFuture<String> report;

    Report(CompletableFuture<String> report) {
      this.report = report;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      report.complete(new String(req.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8));
      resp.setStatus(204);
    }
  }

  private static SseAuth auth(String prefix, HandshakeMode mode) {
    return SseAuth.create(SseAuthConfig.builder()
        .tokenSecret(java.util.Base64.getDecoder().decode("f2y1v3hrtALfe6bxJidFs5zesDOfTBOza68yrPJhfUo="))
        .paths(List.of(prefix + "/events"))
        .ticketPath(prefix + "/sse/ticket")
        .handshakeMode(mode)
        .build());
  }

  private static void guard(ServletContextHandler ctx, String prefix, SseAuth auth) {
    // the page's own authentication is out of scope: every ticket request is "browser-user"
    FilterHolder fh = new FilterHolder(new SseAuthFilter(auth, request -> SsePrincipal.of("browser-user")));
    fh.setAsyncSupported(true);
    ctx.addFilter(fh, prefix + "/*", EnumSet.of(DispatcherType.REQUEST));
  }

  /** Runs the page in Chromium and records the medians. @throws IllegalStateException if Chromium is missing or silent */
  public static void run(Settings s, Path out, Results results) throws Exception {
    String chromium = findChromium();
    if (chromium == null) {
      throw new IllegalStateException("chromium is not installed (scripts/bench.sh installs it)");
    }
    CompletableFuture<String> report = new CompletableFuture<>();
    SseAuth continueAuth = auth("/c", HandshakeMode.CONTINUE);
    SseAuth reconnectAuth = auth("/r", HandshakeMode.RECONNECT);
    Server server = new Server();
    Path profile = Files.createTempDirectory("sseauth-bench-chromium");
    Process browser = null;
    try {
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler ctx = new ServletContextHandler();
      ctx.setContextPath("/");
      guard(ctx, "/c", continueAuth);
      guard(ctx, "/r", reconnectAuth);
      for (String p : List.of("/u/events", "/c/events", "/r/events")) {
        ServletHolder h = new ServletHolder(new OneEvent());
        h.setAsyncSupported(true);
        ctx.addServlet(h, p);
      }
      ctx.addServlet(new ServletHolder(new Page(page(s.browserRuns(), s.browserWarmups()))), "/page.html");
      ctx.addServlet(new ServletHolder(new Report(report)), "/report");
      server.setHandler(ctx);
      server.start();
      String url = "http://127.0.0.1:" + connector.getLocalPort() + "/page.html";
      browser = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=" + profile, url)
          .redirectErrorStream(true)
          .redirectOutput(out.resolve("chromium.log").toFile())
          .start();
      String json = report.get(60 + 3L * (s.browserRuns() + s.browserWarmups()), TimeUnit.SECONDS);
      Files.writeString(out.resolve("browser.json"), json);
      Map<String, Object> m = JSONObjectUtils.parse(json);
      for (String v : List.of("u", "c", "r")) {
        List<Double> times = new ArrayList<>();
        for (Object o : (List<?>) m.get(v)) {
          times.add(((Number) o).doubleValue());
        }
        if (times.isEmpty()) {
          throw new IllegalStateException("the page measured nothing for variant " + v + ": " + m.get("errors"));
        }
        Collections.sort(times);
        double median = times.size() % 2 == 1 ? times.get(times.size() / 2)
            : (times.get(times.size() / 2 - 1) + times.get(times.size() / 2)) / 2;
        // error: half the interquartile range
        double iqr = times.get(times.size() * 3 / 4) - times.get(times.size() / 4);
        results.put("browser." + v, median, iqr / 2, "ms");
      }
      Object errors = m.get("errors");
      if (errors instanceof List<?> l && !l.isEmpty()) {
        results.note("browser", l.size() + " EventSource runs failed: " + l.get(0));
      }
    } finally {
      if (browser != null) {
        browser.destroy();
        if (!browser.waitFor(10, TimeUnit.SECONDS)) {
          browser.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      server.stop();
      continueAuth.close();
      reconnectAuth.close();
      deleteTree(profile);
    }
  }

  static String findChromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    return null;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(Collections.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }

  static String page(int runs, int warmups) {
    return """
        <!doctype html><meta charset="utf-8"><title>sse-auth browser timing</title>
        <script>
        const RUNS = %d, WARMUPS = %d;
        const out = {u: [], c: [], r: [], errors: []};
        async function once(v) {
          let url = '/' + v + '/events';
          if (v !== 'u') {
            const r = await fetch('/' + v + '/sse/ticket', {method: 'POST'});
            if (!r.ok) throw v + ': ticket request answered ' + r.status + ' ' + (await r.text()).substring(0, 300);
            const j = await r.json();
            url += '?' + j.param + '=' + encodeURIComponent(j.ticket);
          }
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => { es.close(); reject(v + ': timeout'); }, 10000);
            const t0 = performance.now();
            const es = new EventSource(url);
            es.onmessage = () => {
              const dt = performance.now() - t0;
              clearTimeout(timer);
              es.close();
              resolve(dt);
            };
            es.onerror = () => {
              if (es.readyState === EventSource.CLOSED) { clearTimeout(timer); reject(v + ': closed'); }
            };
          });
        }
        (async () => {
          for (let i = 0; i < WARMUPS + RUNS; i++) {
            for (const v of ['u', 'c', 'r']) {
              try {
                const dt = await once(v);
                if (i >= WARMUPS) out[v].push(dt);
              } catch (e) {
                out.errors.push(String(e));
              }
            }
          }
          await fetch('/report', {method: 'POST', body: JSON.stringify(out)});
        })();
        </script>
        """.formatted(runs, warmups);
  }
}
