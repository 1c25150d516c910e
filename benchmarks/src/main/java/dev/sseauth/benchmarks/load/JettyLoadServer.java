package dev.sseauth.benchmarks.load;

import dev.sseauth.SseAuth;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.DispatcherType;
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
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12 (ee10) serving the load endpoint in one {@link Variant}. */
final class JettyLoadServer implements AutoCloseable {
  private final Server server;
  private final SseAuth auth;
  private final int port;

  JettyLoadServer(Variant variant) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptQueueSize(4096);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    auth = variant == Variant.SSEAUTH ? LoadServer.sseAuth() : null;
    Filter filter = switch (variant) {
      case SSEAUTH -> new SseAuthFilter(auth);
      case JWT_QUERY -> new JwtQueryFilter();
      case UNGUARDED -> null;
    };
    if (filter != null) {
      FilterHolder fh = new FilterHolder(filter);
      fh.setAsyncSupported(true);
      ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    ServletHolder events = new ServletHolder(new EventsServlet());
    events.setAsyncSupported(true);
    ctx.addServlet(events, "/events");
    ctx.addServlet(new ServletHolder(new HeapServlet()), "/admin/heap");
    server.setHandler(ctx);
    server.start();
    port = connector.getLocalPort();
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    server.stop();
    if (auth != null) {
      auth.close();
    }
  }

  /** The application: N events, each flushed, then the response ends. */
  static final class EventsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      int n = Wire.intParam(req.getQueryString(), "n", 1);
      resp.setStatus(200);
      resp.setContentType("text/event-stream");
      resp.setHeader("Cache-Control", "no-cache");
      // async=1: the same writes inside an AsyncContext (the adapter then keeps the connection alive)
      jakarta.servlet.AsyncContext async = "1".equals(Wire.param(req.getQueryString(), "async")) ? req.startAsync() : null;
      ServletOutputStream out = resp.getOutputStream();
      for (int i = 0; i < n; i++) {
        out.write(Wire.event(i));
        out.flush();
      }
      if (async != null) {
        async.complete();
      }
    }
  }

  static final class HeapServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("application/json");
      resp.getOutputStream().write(LoadServer.heapJson(0).getBytes(StandardCharsets.US_ASCII));
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
