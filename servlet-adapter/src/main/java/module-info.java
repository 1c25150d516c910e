/**
 * sse-auth's servlet adapter: {@link dev.sseauth.servlet.SseAuthFilter} guards event streams and serves
 * the ticket endpoint on any Jakarta Servlet 6 container. Its internals are not exported.
 */
module dev.sseauth.servlet {
  requires transitive dev.sseauth.core;
  requires transitive jakarta.servlet;

  exports dev.sseauth.servlet;
}
