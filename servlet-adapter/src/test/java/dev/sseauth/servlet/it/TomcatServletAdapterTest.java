package dev.sseauth.servlet.it;

/** The scenarios on embedded Tomcat 11. */
class TomcatServletAdapterTest extends ServletAdapterScenarios {
  @Override
  TestServer start(TestServer.Deployment d) throws Exception {
    return new TomcatServer(d);
  }
}
