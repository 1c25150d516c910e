package dev.sseauth.servlet.internal;

import jakarta.servlet.ServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;

/** Jetty 12's side of {@link Connections}: loaded only when Jetty's classes are there. Stateless. */
final class JettyConnection {
  private JettyConnection() {}

  /** Closes the HTTP/1.1 connection of {@code request}; null for another protocol or a request not Jetty's. */
  static Runnable closer(ServletRequest request) {
    ServletContextRequest r = ServletContextRequest.getServletContextRequest(request);
    if (r == null) {
      return null;
    }
    ConnectionMetaData md = r.getConnectionMetaData();
    if (md.getHttpVersion() != HttpVersion.HTTP_1_1) {
      return null; // HTTP/1.0 closes after every stream anyway; HTTP/2 streams do not share a request queue
    }
    EndPoint endPoint = md.getConnection().getEndPoint();
    return endPoint::close;
  }
}
