/**
 * sse-auth's servlet adapter: {@link dev.sseauth.servlet.SseAuthFilter} guards event streams and serves
 * the ticket endpoint on any Jakarta Servlet 6 container. Its internals are not exported.
 */
module dev.sseauth.servlet {
  requires transitive dev.sseauth.core;
  requires transitive jakarta.servlet;
  // Jetty, when the application runs on it: sse-auth can then close a connection itself (Connections)
  requires static org.eclipse.jetty.ee10.servlet;
  requires static org.eclipse.jetty.server;
  requires static org.eclipse.jetty.http;
  requires static org.eclipse.jetty.io;

  exports dev.sseauth.servlet;
}
