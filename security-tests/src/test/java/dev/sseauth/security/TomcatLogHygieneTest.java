package dev.sseauth.security;

/** Log hygiene of sse-auth on embedded Tomcat. */
class TomcatLogHygieneTest extends LogHygieneSuite {
  @Override
  TargetServer.Kind kind() {
    return TargetServer.Kind.TOMCAT;
  }
}
