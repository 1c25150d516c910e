package dev.sseauth.benchmarks.load;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Embedded Tomcat 11 (NIO, Spring Boot's default container) serving the {@link ServletApp} in one
 * {@link Variant}: default settings but an accept queue of 4,096 (as the other servers), room for
 * 20,000 connections (the default 8,192 is below the 10,000 held streams of the heap measurement) and a
 * 10-minute connection timeout (as Jetty's idle timeout). Keep-alive stays at Tomcat's default of 100
 * requests per connection, for every variant.
 */
final class TomcatLoadServer implements AutoCloseable {
  /** Tomcat logs its start and stop at INFO through java.util.logging: warnings and errors only. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING);
  }

  private final Tomcat tomcat;
  private final ServletApp app;
  private final int port;

  TomcatLoadServer(Variant variant) throws Exception {
    tomcat = new Tomcat();
    File dir = Files.createTempDirectory("sse-auth-bench-tomcat").toFile();
    dir.deleteOnExit();
    tomcat.setBaseDir(dir.getAbsolutePath());
    tomcat.setHostname("127.0.0.1");
    CuttableProtocol protocol = new CuttableProtocol();
    Connector connector = new Connector(protocol);
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("acceptCount", "4096");
    connector.setProperty("maxConnections", "20000");
    connector.setProperty("connectionTimeout", "600000");
    tomcat.setConnector(connector);
    Context ctx = tomcat.addContext("", dir.getAbsolutePath());
    if (ctx instanceof StandardContext sc) { // no leak detection at stop: its warnings are noise here
      sc.setClearReferencesThreadLocals(false);
      sc.setClearReferencesRmiTargets(false);
    }
    app = new ServletApp(variant);
    if (app.filter() != null) {
      FilterDef fd = new FilterDef();
      fd.setFilterName("guard");
      fd.setFilter(app.filter());
      fd.setAsyncSupported("true");
      ctx.addFilterDef(fd);
      FilterMap fm = new FilterMap();
      fm.setFilterName("guard");
      fm.addURLPattern("/*");
      fm.setDispatcher("REQUEST");
      ctx.addFilterMap(fm);
    }
    Wrapper events = Tomcat.addServlet(ctx, "events", app.events());
    events.setAsyncSupported(true);
    ctx.addServletMappingDecoded("/events", "events");
    Tomcat.addServlet(ctx, "admin", app.admin());
    ctx.addServletMappingDecoded("/admin/*", "admin");
    Tomcat.addServlet(ctx, "default", app.notFound());
    ctx.addServletMappingDecoded("/", "default");
    tomcat.start();
    if (ctx.getState() != LifecycleState.STARTED) {
      close();
      throw new IllegalStateException("the Tomcat context failed to start");
    }
    port = connector.getLocalPort();
    app.cutter(protocol::cutAllBut);
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    app.close();
  }

  /**
   * Tomcat's NIO protocol, with a way to close every connection at once: each one gets Tomcat's own
   * error event, so that an async request in it is ended the way a broken connection ends it (its
   * listeners told, its processor released) and the connection closed; a plain close of the socket
   * would leave held requests' processors behind.
   */
  static final class CuttableProtocol extends Http11NioProtocol {
    int cutAllBut(int keepRemotePort) {
      return cut(getEndpoint(), keepRemotePort);
    }

    private static <S> int cut(AbstractEndpoint<S, ?> endpoint, int keepRemotePort) {
      int closed = 0;
      for (SocketWrapperBase<S> w : List.copyOf(endpoint.getConnections())) { // those open now
        if (w.getRemotePort() == keepRemotePort) {
          continue;
        }
        if (!endpoint.processSocket(w, SocketEvent.ERROR, true)) {
          w.close();
        }
        closed++;
      }
      return closed;
    }
  }
}
