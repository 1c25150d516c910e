package dev.sseauth.servlet.it;

import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12 (ee10). */
public final class JettyServer implements TestServer {
  private final Server server;
  private final URI base;
  private final jakarta.servlet.ServletContext servletContext;

  public JettyServer(Deployment d) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    if (d.idleTimeoutOff) {
      connector.setIdleTimeout(0); // zero or less disables it, blocked writes included
    }
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath(d.contextPath.isEmpty() ? "/" : d.contextPath);
    for (var e : d.filters.entrySet()) {
      FilterHolder fh = new FilterHolder(e.getValue());
      fh.setName(e.getKey());
      fh.setAsyncSupported(true);
      for (Map.Entry<String, String> p : d.filterParams.getOrDefault(e.getKey(), Map.of()).entrySet()) {
        fh.setInitParameter(p.getKey(), p.getValue());
      }
      ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    }
    for (var e : d.servlets.entrySet()) {
      ServletHolder sh = new ServletHolder(e.getValue());
      sh.setAsyncSupported(true);
      ctx.addServlet(sh, e.getKey());
    }
    server.setHandler(ctx);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    servletContext = ctx.getServletContext();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  @Override
  public URI base() {
    return base;
  }

  @Override
  public Object contextAttribute(String name) {
    return servletContext.getAttribute(name);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
