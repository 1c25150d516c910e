package dev.sseauth.security;

/** Fuzzing sse-auth on embedded Netty. */
class NettyFuzzTest extends FuzzSuite {
  @Override
  TargetServer.Kind kind() {
    return TargetServer.Kind.NETTY;
  }
}
