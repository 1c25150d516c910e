package dev.sseauth.webflux;

import dev.sseauth.testing.fixtures.AuthFixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.SsePrincipal;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.fixtures.Chromium;
import dev.sseauth.testing.fixtures.MiniJson;
import dev.sseauth.testing.fixtures.WebFluxServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;

/**
 * Headless Chromium's {@code EventSource}, through the helper {@code sse-auth.js}, against an unchanged
 * WebFlux controller behind {@link SseAuthWebFilter}: events arrive with the application's ids, the browser's
 * own reconnect resumes with the token in {@code Last-Event-ID}, and after a revocation the helper fetches a
 * fresh ticket and resumes where it was.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebFluxBrowserTest {
  @Test
  void pageWhenStreamDroppedAndRevokedThenBrowserResumesEachTimeWithTheAppsIds() throws Exception {
    EventController app = new EventController();
    try (AuthFixture fx = new AuthFixture(b -> b.handshakeRetry(Duration.ofMillis(50)));
         WebFluxServer server = WebFluxServer.controllers(List.of(new SseAuthWebFilter(fx.auth,
             exchange -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("X-Test-User")).map(SsePrincipal::of))),
             app, new PageController());
         Chromium chromium = Chromium.start("webflux")) {
      chromium.navigate(server.uri("/page").toString());
      chromium.evaluate("new Promise(r => document.readyState === 'complete' ? r('') : addEventListener('load', () => r('')))",
          Duration.ofSeconds(20));
      Map<String, Object> first = MiniJson.object(chromium.evaluate("window.until(2)", Duration.ofSeconds(30)));
      assertThat(first.get("seen")).as(first.toString()).isEqualTo(List.of("1:e1", "2:e2")); // no token in the ids
      app.broadcast("3", "e3");
      assertThat(MiniJson.object(chromium.evaluate("window.until(3)", Duration.ofSeconds(30))).get("seen"))
          .isEqualTo(List.of("1:e1", "2:e2", "3:e3"));

      app.dropStreams(); // the browser reconnects by itself, the token in Last-Event-ID
      Map<String, Object> resumed = MiniJson.object(chromium.evaluate("window.until(5)", Duration.ofSeconds(30)));
      assertThat(resumed.get("seen")).as(resumed.toString()).isEqualTo(List.of("1:e1", "2:e2", "3:e3", "4:e4", "5:e5"));
      assertThat(app.seen.get(1).lastEventId()).isEqualTo("3");
      assertThat(app.seen.get(1).session().sessionId()).isEqualTo(app.seen.get(0).session().sessionId());

      fx.auth.revokeSubject("alice").toCompletableFuture().join(); // the stream ends; its token is refused
      Map<String, Object> after = MiniJson.object(chromium.evaluate("window.until(7)", Duration.ofSeconds(30)));
      assertThat(after.get("seen")).as(after.toString())
          .isEqualTo(List.of("1:e1", "2:e2", "3:e3", "4:e4", "5:e5", "6:e6", "7:e7"));
      Await.until(Duration.ofSeconds(5), "the third stream recorded", () -> app.seen.size() >= 3);
      assertThat(app.seen.get(2).lastEventId()).isEqualTo("5");
      assertThat(app.seen.get(2).session().sessionId()).as("a new session, from a new ticket")
          .isNotEqualTo(app.seen.get(0).session().sessionId());
      assertThat(app.seen).hasSize(3);
    }
  }
}
