package dev.sseauth.security;

/** Fuzzing sse-auth on embedded Jetty. */
class JettyFuzzTest extends FuzzSuite {
  @Override
  Target kind() {
    return Target.JETTY;
  }
}
