package dev.sseauth.security;

/** Fuzzing sse-auth on embedded Tomcat. */
class TomcatFuzzTest extends FuzzSuite {
  @Override
  Target kind() {
    return Target.TOMCAT;
  }
}
