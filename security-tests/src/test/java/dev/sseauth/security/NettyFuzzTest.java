package dev.sseauth.security;

/** Fuzzing sse-auth on embedded Netty. */
class NettyFuzzTest extends FuzzSuite {
  @Override
  Target kind() {
    return Target.NETTY;
  }
}
