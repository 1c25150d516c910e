/**
 * sse-auth's Spring WebFlux adapter: {@link dev.sseauth.webflux.SseAuthWebFilter} serves the ticket
 * endpoint and guards event streams. Its internals are not exported.
 */
module dev.sseauth.webflux {
  requires transitive dev.sseauth.core;
  requires transitive spring.web;
  requires transitive reactor.core;
  requires transitive org.reactivestreams;
  requires spring.core;

  exports dev.sseauth.webflux;
}
