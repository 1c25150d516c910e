package dev.sseauth.security;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client over sockets: it sends exactly the bytes it is given, so no client library
 * normalises an attack away (CR, NUL or invalid UTF-8 in a header, duplicate headers, path tricks).
 * Request text is written as ISO-8859-1, so the char U+00XX stands for the byte XX.
 */
final class Http {
  private Http() {}

  /** A parsed response. Header names are lower case. */
  record Response(int status, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    boolean eventStream() {
      String t = header("content-type");
      return t != null && t.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }

    boolean closes() {
      String c = header("connection");
      return c != null && c.toLowerCase(Locale.ROOT).contains("close");
    }

    @Override
    public String toString() {
      String t = text();
      return status + " " + headers + " " + (t.length() > 200 ? t.substring(0, 200) + "..." : t);
    }
  }

  /** A request head: request line, {@code Host}, the given header lines, {@code Connection: close}. */
  static byte[] request(String method, String target, String... headerLines) {
    return request(method, target, true, headerLines);
  }

  static byte[] request(String method, String target, boolean close, String... headerLines) {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headerLines) {
      sb.append(h).append("\r\n");
    }
    if (close) {
      sb.append("Connection: close\r\n");
    }
    if (method.equals("POST") || method.equals("PUT")) {
      sb.append("Content-Length: 0\r\n");
    }
    sb.append("\r\n");
    return latin1(sb.toString());
  }

  /** Each char as one byte (chars above U+00FF are not allowed). */
  static byte[] latin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xFF) {
        throw new IllegalArgumentException("not a byte string at " + i);
      }
    }
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The UTF-8 bytes of {@code s} as a byte string, for embedding UTF-8 text in a request. */
  static String utf8Bytes(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /** Sends one request on a fresh connection and reads one response. */
  static Response exchange(TargetServer server, byte[] request) throws IOException {
    try (Connection c = new Connection(server)) {
      return c.exchange(request, isHead(request));
    }
  }

  static boolean isHead(byte[] request) {
    return request.length > 5 && request[0] == 'H' && request[1] == 'E' && request[2] == 'A' && request[3] == 'D';
  }

  /** One keep-alive connection. Not thread-safe. */
  static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(TargetServer server) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(Integer.getInteger("http.timeout.ms", 15_000));
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
    }

    /**
     * Sends {@code request} and reads the response. A server may answer a request it refuses before it
     * has read all of it and then close, resetting the rest of the write (RFC 9112 §9.6): when the write
     * fails, the answer the server sent first is read; only without one does the write's failure stand.
     */
    Response exchange(byte[] request, boolean head) throws IOException {
      try {
        out.write(request);
        out.flush();
      } catch (IOException writeFailed) {
        try {
          return read(head);
        } catch (IOException noAnswer) {
          writeFailed.addSuppressed(noAnswer);
          throw writeFailed;
        }
      }
      return read(head);
    }

    /** Reads one final response (interim 1xx responses are skipped). */
    Response read(boolean head) throws IOException {
      while (true) {
        String headText = readHead();
        String[] lines = headText.split("\r\n");
        if (lines[0].length() < 12 || !lines[0].startsWith("HTTP/1.")) {
          throw new IOException("not an HTTP response: " + lines[0]);
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          if (colon > 0) {
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(lines[i].substring(colon + 1).trim());
          }
        }
        if (status >= 100 && status < 200) {
          continue;
        }
        Response noBody = new Response(status, headers, new byte[0]);
        if (head || status == 204 || status == 304) {
          return noBody;
        }
        String te = noBody.header("transfer-encoding");
        String cl = noBody.header("content-length");
        byte[] body;
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
          body = readChunked();
        } else if (cl != null) {
          body = in.readNBytes(Integer.parseInt(cl));
        } else {
          body = in.readAllBytes();
        }
        return new Response(status, headers, body);
      }
    }

    private String readHead() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream(256);
      int last = 0;
      while (last != 0x0D0A0D0A) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("connection closed before a response" + (head.size() > 0 ? ": " + head : ""));
        }
        head.write(b);
        last = last << 8 | b;
        if (head.size() > 64 * 1024) {
          throw new IOException("response head too long");
        }
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    private byte[] readChunked() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = line();
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          return body.toByteArray();
        }
        body.write(in.readNBytes(size));
        line();
      }
    }

    private String line() throws IOException {
      ByteArrayOutputStream l = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new EOFException("connection closed in a chunked body");
        }
        if (b != '\r') {
          l.write(b);
        }
      }
      return l.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
