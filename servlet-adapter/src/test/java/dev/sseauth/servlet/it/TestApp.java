package dev.sseauth.servlet.it;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ordinary SSE application that knows nothing about sse-auth: it resumes after {@code Last-Event-ID}
 * (a number), writes {@code count} events, then holds the stream or closes it. Query parameters shape
 * its output: {@code style=writer|stream}, {@code crlf=1}, {@code split=1} (byte by byte),
 * {@code big=N} (N bytes of data per event), {@code hb=ms} (heartbeat comments while holding),
 * {@code type=json} (not an event stream at all), {@code then=flood} (write events without pause until a
 * write fails: on the request thread if synchronous, on a thread of its own if async).
 */
public final class TestApp {
  /** What the application saw of one request. */
  public record Seen(String path, String lastEventId, String principal, String remoteUser, String authType,
      String query, Map<String, String[]> params, Object session, String ticketParam, List<String> headerNames) {}

  public final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** Raw requests as they reached the container, before sse-auth: {@code Last-Event-ID} and query. */
  public final List<String[]> raw = new CopyOnWriteArrayList<>();
  public final AtomicInteger writeFailures = new AtomicInteger();
  /** The threads writing {@code then=flood} streams, and how many of those streams have stopped. */
  public final List<Thread> floodWriters = new CopyOnWriteArrayList<>();
  public final AtomicInteger floodsEnded = new AtomicInteger();
  /** Async dispatches back to the servlet: the Last-Event-ID and query they saw. */
  public final List<String> asyncDispatches = new CopyOnWriteArrayList<>();
  private final Set<AsyncContext> held = ConcurrentHashMap.newKeySet();
  private final Object monitor = new Object();
  private volatile int generation;
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "test-app");
    t.setDaemon(true);
    return t;
  });

  /** Ends every held stream, as a server would on deploy: clients reconnect. */
  public void dropAll() {
    synchronized (monitor) {
      generation++;
      monitor.notifyAll();
    }
    for (AsyncContext ac : held) {
      held.remove(ac);
      try {
        ac.complete();
      } catch (IllegalStateException ignored) {
        // already completed
      }
    }
  }

  public void stop() {
    dropAll();
    timer.shutdownNow();
  }

  public int runs() {
    return seen.size();
  }

  private Seen record(HttpServletRequest r) {
    Principal p = r.getUserPrincipal();
    Seen s = new Seen(r.getRequestURI(), r.getHeader("Last-Event-ID"), p == null ? null : p.getName(),
        r.getRemoteUser(), r.getAuthType(), r.getQueryString(), Map.copyOf(r.getParameterMap()),
        r.getAttribute("dev.sseauth.session"), r.getParameter("slt"),
        java.util.Collections.list(r.getHeaderNames()).stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList());
    seen.add(s);
    return s;
  }

  /** The bytes of the events after {@code lastEventId}, in the request's chosen shape. */
  static byte[] events(HttpServletRequest r, int from, int count) {
    String nl = "1".equals(r.getParameter("crlf")) ? "\r\n" : "\n";
    int big = r.getParameter("big") == null ? 0 : Integer.parseInt(r.getParameter("big"));
    return events(nl, big, from, count);
  }

  /** The events {@code from .. from+count-1}: {@code id: n}, {@code data: event n} and {@code big} more bytes. */
  public static byte[] events(String nl, int big, int from, int count) {
    StringBuilder sb = new StringBuilder();
    for (int n = from; n < from + count; n++) {
      sb.append("id: ").append(n).append(nl).append("data: event ").append(n);
      if (big > 0) {
        sb.append(' ').append("x".repeat(big));
      }
      sb.append(nl).append(nl);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static int next(HttpServletRequest r) {
    String last = r.getHeader("Last-Event-ID");
    if (last == null) {
      return 1;
    }
    return last.matches("\\d{1,9}") ? Integer.parseInt(last) + 1 : 100; // not one of ours: start at 100

  }

  static int count(HttpServletRequest r) {
    String c = r.getParameter("count");
    return c == null ? 3 : Integer.parseInt(c);
  }

  /** Writes {@code bytes} through the response's stream or writer, whole or byte by byte, and flushes. */
  static void write(HttpServletRequest r, ServletResponse resp, byte[] bytes) throws IOException {
    boolean split = "1".equals(r.getParameter("split"));
    if ("writer".equals(r.getParameter("style"))) {
      PrintWriter w = resp.getWriter();
      String s = new String(bytes, StandardCharsets.UTF_8);
      if (split) {
        for (int i = 0; i < s.length(); i++) {
          w.write(s.charAt(i));
        }
      } else {
        w.write(s);
      }
      w.flush();
      if (w.checkError()) {
        throw new IOException("writer failed");
      }
    } else {
      ServletOutputStream out = resp.getOutputStream();
      if (split) {
        for (byte b : bytes) {
          out.write(b);
        }
      } else {
        out.write(bytes);
      }
      out.flush();
    }
  }

  private static boolean json(HttpServletRequest r, HttpServletResponse resp) throws IOException {
    if (!"json".equals(r.getParameter("type"))) {
      return false;
    }
    byte[] body = "{\"id\": 7}\nid: 8\n".getBytes(StandardCharsets.UTF_8);
    resp.setContentType("application/json");
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
    return true;
  }

  /** The synchronous SSE servlet: it holds its request thread while the stream is open. */
  public HttpServlet syncServlet() {
    return new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        record(req);
        if (json(req, resp)) {
          return;
        }
        resp.setContentType("text/event-stream");
        resp.setContentLength(12345); // sse-auth must drop it
        int gen = generation;
        try {
          write(req, resp, events(req, next(req), count(req)));
          if ("close".equals(req.getParameter("then"))) {
            return;
          }
          if ("flood".equals(req.getParameter("then"))) {
            flood(req, resp, next(req) + count(req));
            return;
          }
          long hb = req.getParameter("hb") == null ? 0 : Long.parseLong(req.getParameter("hb"));
          while (generation == gen) {
            if (hb > 0) {
              write(req, resp, ":\n".getBytes(StandardCharsets.US_ASCII));
            }
            synchronized (monitor) {
              if (generation == gen) {
                monitor.wait(hb > 0 ? hb : 1000);
              }
            }
          }
        } catch (IOException e) {
          writeFailures.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  /** The async SSE servlet: it returns at once and writes from other threads through its AsyncContext. */
  public HttpServlet asyncServlet() {
    return new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getDispatcherType() == jakarta.servlet.DispatcherType.ASYNC) { // the dispatch back, as Spring MVC does
          asyncDispatches.add(req.getHeader("Last-Event-ID") + "|" + req.getQueryString());
          write(req, resp, "id: done\ndata: dispatched\n\n".getBytes(StandardCharsets.US_ASCII));
          return;
        }
        record(req);
        if (json(req, resp)) {
          return;
        }
        resp.setContentType("text/event-stream");
        AsyncContext ac = req.startAsync();
        ac.setTimeout(0);
        HttpServletRequest areq = (HttpServletRequest) ac.getRequest();
        byte[] bytes = events(areq, next(areq), count(areq));
        boolean close = "close".equals(areq.getParameter("then"));
        long hb = areq.getParameter("hb") == null ? 0 : Long.parseLong(areq.getParameter("hb"));
        timer.execute(() -> {
          try {
            write(areq, ac.getResponse(), bytes);
            if (close) {
              ac.complete();
              return;
            }
            if ("burst".equals(areq.getParameter("then"))) {
              burst(ac, areq, Integer.parseInt(areq.getParameter("threads")));
              return;
            }
            if ("dispatch".equals(areq.getParameter("then"))) {
              ac.dispatch();
              return;
            }
            if ("flood".equals(areq.getParameter("then"))) {
              Thread writer = new Thread(() -> {
                try {
                  flood(areq, ac.getResponse(), next(areq) + count(areq));
                } finally {
                  try {
                    ac.complete();
                  } catch (IllegalStateException ignored) {
                    // already completed
                  }
                }
              }, "flood-writer");
              writer.setDaemon(true);
              writer.start();
              return;
            }
            held.add(ac);
            if (hb > 0) {
              heartbeat(ac, areq, hb);
            }
          } catch (IOException | IllegalStateException e) {
            writeFailures.incrementAndGet();
          }
        });
      }
    };
  }

  /** Writes events {@code from, from+1, ...} until a write fails, as an application feeding a live stream does. */
  private void flood(HttpServletRequest r, ServletResponse resp, int from) {
    floodWriters.add(Thread.currentThread());
    try {
      for (int n = from; ; n++) {
        write(r, resp, events(r, n, 1));
      }
    } catch (IOException | IllegalStateException e) {
      writeFailures.incrementAndGet();
    } finally {
      floodsEnded.incrementAndGet();
    }
  }

  /** Set to end every burst. */
  public volatile boolean stopBursts;

  /** {@code threads} threads write events {@code t-i} concurrently until {@link #stopBursts}; then completes. */
  private void burst(AsyncContext ac, HttpServletRequest areq, int threads) {
    AtomicInteger running = new AtomicInteger(threads);
    for (int t = 0; t < threads; t++) {
      String name = "w" + t;
      Thread th = new Thread(() -> {
        try {
          for (int i = 0; !stopBursts; i++) {
            write(areq, ac.getResponse(), ("id: " + name + "-" + i + "\ndata: " + name + "-" + i + "\n\n")
                .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(1); // paces the writers (not a wait for anything): keeps the burst test short
          }
        } catch (IOException | InterruptedException e) {
          writeFailures.incrementAndGet();
        } finally {
          if (running.decrementAndGet() == 0) {
            ac.complete();
          }
        }
      }, "burst-" + name);
      th.setDaemon(true);
      th.start();
    }
  }

  private void heartbeat(AsyncContext ac, HttpServletRequest areq, long hb) {
    timer.schedule(() -> {
      if (!held.contains(ac)) {
        return;
      }
      try {
        write(areq, ac.getResponse(), ":\n".getBytes(StandardCharsets.US_ASCII));
        heartbeat(ac, areq, hb);
      } catch (IOException | IllegalStateException e) {
        writeFailures.incrementAndGet();
        held.remove(ac);
      }
    }, hb, TimeUnit.MILLISECONDS);
  }

  /** Answers 404 for everything else, so containers run the filter chain on unmapped paths too. */
  public static HttpServlet notFound() {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.sendError(404);
      }
    };
  }

  /** Records the raw request, before sse-auth sees it. */
  public Filter recorder() {
    return new Filter() {
      @Override
      public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest r = (HttpServletRequest) req;
        raw.add(new String[] {r.getRequestURI(), r.getHeader("Last-Event-ID"), r.getQueryString()});
        chain.doFilter(req, res);
      }
    };
  }

  /**
   * Stands in for the application's own authentication (container login, Spring Security): the header
   * {@code X-Test-User} becomes the user principal.
   */
  public static Filter login() {
    return new Filter() {
      @Override
      public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest r = (HttpServletRequest) req;
        String user = r.getHeader("X-Test-User");
        if (user == null) {
          chain.doFilter(req, res);
          return;
        }
        Principal p = () -> user;
        chain.doFilter(new HttpServletRequestWrapper(r) {
          @Override
          public Principal getUserPrincipal() {
            return p;
          }

          @Override
          public String getRemoteUser() {
            return user;
          }
        }, res);
      }
    };
  }
}
