package dev.sseauth.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 client connection over a plain socket, for the rate measurements: one
 * request at a time, keep-alive reused until the server closes or says {@code Connection: close}, bodies
 * with {@code Content-Length}, chunked or delimited by the close. It costs the client a few system calls
 * per request, far less CPU than {@code java.net.http}, so that with the client pinned to one core the
 * server (pinned to another) sets the pace. Not thread-safe: one per worker.
 */
final class RawHttp implements Closeable {
  /** Receives a response body as it is decoded. */
  interface Body {
    void accept(byte[] b, int off, int len);
  }

  /** TCP connections opened by every instance in this process (a server that ends keep-alive shows here). */
  static final java.util.concurrent.atomic.AtomicLong CONNECTIONS = new java.util.concurrent.atomic.AtomicLong();
  private final InetSocketAddress address;
  private final String host;
  private final byte[] buf = new byte[8192];
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private boolean answered;

  RawHttp(int port) {
    this.address = new InetSocketAddress("127.0.0.1", port);
    this.host = "127.0.0.1:" + port;
  }

  /**
   * Sends {@code method target} with {@code headers} (each {@code "Name: value"}; {@code Host} and, for
   * POST, {@code Content-Length: 0} are added) and reads the whole response, the body into {@code body};
   * the status. A request on a reused connection that the server had closed is sent once more on a new one.
   *
   * @throws IOException if the connection fails or the response is malformed
   */
  int exchange(String method, String target, Body body, String... headers) throws IOException {
    boolean reused = socket != null;
    answered = false;
    try {
      return exchangeOnce(method, target, body, headers);
    } catch (IOException e) {
      close();
      if (!reused || answered) {
        throw e;
      }
      return exchangeOnce(method, target, body, headers); // the server had closed the idle keep-alive connection
    }
  }

  private int exchangeOnce(String method, String target, Body body, String... headers) throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(address, 10_000);
      CONNECTIONS.incrementAndGet();
      socket.setSoTimeout(60_000);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
    }
    StringBuilder req = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
        .append(host).append("\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    if (method.equals("POST")) {
      req.append("Content-Length: 0\r\n");
    }
    req.append("\r\n");
    out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    String status = line();
    if (status == null) {
      throw new EOFException("connection closed before the response");
    }
    answered = true;
    if (!status.startsWith("HTTP/1.") || status.length() < 12) {
      throw new IOException("not an HTTP response: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = status.startsWith("HTTP/1.0");
    for (String h = line(); ; h = line()) {
      if (h == null) {
        throw new EOFException("connection closed in the response head");
      }
      if (h.isEmpty()) {
        break;
      }
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> close = value.contains("close") || close;
        default -> { }
      }
    }
    if (method.equals("HEAD") || code == 204 || code == 304) {
      length = 0;
    }
    if (chunked) {
      while (true) {
        String size = line();
        if (size == null) {
          throw new EOFException("connection closed in a chunked body");
        }
        int semi = size.indexOf(';');
        long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          for (String t = line(); t != null && !t.isEmpty(); t = line()) {
            // trailers
          }
          break;
        }
        copy(n, body);
        String crlf = line();
        if (crlf == null || !crlf.isEmpty()) {
          throw new IOException("malformed chunk end");
        }
      }
    } else if (length >= 0) {
      copy(length, body);
    } else {
      int r;
      while ((r = in.read(buf)) >= 0) {
        body.accept(buf, 0, r);
      }
      close = true;
    }
    if (close) {
      close();
    }
    return code;
  }

  private void copy(long n, Body body) throws IOException {
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new EOFException("connection closed in a body");
      }
      body.accept(buf, 0, r);
      n -= r;
    }
  }

  /** One line without its CRLF (or LF), ISO-8859-1; null at the end of the stream before any byte. */
  private String line() throws IOException {
    StringBuilder b = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = b.length();
        if (len > 0 && b.charAt(len - 1) == '\r') {
          b.setLength(len - 1);
        }
        return b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // gone anyway
      }
      socket = null;
      in = null;
      out = null;
    }
  }
}
