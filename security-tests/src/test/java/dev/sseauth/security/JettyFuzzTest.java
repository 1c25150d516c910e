package dev.sseauth.security;

/** Fuzzing sse-auth on embedded Jetty. */
class JettyFuzzTest extends FuzzSuite {
  @Override
  TargetServer.Kind kind() {
    return TargetServer.Kind.JETTY;
  }
}
