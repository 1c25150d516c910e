package dev.sseauth.security;

/** Log hygiene of sse-auth on embedded Tomcat. */
class TomcatLogHygieneTest extends LogHygieneSuite {
  @Override
  Target kind() {
    return Target.TOMCAT;
  }
}
