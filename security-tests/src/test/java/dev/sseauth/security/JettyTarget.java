package dev.sseauth.security;

import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 (ee10), default compliance modes: {@link SseAuthFilter} on {@code /*}, the
 * application servlet on {@code /*} (so any path that slips past the guard reaches the application).
 * Tickets go to the user named by the {@code X-Test-User} header (the application's own login).
 */
final class JettyTarget implements TargetServer {
  private final Server server;
  private final int port;

  JettyTarget(SseAuth auth, GuardedApp app) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
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
