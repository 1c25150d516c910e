package dev.sseauth.servlet.it;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** Embedded Tomcat 11. */
public final class TomcatServer implements TestServer {
  private final Tomcat tomcat;
  private final URI base;
  private final jakarta.servlet.ServletContext servletContext;

  public TomcatServer(Deployment d) throws Exception {
    tomcat = new Tomcat();
    File dir = Files.createTempDirectory("tomcat").toFile();
    tomcat.setBaseDir(dir.getAbsolutePath());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    if (d.idleTimeoutOff) {
      tomcat.getConnector().setProperty("connectionTimeout", "-1"); // the read and write timeout: infinite
      tomcat.getConnector().setAsyncTimeout(0);
    }
    Context ctx = tomcat.addContext(d.contextPath, dir.getAbsolutePath());
    for (var e : d.filters.entrySet()) {
      FilterDef fd = new FilterDef();
      fd.setFilterName(e.getKey());
      fd.setFilter(e.getValue());
      fd.setAsyncSupported("true");
      for (Map.Entry<String, String> p : d.filterParams.getOrDefault(e.getKey(), Map.of()).entrySet()) {
        fd.addInitParameter(p.getKey(), p.getValue());
      }
      ctx.addFilterDef(fd);
      FilterMap fm = new FilterMap();
      fm.setFilterName(e.getKey());
      fm.addURLPattern("/*");
      fm.setDispatcher("REQUEST");
      fm.setDispatcher("ASYNC");
      ctx.addFilterMap(fm);
    }
    int i = 0;
    for (var e : d.servlets.entrySet()) {
      String name = "servlet" + i++;
      Wrapper w = Tomcat.addServlet(ctx, name, e.getValue());
      w.setAsyncSupported(true);
      ctx.addServletMappingDecoded(e.getKey(), name);
    }
    tomcat.start();
    if (ctx.getState() != LifecycleState.STARTED) {
      tomcat.stop();
      tomcat.destroy();
      throw new IllegalStateException("the Tomcat context failed to start");
    }
    servletContext = ctx.getServletContext();
    base = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort());
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
    tomcat.stop();
    tomcat.destroy();
  }
}
