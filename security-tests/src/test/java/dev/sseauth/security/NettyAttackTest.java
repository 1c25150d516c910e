package dev.sseauth.security;

/** The attack suite against sse-auth on embedded Netty. */
class NettyAttackTest extends AttackSuite {
  @Override
  Target kind() {
    return Target.NETTY;
  }
}
