package dev.sseauth.servlet.internal;

import jakarta.servlet.ServletRequest;

/**
 * Closing a request's connection at once, from any thread, where the container offers a way: Jetty 12
 * (ee10) over HTTP/1.1 does. The servlet API has no way: once a response is committed, a connection whose
 * request thread the application still holds stays open until that thread returns, and a request the
 * client sends on it meanwhile waits. So a synchronous stream keeps its keep-alive connection only where
 * sse-auth can close that connection itself when it ends the stream (revocation, expiry); elsewhere it is
 * sent with {@code Connection: close}. Stateless.
 */
final class Connections {
  private static final boolean JETTY = present("org.eclipse.jetty.ee10.servlet.ServletContextRequest");

  private Connections() {}

  /**
   * How to close {@code request}'s connection at once, from any thread; null if the container gives no
   * way (not Jetty, a Jetty whose classes the application cannot see, HTTP/1.0 or HTTP/2).
   */
  static Runnable closer(ServletRequest request) {
    if (!JETTY) {
      return null;
    }
    try {
      return JettyConnection.closer(request);
    } catch (RuntimeException | LinkageError e) {
      return null; // a Jetty unlike the one this was built against: the portable way then
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Connections.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
