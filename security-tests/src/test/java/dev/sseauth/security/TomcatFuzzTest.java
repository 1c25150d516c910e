package dev.sseauth.security;

/** Fuzzing sse-auth on embedded Tomcat. */
class TomcatFuzzTest extends FuzzSuite {
  @Override
  TargetServer.Kind kind() {
    return TargetServer.Kind.TOMCAT;
  }
}
