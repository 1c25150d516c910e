package dev.sseauth.servlet.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A client that sends a stream request and then never reads: a small receive buffer fills at once, so
 * the server's writes to it soon block. Closing it resets the connection.
 */
final class StalledClient implements AutoCloseable {
  private final Socket socket = new Socket();

  StalledClient(URI base, String pathAndQuery) throws IOException {
    socket.setReceiveBufferSize(1024); // before connecting, so the advertised window stays small
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
    socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost()
        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** Resets the connection (unread data is discarded): the server's blocked write fails. */
  @Override
  public void close() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }
}
