package dev.sseauth.security;

/** The attack suite against sse-auth on embedded Jetty. */
class JettyAttackTest extends AttackSuite {
  @Override
  Target kind() {
    return Target.JETTY;
  }
}
