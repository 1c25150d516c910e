package dev.sseauth.servlet.it;

import dev.sseauth.testing.fixtures.ServletServer;
import dev.sseauth.testing.fixtures.TomcatServer;

/** The scenarios on embedded Tomcat 11. */
class TomcatServletAdapterTest extends ServletAdapterScenarios {
  @Override
  ServletServer start(ServletServer.Deployment d) throws Exception {
    return new TomcatServer(d);
  }

  @Override
  boolean closesConnectionsItself() {
    return false;
  }
}
