/**
 * Redacts sse-auth tickets from Jetty's and Tomcat's access logs ({@code slt=***}). Both servers are
 * optional: use the class for the server you run. Separate from the servlet adapter because Tomcat's
 * jar carries the servlet API itself, so one module cannot read both.
 */
module dev.sseauth.accesslog {
  requires transitive dev.sseauth.core;
  requires static org.apache.tomcat.embed.core;
  requires static org.eclipse.jetty.server;
  requires static org.eclipse.jetty.util;

  exports dev.sseauth.accesslog;
}
