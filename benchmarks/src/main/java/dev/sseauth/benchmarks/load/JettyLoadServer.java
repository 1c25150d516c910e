package dev.sseauth.benchmarks.load;

import jakarta.servlet.DispatcherType;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 (ee10) serving the {@link ServletApp} in one {@link Variant}: default settings but
 * an accept queue of 4,096 (as the other servers) and a 10-minute idle timeout (held streams are idle
 * between events for longer than the default 30 seconds while thousands are opened).
 */
final class JettyLoadServer implements AutoCloseable {
  private final Server server;
  private final ServletApp app;
  private final int port;

  JettyLoadServer(Variant variant) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptQueueSize(4096);
    connector.setIdleTimeout(600_000);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    app = new ServletApp(variant);
    if (app.filter() != null) {
      FilterHolder fh = new FilterHolder(app.filter());
      fh.setAsyncSupported(true);
      ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    ServletHolder events = new ServletHolder(app.events());
    events.setAsyncSupported(true);
    ctx.addServlet(events, "/events");
    ctx.addServlet(new ServletHolder(app.admin()), "/admin/*");
    ctx.addServlet(new ServletHolder(app.notFound()), "/");
    server.setHandler(ctx);
    server.start();
    port = connector.getLocalPort();
    app.cutter(keep -> {
      int closed = 0;
      for (EndPoint ep : List.copyOf(connector.getConnectedEndPoints())) { // those open now, not those opened meanwhile
        SocketAddress remote = ep.getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress a && a.getPort() == keep) {
          continue;
        }
        ep.close();
        closed++;
      }
      return closed;
    });
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    server.stop();
    app.close();
  }
}
