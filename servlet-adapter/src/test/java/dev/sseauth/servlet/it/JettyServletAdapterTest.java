package dev.sseauth.servlet.it;

/** The scenarios on embedded Jetty 12 (ee10). */
class JettyServletAdapterTest extends ServletAdapterScenarios {
  @Override
  TestServer start(TestServer.Deployment d) throws Exception {
    return new JettyServer(d);
  }
}
