package dev.sseauth.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.OddTargets;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The differential test of odd request targets on a real Netty server: every target of
 * {@link OddTargets#corpus()} that any common reading (java.net.URI, Netty's QueryStringDecoder, a cut at
 * {@code ?}) routes to a guarded path is sent as is over a raw socket (java.net.http would not send most
 * of them), without credentials; the guard must refuse each, and the application must never run.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OddRequestTargetTest {
  private static final List<String> PATTERNS = List.of("/events", "/feeds/**"); // Fixture's sseauth.paths

  private Fixture fx;
  private TestServer server;

  @BeforeEach
  void start() {
    fx = new Fixture();
    server = new TestServer(fx.auth, 1);
  }

  @AfterEach
  void stop() {
    server.close();
    fx.close();
  }

  @Test
  void streamWhenAnyRouterReadsTheTargetAsAGuardedPathThenRefusedAndApplicationNeverRuns() throws Exception {
    assertThat(fx.auth.config().paths()).isEqualTo(PATTERNS);
    List<String> targets = OddTargets.routed(PATTERNS, OddTargets.allReadings());
    assertThat(targets).contains("//host/events", "http:/events", "HTTP:/events?a=b");
    List<String> failures = new ArrayList<>();
    for (String target : targets) {
      String status = statusLine(target);
      int code = Integer.parseInt(status.substring(9, 12));
      if (code < 400 || code >= 500 || !server.seen.isEmpty()) {
        failures.add(target + " -> " + status + (server.seen.isEmpty() ? "" : ", the application saw " + server.seen)
            + " (routed by " + OddTargets.routedBy(target, PATTERNS, OddTargets.allReadings()) + ")");
        server.seen.clear();
      }
    }
    assertThat(failures).as("of %d targets routed to a guarded path", targets.size()).isEmpty();
    // control: the same server still serves an unguarded path and a credential
    assertThat(statusLine("/open")).startsWith("HTTP/1.1 200");
    assertThat(statusLine("//h/events?slt=" + fx.ticket("alice"))).startsWith("HTTP/1.1 200");
  }

  /**
   * Sends {@code GET target} on a fresh connection, byte for byte, and returns the response's status line.
   * Only the head is read: an event stream that wrongly opened would not end.
   */
  private String statusLine(String target) throws IOException {
    String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    try (Socket s = new Socket()) {
      s.setSoTimeout(10_000);
      s.connect(new InetSocketAddress("127.0.0.1", server.uri("/").getPort()), 5_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new EOFException("closed without a response to " + target);
        }
        line.write(b);
      }
      return line.toString(StandardCharsets.ISO_8859_1).trim();
    }
  }
}
