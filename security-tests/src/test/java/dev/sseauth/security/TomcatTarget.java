package dev.sseauth.security;

import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.servlet.SseAuthFilter;
import java.io.File;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** Embedded Tomcat 11, default settings, laid out like {@link JettyTarget}. */
final class TomcatTarget implements TargetServer {
  private final Tomcat tomcat;
  private final int port;

  TomcatTarget(SseAuth auth, GuardedApp app) throws Exception {
    tomcat = new Tomcat();
    File dir = Files.createTempDirectory("sse-auth-tomcat").toFile();
    dir.deleteOnExit();
    tomcat.setBaseDir(dir.getAbsolutePath());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context ctx = tomcat.addContext("", dir.getAbsolutePath());
    FilterDef fd = new FilterDef();
    fd.setFilterName("sse-auth");
    fd.setFilter(new SseAuthFilter(auth, r -> {
      String user = r.getHeader("X-Test-User");
      return user == null ? null : SsePrincipal.of(user);
    }));
    fd.setAsyncSupported("true");
    ctx.addFilterDef(fd);
    FilterMap fm = new FilterMap();
    fm.setFilterName("sse-auth");
    fm.addURLPattern("/*");
    ctx.addFilterMap(fm);
    Wrapper w = Tomcat.addServlet(ctx, "app", app.servlet());
    w.setAsyncSupported(true);
    ctx.addServletMappingDecoded("/*", "app");
    tomcat.start();
    if (ctx.getState() != LifecycleState.STARTED) {
      close();
      throw new IllegalStateException("the Tomcat context failed to start");
    }
    port = tomcat.getConnector().getLocalPort();
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String name() {
    return "tomcat";
  }

  @Override
  public void close() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }
}
