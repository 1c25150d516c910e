package dev.sseauth.security;

/** The attack suite against sse-auth on embedded Tomcat. */
class TomcatAttackTest extends AttackSuite {
  @Override
  Target kind() {
    return Target.TOMCAT;
  }
}
