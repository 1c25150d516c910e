package dev.sseauth.security;

/** Log hygiene of sse-auth on Spring WebFlux (Reactor Netty). */
class WebFluxLogHygieneTest extends LogHygieneSuite {
  @Override
  Target kind() {
    return Target.WEBFLUX;
  }
}
