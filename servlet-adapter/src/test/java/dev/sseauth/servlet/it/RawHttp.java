package dev.sseauth.servlet.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Sends bytes no well-behaved client library would send (malformed escapes, raw UTF-8 headers). */
final class RawHttp {
  private RawHttp() {}

  /** The status code and the whole response, for a request whose head is {@code head} (CRLF added). */
  static String exchange(URI base, String requestLine, String... headers) throws IOException {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(10_000);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.writeBytes((requestLine + "\r\nHost: " + base.getHost() + "\r\nConnection: close\r\n")
          .getBytes(StandardCharsets.UTF_8));
      for (String h : headers) {
        req.writeBytes((h + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      out.write(req.toByteArray());
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }
}
