package dev.sseauth.security;

import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty 12 (ee10), default compliance modes, unpooled buffers ({@link #bufferPool()}):
 * {@link SseAuthFilter} on {@code /*}, the application servlet on {@code /*} (so any path that slips
 * past the guard reaches the application).
 * Tickets go to the user named by the {@code X-Test-User} header (the application's own login).
 */
final class JettyTarget implements TargetServer {
  private final Server server;
  private final ServerConnector connector;
  private final int port;

  JettyTarget(SseAuth auth, GuardedApp app) throws Exception {
    this(auth, app, new QueuedThreadPool(), bufferPool());
  }

  /**
   * The same server on the given thread pool and buffer pool, for a test that instruments Jetty
   * ({@link JettyRejectedConnectionTest}); every other test uses the two-argument constructor.
   */
  JettyTarget(SseAuth auth, GuardedApp app, QueuedThreadPool threads, ByteBufferPool buffers) throws Exception {
    server = new Server(threads, null, buffers);
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    FilterHolder fh = new FilterHolder(new SseAuthFilter(auth, r -> {
      String user = r.getHeader("X-Test-User");
      return user == null ? null : SsePrincipal.of(user);
    }));
    fh.setAsyncSupported(true);
    ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder sh = new ServletHolder(app.servlet());
    sh.setAsyncSupported(true);
    ctx.addServlet(sh, "/*");
    server.setHandler(ctx);
    server.start();
    port = connector.getLocalPort();
  }

  /**
   * The buffer pool of every Jetty target: none. Jetty 12.1.14 can still write into a request buffer
   * after a connection whose request its parser rejected has given the buffer back (see
   * {@link JettyRejectedConnectionTest}); with a pooling pool the next connection that takes the buffer
   * parses the rejected request's bytes as the start of its own, which made a later, unrelated request of
   * an attack test fail with 431. Unpooled, a late write lands in a buffer no one else will use.
   */
  static ByteBufferPool bufferPool() {
    return ByteBufferPool.NON_POOLING;
  }

  /** The connector on 127.0.0.1. */
  ServerConnector connector() {
    return connector;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String name() {
    return "jetty";
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
