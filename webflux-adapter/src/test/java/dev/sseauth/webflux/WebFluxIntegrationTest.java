package dev.sseauth.webflux;

import static dev.sseauth.testing.fixtures.StreamClients.token;
import static dev.sseauth.testing.fixtures.StreamClients.tokenOf;
import dev.sseauth.testing.fixtures.AuthFixture;
import static dev.sseauth.testing.fixtures.LdClient.nextMessage;
import static org.assertj.core.api.Assertions.assertThat;

import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import dev.sseauth.HandshakeMode;
import dev.sseauth.SsePrincipal;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.fixtures.RawHttp;
import dev.sseauth.testing.fixtures.SseLines;
import dev.sseauth.testing.fixtures.StreamClients;
import dev.sseauth.testing.fixtures.WebFluxServer;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * {@link SseAuthWebFilter} in front of an unchanged WebFlux controller ({@link EventController}, its
 * {@code Flux<ServerSentEvent<String>>} dispatched by Spring's {@code DispatcherHandler}) on Reactor Netty,
 * with real clients ({@code java.net.http}, LaunchDarkly's okhttp-eventsource, a raw socket that stops
 * reading): the scenarios of the servlet and Netty adapters' tests, and back-pressure. Every Netty buffer is
 * tracked; a leak fails the test.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebFluxIntegrationTest {
  private static final Pattern TICKET = Pattern.compile("\"ticket\":\"([^\"]+)\"");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private StreamClients clients;
  private AuthFixture fx;
  private final EventController app = new EventController();
  private WebFluxServer server;

  private void start(UnaryOperator<SseAuthConfig.Builder> custom) {
    fx = new AuthFixture(b -> custom.apply(b.handshakeRetry(Duration.ofMillis(20))));
    server = WebFluxServer.controllers(List.of(new SseAuthWebFilter(fx.auth)), app);
    clients = new StreamClients(server, fx);
  }

  /**
   * Behind a filter that puts {@code tenant=acme} into the Reactor context (as Spring Security puts its
   * security context there), with tickets for the context's {@code user}.
   */
  private void startInContext() {
    fx = new AuthFixture(b -> b.handshakeRetry(Duration.ofMillis(20)));
    WebFilter context = (exchange, chain) -> chain.filter(exchange)
        .contextWrite(Context.of("tenant", "acme", "user", "carol"));
    server = WebFluxServer.controllers(List.of(context, new SseAuthWebFilter(fx.auth,
        exchange -> Mono.deferContextual(c -> Mono.justOrEmpty(c.<String>getOrEmpty("user")).map(SsePrincipal::of)))), app);
    clients = new StreamClients(server, fx);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (clients != null) {
      clients.close();
    }
    if (server != null) {
      server.close();
    }
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void requestWhenTheContextHoldsTheUserThenTheResolverAndTheStreamSeeTheContext() throws Exception {
    startInContext();
    HttpResponse<String> ticket = http.send(HttpRequest.newBuilder(server.uri("/sse/ticket"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ticket.statusCode()).as("the resolver read the request's Reactor context").isEqualTo(200);
    Matcher m = TICKET.matcher(ticket.body());
    assertThat(m.find()).isTrue();
    SseLines s = clients.rawStream("/feeds/context?slt=" + m.group(1));
    s.awaitLine("data:tenant acme", Duration.ofSeconds(5)); // the stream's Flux runs in the request's context
    assertThat(app.firstPrincipal().subject()).isEqualTo("carol");
  }

  @Test
  void streamWhenOneFlushedGroupNeverEndsThenItsEventsStillStream() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/feeds/onegroup?slt=" + clients.postTicket("alice"));
    String token = token(s);
    s.awaitLine("data: g3", Duration.ofSeconds(5));
    assertThat(s.ids()).containsExactly(token + "_", token + "_1", token + "_2", token + "_3");
  }

  @Test
  void streamWhenTicketThenEventsWithCompositeIdsAndReconnectResumesWithToken() throws Exception {
    start(b -> b);
    EventSource es = clients.eventSource("/events?slt=" + clients.postTicket("alice") + "&x=1");

    MessageEvent auth = nextMessage(es);
    assertThat(auth.getEventName()).isEqualTo("auth");
    assertThat(auth.getData()).isEqualTo("{\"session\":\"valid\"}");
    String token = tokenOf(auth);
    assertThat(auth.getLastEventId()).isEqualTo(token + "_");
    MessageEvent e1 = nextMessage(es);
    assertThat(e1.getData()).isEqualTo("e1");
    assertThat(e1.getLastEventId()).isEqualTo(token + "_1");
    assertThat(nextMessage(es).getLastEventId()).isEqualTo(token + "_2");

    app.dropStreams(); // the application ends the stream; the client reconnects with Last-Event-ID
    MessageEvent e3 = nextMessage(es);
    assertThat(e3.getData()).isEqualTo("e3");
    assertThat(e3.getLastEventId()).isEqualTo(token + "_3");

    assertThat(app.seen).hasSize(2);
    assertThat(app.seen.get(0).uri()).isEqualTo("/events?x=1");
    assertThat(app.seen.get(0).lastEventId()).isNull();
    assertThat(app.seen.get(0).principal()).isEqualTo(new SsePrincipal("alice", Map.of("tenant", "acme")));
    assertThat(app.seen.get(0).session().principal()).isEqualTo(app.seen.get(0).principal());
    assertThat(app.seen.get(1).uri()).isEqualTo("/events?x=1");
    assertThat(app.seen.get(1).lastEventId()).isEqualTo("2");
    assertThat(app.seen.get(1).session().sessionId()).isEqualTo(app.seen.get(0).session().sessionId());
  }

  @Test
  void streamWhenBroadcastThenEveryEventRewrittenAndTheStreamHeadersSet() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("alice"));
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.header("Cache-Control")).isEqualTo("no-store");
    assertThat(s.header("X-Accel-Buffering")).isEqualTo("no");
    assertThat(s.header("Content-Length")).isNull();
    String token = token(s);
    s.awaitLine("data:e2", Duration.ofSeconds(5));
    for (int i = 3; i < 103; i++) {
      app.broadcast(String.valueOf(i), "b" + i);
    }
    s.awaitLine("data:b102", Duration.ofSeconds(10));
    List<String> ids = s.ids();
    assertThat(ids).hasSize(103);
    for (int i = 1; i < ids.size(); i++) {
      assertThat(ids.get(i)).isEqualTo(token + "_" + i);
    }
  }

  @Test
  void streamWhenReconnectModeThenHandshakeEndsAndAppRunsOnlyOnTokenReconnect() throws Exception {
    start(b -> b.handshakeMode(HandshakeMode.RECONNECT));
    EventSource es = clients.eventSource("/events?slt=" + clients.postTicket("alice"));

    MessageEvent auth = nextMessage(es);
    assertThat(auth.getEventName()).isEqualTo("auth");
    String token = tokenOf(auth);
    MessageEvent e1 = nextMessage(es);
    assertThat(e1.getData()).isEqualTo("e1");
    assertThat(e1.getLastEventId()).isEqualTo(token + "_1");

    assertThat(app.seen).hasSize(1);
    assertThat(app.seen.get(0).uri()).isEqualTo("/events");
    assertThat(app.seen.get(0).lastEventId()).isNull();
  }

  @Test
  void requestWhenRejectedThenRefusedAndAppNeverReached() throws Exception {
    start(b -> b);
    String spent = clients.postTicket("alice");
    HttpResponse<InputStream> first = http.send(HttpRequest.newBuilder(server.uri("/events?slt=" + spent)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(first.statusCode()).isEqualTo(200);
    first.body().close();
    Await.until(Duration.ofSeconds(5), "the first stream recorded", () -> app.seen.size() == 1);
    app.seen.clear();

    Map<String, String> unauthorized = Map.of(
        "/events", "",
        "/events?slt=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "",
        "/events?slt=" + spent, "",
        "/events?slt=a%20b", "",
        "/feeds/x", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln_1",
        "/events/../events", "not-a-token",
        "/%65vents", "",
        "/events;x=1", "",
        "/EVENTS", "");
    for (Map.Entry<String, String> e : unauthorized.entrySet()) {
      HttpResponse<String> r = clients.get(e.getKey(), e.getValue().isEmpty() ? null : e.getValue());
      assertThat(r.statusCode()).as(e.getKey()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(e.getKey()).isPresent();
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(server.uri("/events"))
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(10_000))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(clients.get("/events?slt=a&slt=b", null).statusCode()).isEqualTo(400);
    HttpResponse<String> noBearer = http.send(HttpRequest.newBuilder(server.uri("/sse/ticket"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noBearer.statusCode()).isEqualTo(401);
    assertThat(clients.get("/sse/ticket", null).statusCode()).isEqualTo(405);

    for (String target : List.of("events", "events?a=b", "feeds/x")) { // no leading slash: Spring leaves the path empty
      RawHttp.Response r = RawHttp.exchange(server, RawHttp.request("GET", target));
      assertThat(r.status()).as(target).isBetween(400, 499);
    }

    assertThat(app.seen).as("the application never ran").isEmpty();
    assertThat(clients.get("/open", null).statusCode()).as("unguarded paths still served on the same server").isEqualTo(200);
  }

  @Test
  void streamWhenIdSplitAcrossWritesThenRewrittenWhole() throws Exception {
    start(b -> b);
    EventSource es = clients.eventSource("/feeds/split?slt=" + clients.postTicket("alice"));
    String token = tokenOf(nextMessage(es));
    MessageEvent m = nextMessage(es);
    assertThat(m.getData()).isEqualTo("split");
    assertThat(m.getLastEventId()).isEqualTo(token + "_12");
  }

  @Test
  void responseWhenNotAnEventStreamThenPassesUntouched() throws Exception {
    start(b -> b);
    HttpResponse<String> r = clients.get("/feeds/text?slt=" + clients.postTicket("alice"), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("id: 1\n"); // no handshake, no rewriting
    assertThat(r.headers().firstValue("X-Accel-Buffering")).isEmpty();
    assertThat(fx.auth.liveStreams()).isZero();
  }

  @Test
  void streamWhenRotationDueThenNewTokenInPlaceAndReconnectUsesIt() throws Exception {
    start(b -> b);
    EventSource es = clients.eventSource("/events?slt=" + clients.postTicket("alice"));
    String token = tokenOf(nextMessage(es));
    nextMessage(es);
    assertThat(nextMessage(es).getLastEventId()).isEqualTo(token + "_2");

    fx.clock.advance(fx.auth.config().tokenRotateAfter().plusSeconds(1));
    MessageEvent rotation = nextMessage(es);
    assertThat(rotation.getEventName()).isEqualTo("sseauth-rotate");
    String rotated = tokenOf(rotation);
    assertThat(rotated).isNotEqualTo(token);
    assertThat(rotation.getLastEventId()).isEqualTo(rotated + "_2");

    app.broadcast("3", "e3");
    MessageEvent e3 = nextMessage(es);
    assertThat(e3.getLastEventId()).isEqualTo(rotated + "_3");
    app.dropStreams();
    MessageEvent e4 = nextMessage(es);
    assertThat(e4.getLastEventId()).isEqualTo(rotated + "_4");
    assertThat(app.seen.get(1).lastEventId()).isEqualTo("3");
    assertThat(app.seen.get(1).session().sessionId()).isEqualTo(app.seen.get(0).session().sessionId());
  }

  @Test
  void streamWhenTheAppIsQuietThenHeartbeatsKeepItAlive() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("alice"));
    token(s);
    s.awaitLine("data:e2", Duration.ofSeconds(5));
    fx.clock.advance(Duration.ofSeconds(16)); // sseauth.heartbeat: 15 s by default
    s.awaitLine(":", Duration.ofSeconds(5));
    fx.clock.advance(Duration.ofSeconds(16));
    Await.until(Duration.ofSeconds(5), "a second heartbeat", () -> s.lines().stream().filter(":"::equals).count() == 2);
    assertThat(s.ended()).isFalse();
    app.broadcast("3", "e3"); // the application's events still pass, rewritten
    s.awaitLine("data:e3", Duration.ofSeconds(5));
  }

  @Test
  void streamWhenSessionRevokedThenEndsWithinOneSecondTheFluxIsCancelledAndTokenRefused() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("alice"));
    String token = token(s);
    s.awaitLine("data:e2", Duration.ofSeconds(5));
    assertThat(fx.auth.liveStreams()).isEqualTo(1);

    fx.auth.revokeSession(app.seen.get(0).session().sessionId()).toCompletableFuture().join();
    assertThat(s.awaitEnd(Duration.ofSeconds(1))).as("the stream ended within 1 s").isTrue();
    Await.until(Duration.ofSeconds(5), "the application's Flux cancelled", () -> app.cancelled.get() == 1);
    assertThat(fx.auth.liveStreams()).isZero();
    app.broadcast("3", "e3"); // nothing of the application's reaches the client after the end
    assertThat(s.lines()).doesNotContain("data:e3");

    HttpResponse<String> again = clients.get("/events", token + "_2");
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.body()).isEqualTo("session revoked\n");
    assertThat(app.seen).hasSize(1);
  }

  @Test
  void streamWhenTokenExpiresThenEndsAndTokenRefused() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("alice"));
    String token = token(s);
    s.awaitLine("data:e2", Duration.ofSeconds(5));

    fx.clock.advance(fx.auth.config().tokenTtl()); // the live stream ends when its token expires
    assertThat(s.awaitEnd(Duration.ofSeconds(5))).as("the stream ended").isTrue();
    fx.clock.advance(fx.auth.config().tokenClockSkew().plusSeconds(1)); // past the skew verification tolerates

    HttpResponse<String> again = clients.get("/events", token + "_2");
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    assertThat(app.seen).hasSize(1);
  }

  @Test
  void streamWhenClientGoesAwayThenTrackingReleasedAndFluxCancelled() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("alice"));
    token(s);
    s.awaitLine("data:e2", Duration.ofSeconds(5));
    assertThat(fx.auth.liveStreams()).isEqualTo(1);
    s.close();
    Await.until(Duration.ofSeconds(10), "the stream released", () -> fx.auth.liveStreams() == 0);
    Await.until(Duration.ofSeconds(5), "the application's Flux cancelled", () -> app.cancelled.get() == 1);
  }

  @Test
  void streamWhenTheClientStopsReadingThenTheFluxIsHeldBackAndOtherStreamsStillEnd() throws Exception {
    start(b -> b);
    try (RawHttp.Stalled stalled = new RawHttp.Stalled(server.base(), "/feeds/firehose?slt=" + clients.postTicket("alice"))) {
      Await.until(Duration.ofSeconds(10), "the firehose started", () -> app.produced.get() > 0);
      // back-pressure: the application produces only what the stalled connection's buffers take
      Await.until(Duration.ofSeconds(30), "the firehose held back", () -> waitQuiet(app.produced.get()));
      assertThat(app.produced.get()).as("events produced for a client that reads nothing")
          .isLessThan(EventController.FIREHOSE / 10);

      // another stream's revocation is not held up by the stalled one
      SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("bob"));
      token(s);
      s.awaitLine("data:e2", Duration.ofSeconds(5));
      fx.auth.revokeSubject("bob").toCompletableFuture().join();
      assertThat(s.awaitEnd(Duration.ofSeconds(2))).as("bob's stream ended").isTrue();

      // and the stalled stream ends too when its session is revoked: the Flux is cancelled
      fx.auth.revokeSubject("alice").toCompletableFuture().join();
      Await.until(Duration.ofSeconds(5), "every stream released", () -> fx.auth.liveStreams() == 0);
      Await.until(Duration.ofSeconds(5), "both Fluxes cancelled", () -> app.cancelled.get() == 2);
    }
  }

  /** Whether the firehose stays at {@code count} for 300 ms (no event produced meanwhile). */
  private boolean waitQuiet(long count) {
    long until = System.nanoTime() + 300_000_000L;
    while (System.nanoTime() < until) {
      if (app.produced.get() != count) {
        return false;
      }
      LockSupport.parkNanos(10_000_000L);
    }
    return true;
  }
}
