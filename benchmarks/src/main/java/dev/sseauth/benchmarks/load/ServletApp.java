package dev.sseauth.benchmarks.load;

import dev.sseauth.SseAuth;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the servlet servers (Jetty, Tomcat) deploy, identical on both: the application servlet
 * ({@code /events}), the admin servlet ({@code /admin/heap}, {@code /admin/cut}) and, per
 * {@link Variant}, the filter in front of them. See {@link LoadServer} for the endpoints.
 */
final class ServletApp implements AutoCloseable {
  private final AtomicInteger held = new AtomicInteger();
  private final Set<AsyncContext> holding = ConcurrentHashMap.newKeySet();
  private final SseAuth auth;
  private final Filter filter;
  private volatile LoadServer.Cutter cutter = keep -> 0;

  ServletApp(Variant variant) {
    auth = variant == Variant.SSEAUTH ? LoadServer.sseAuth() : null;
    filter = switch (variant) {
      case SSEAUTH -> new SseAuthFilter(auth);
      case JWT_QUERY -> new JwtQueryFilter();
      case UNGUARDED -> null;
    };
  }

  /** The filter in front of everything ({@code /*}, async-supported), or null for none. */
  Filter filter() {
    return filter;
  }

  HttpServlet events() {
    return new EventsServlet(held, holding);
  }

  HttpServlet admin() {
    return new AdminServlet(this);
  }

  /**
   * The servlet mapped to {@code /}: 404 for anything else. As in a Spring MVC application (its
   * dispatcher servlet), every path has a servlet, so the filter runs for sse-auth's ticket path too
   * (Tomcat answers a path without one with 404 before any filter).
   */
  HttpServlet notFound() {
    return new NotFoundServlet();
  }

  /** Sets how {@code /admin/cut} closes the server's connections (the server knows them, the servlet does not). */
  void cutter(LoadServer.Cutter c) {
    cutter = c;
  }

  /**
   * {@code /admin/cut}: closes every connection but the caller's, then completes the held streams of the
   * closed connections that the server has not ended by itself. Jetty does not tell an idle async request
   * that its connection was closed (a real application notices at its next write, a restart loses the
   * state anyway); completing them frees the server's and sse-auth's state for those streams, as the
   * restart it stands for would.
   */
  int cut(int keepRemotePort) {
    List<AsyncContext> before = List.copyOf(holding);
    int closed = cutter.cutAllBut(keepRemotePort);
    for (AsyncContext ac : before) { // held streams only: never the caller's request
      if (!holding.contains(ac)) {
        continue;
      }
      try {
        ac.complete();
      } catch (IllegalStateException e) {
        // ended meanwhile
      }
    }
    return closed;
  }

  @Override
  public void close() {
    if (auth != null) {
      auth.close();
    }
  }

  /** The application: N events, each flushed, then the response ends (or, with {@code hold=1}, stays open). */
  static final class EventsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient AtomicInteger held;
    private final transient Set<AsyncContext> holding;

    EventsServlet(AtomicInteger held, Set<AsyncContext> holding) {
      this.held = held;
      this.holding = holding;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String q = req.getQueryString();
      int n = Wire.intParam(q, "n", 1);
      boolean hold = "1".equals(Wire.param(q, "hold"));
      resp.setStatus(200);
      resp.setContentType("text/event-stream");
      resp.setHeader("Cache-Control", "no-cache");
      // async=1: the same writes inside an AsyncContext (the adapter then keeps the connection alive)
      AsyncContext async = hold || "1".equals(Wire.param(q, "async")) ? req.startAsync() : null;
      if (hold) {
        async.setTimeout(0);
        held.incrementAndGet();
        holding.add(async);
        async.addListener(new Release(held, holding, async));
      }
      ServletOutputStream out = resp.getOutputStream();
      if (hold) {
        byte[] retry = LoadServer.retryEvent();
        if (retry.length > 0) {
          out.write(retry);
        }
      }
      for (int i = 0; i < n; i++) {
        out.write(Wire.event(i));
        out.flush();
      }
      if (async != null && !hold) {
        async.complete();
      }
    }
  }

  /** Counts a held stream down once, whichever way it ends. */
  static final class Release implements AsyncListener {
    private final AtomicInteger held;
    private final Set<AsyncContext> holding;
    private final AsyncContext context;
    private final AtomicBoolean done = new AtomicBoolean();

    Release(AtomicInteger held, Set<AsyncContext> holding, AsyncContext context) {
      this.held = held;
      this.holding = holding;
      this.context = context;
    }

    private void release() {
      if (done.compareAndSet(false, true)) {
        holding.remove(context);
        held.decrementAndGet();
      }
    }

    @Override
    public void onComplete(AsyncEvent event) {
      release();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      release();
      complete(event);
    }

    @Override
    public void onError(AsyncEvent event) {
      release();
      complete(event);
    }

    private static void complete(AsyncEvent event) {
      try {
        event.getAsyncContext().complete();
      } catch (IllegalStateException e) {
        // completed already (a cut completes held streams while the server may be failing them)
      }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }

  static final class NotFoundServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.sendError(404);
    }
  }

  /** {@code /admin/heap}, {@code /admin/count} and {@code /admin/cut}. */
  static final class AdminServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient ServletApp app;

    AdminServlet(ServletApp app) {
      this.app = app;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String json = switch (req.getRequestURI()) {
        case "/admin/heap" -> LoadServer.heapJson(app.held.get(), app.auth);
        case "/admin/count" -> LoadServer.countJson(app.held.get(), app.auth);
        case "/admin/cut" -> LoadServer.cutJson(app.cut(req.getRemotePort()));
        default -> null;
      };
      if (json == null) {
        resp.sendError(404);
        return;
      }
      resp.setContentType("application/json");
      resp.getOutputStream().write(json.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** The common alternative: a bearer filter reading {@code ?access_token=<JWT>}. */
  static final class JwtQueryFilter implements Filter {
    private final Wire.QueryJwtVerifier verifier = new Wire.QueryJwtVerifier();

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      if ("/events".equals(request.getRequestURI()) && verifier.subject(request.getQueryString()) == null) {
        HttpServletResponse response = (HttpServletResponse) res;
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", "Bearer");
        response.setHeader("Cache-Control", "no-store");
        return;
      }
      chain.doFilter(req, res);
    }
  }
}
