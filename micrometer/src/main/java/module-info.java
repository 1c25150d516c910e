/** sse-auth's meters in a Micrometer registry: {@link dev.sseauth.micrometer.SseAuthMetrics}. */
module dev.sseauth.micrometer {
  requires transitive dev.sseauth.core;
  requires transitive micrometer.core;

  exports dev.sseauth.micrometer;
}
