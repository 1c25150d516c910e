package dev.sseauth.demo.internal;

import dev.sseauth.SseAuth;
import dev.sseauth.servlet.PrincipalResolver;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The demo on embedded Jetty 12 with the servlet adapter: {@link SseAuthFilter} in front of plain servlets. */
public final class JettyApp implements AutoCloseable {
  private static final int MAX_BODY = 16 * 1024;

  private final Server server;
  private final ServerConnector connector;

  /** Starts the server on {@code host:port} (port 0 for any). */
  public JettyApp(String host, int port, SseAuth auth, AccessTokens tokens, Feed feed, StaticFiles files) throws Exception {
    // unpooled buffers: Jetty 12.1.14 can hand a rejected request's late bytes to the next connection
    // through its buffer pool (SECURITY.md, "Deployment advice")
    server = new Server(new QueuedThreadPool(), null, ByteBufferPool.NON_POOLING);
    connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    // the existing app's own authentication, for the ticket endpoint
    PrincipalResolver resolver = request -> tokens.principal(request.getHeader("Authorization"));
    FilterHolder filter = new FilterHolder(new SseAuthFilter(auth, resolver));
    filter.setAsyncSupported(true);
    ctx.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder events = new ServletHolder(new EventsServlet(feed));
    events.setAsyncSupported(true);
    ctx.addServlet(events, "/events");
    ctx.addServlet(new ServletHolder(new ApiServlet(new Api(tokens, auth, feed, "Jetty 12 (servlet adapter)"))), "/api/*");
    ctx.addServlet(new ServletHolder(new FilesServlet(files)), "/");
    server.setHandler(ctx);
    server.setStopTimeout(0); // streams never end by themselves: no graceful wait
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
  }

  /** The bound port. */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /**
   * {@code GET /events}: the live feed, resuming after {@code Last-Event-ID}. Plain application code: it
   * never sees a ticket or a token.
   */
  static final class EventsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Feed feed;

    EventsServlet(Feed feed) {
      this.feed = feed;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setStatus(200);
      resp.setContentType("text/event-stream");
      resp.setCharacterEncoding("UTF-8");
      resp.setHeader("Cache-Control", "no-store");
      AsyncContext ac = req.startAsync();
      ac.setTimeout(0);
      Principal p = req.getUserPrincipal();
      ServletStream stream = new ServletStream(p == null ? null : p.getName(), ac, resp.getOutputStream());
      ac.addListener(new AsyncListener() {
        @Override public void onComplete(AsyncEvent event) { stream.gone(feed); }
        @Override public void onTimeout(AsyncEvent event) { stream.gone(feed); }
        @Override public void onError(AsyncEvent event) { stream.gone(feed); }
        @Override public void onStartAsync(AsyncEvent event) { }
      });
      if (stream.send(": welcome\n\n")) {
        feed.subscribe(stream, req.getHeader("Last-Event-ID"));
      }
    }
  }

  private static final class ServletStream implements Feed.Stream {
    private final String user;
    private final AsyncContext ac;
    private final ServletOutputStream out;
    private volatile boolean closed;

    ServletStream(String user, AsyncContext ac, ServletOutputStream out) {
      this.user = user;
      this.ac = ac;
      this.out = out;
    }

    @Override
    public String user() {
      return user;
    }

    @Override
    public synchronized boolean send(String block) {
      if (closed) {
        return false;
      }
      try {
        out.write(block.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return true;
      } catch (IOException | IllegalStateException e) {
        closed = true;
        complete();
        return false;
      }
    }

    @Override
    public synchronized void drop() {
      closed = true;
      complete();
    }

    void gone(Feed feed) { // not synchronized: the adapter may complete the response while a send waits
      closed = true;
      feed.unsubscribe(this);
    }

    private void complete() {
      try {
        ac.complete();
      } catch (IllegalStateException e) {
        // already completed
      }
    }
  }

  /** {@code /api/*}: the JSON API. */
  static final class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Api api;

    ApiServlet(Api api) {
      this.api = api;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = req.getInputStream().readNBytes(MAX_BODY + 1);
      Api.Reply r;
      if (body.length > MAX_BODY) {
        r = new Api.Reply(413, "{\"error\":\"request body too large\"}");
      } else {
        try {
          r = api.handle(req.getMethod(), req.getRequestURI(), req.getHeader("Authorization"),
              new String(body, StandardCharsets.UTF_8)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          r = new Api.Reply(503, "{\"error\":\"try again\"}");
        }
      }
      resp.setStatus(r.status());
      resp.setContentType("application/json");
      resp.setCharacterEncoding("UTF-8");
      resp.setHeader("Cache-Control", "no-store");
      if (r.challenge()) {
        resp.setHeader("WWW-Authenticate", "Bearer realm=\"sse-auth-demo\"");
      }
      resp.getOutputStream().write(r.json().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Everything else: the page and its assets. */
  static final class FilesServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient StaticFiles files;

    FilesServlet(StaticFiles files) {
      this.files = files;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      StaticFiles.File f = files.get(req.getRequestURI());
      if (f == null) {
        resp.sendError(404);
        return;
      }
      resp.setContentType(f.contentType());
      resp.setHeader("Cache-Control", "no-cache");
      resp.setContentLength(f.bytes().length);
      resp.getOutputStream().write(f.bytes());
    }
  }
}
