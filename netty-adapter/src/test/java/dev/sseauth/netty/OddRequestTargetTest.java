package dev.sseauth.netty;

import dev.sseauth.testing.fixtures.AuthFixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.netty.testing.NettyGuards;
import dev.sseauth.testing.OddTargets;
import dev.sseauth.testing.fixtures.NettyEventApp;
import dev.sseauth.testing.fixtures.NettyGuard;
import dev.sseauth.testing.fixtures.NettyServer;
import dev.sseauth.testing.fixtures.RawHttp;
import java.io.IOException;
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
  private static final List<String> PATTERNS = List.of("/events", "/feeds/**"); // AuthFixture's sseauth.paths

  private AuthFixture fx;
  private NettyEventApp app;
  private NettyServer server;

  @BeforeEach
  void start() {
    fx = new AuthFixture();
    NettyGuard guard = NettyGuards.sseAuth(fx.auth);
    app = new NettyEventApp(guard);
    server = new NettyServer(guard, app::handler, 1);
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
      if (code < 400 || code >= 500 || !app.seen.isEmpty()) {
        failures.add(target + " -> " + status + (app.seen.isEmpty() ? "" : ", the application saw " + app.seen)
            + " (routed by " + OddTargets.routedBy(target, PATTERNS, OddTargets.allReadings()) + ")");
        app.seen.clear();
      }
    }
    assertThat(failures).as("of %d targets routed to a guarded path", targets.size()).isEmpty();
    // control: the same server still serves an unguarded path and a credential
    assertThat(statusLine("/open")).startsWith("HTTP/1.1 200");
    assertThat(statusLine("//h/events?slt=" + fx.ticket("alice"))).startsWith("HTTP/1.1 200");
  }

  private String statusLine(String target) throws IOException {
    return RawHttp.statusLine(server, target);
  }
}
