package dev.sseauth.security;

/** Log hygiene of sse-auth on embedded Netty. */
class NettyLogHygieneTest extends LogHygieneSuite {
  @Override
  Target kind() {
    return Target.NETTY;
  }
}
