package dev.sseauth.security;

/** Fuzzing sse-auth on Spring WebFlux (Reactor Netty). */
class WebFluxFuzzTest extends FuzzSuite {
  @Override
  Target kind() {
    return Target.WEBFLUX;
  }
}
