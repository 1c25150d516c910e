package dev.sseauth.security;

/** Log hygiene of sse-auth on embedded Jetty. */
class JettyLogHygieneTest extends LogHygieneSuite {
  @Override
  Target kind() {
    return Target.JETTY;
  }
}
