package dev.sseauth.servlet.it;

import dev.sseauth.testing.fixtures.JettyServer;
import dev.sseauth.testing.fixtures.ServletServer;

/** The scenarios on embedded Jetty 12 (ee10). */
class JettyServletAdapterTest extends ServletAdapterScenarios {
  @Override
  ServletServer start(ServletServer.Deployment d) throws Exception {
    return new JettyServer(d);
  }

  @Override
  boolean closesConnectionsItself() {
    return true;
  }
}
