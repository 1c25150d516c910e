package dev.sseauth.security;

/** The attack suite against sse-auth on Spring WebFlux (Reactor Netty). */
class WebFluxAttackTest extends AttackSuite {
  @Override
  Target kind() {
    return Target.WEBFLUX;
  }
}
