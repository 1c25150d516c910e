package dev.sseauth.security;

/** The attack suite against sse-auth on embedded Netty. */
class NettyAttackTest extends AttackSuite {
  @Override
  TargetServer.Kind kind() {
    return TargetServer.Kind.NETTY;
  }
}
