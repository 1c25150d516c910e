package dev.sseauth.netty;

import static dev.sseauth.testing.fixtures.StreamClients.token;
import static dev.sseauth.testing.fixtures.StreamClients.tokenOf;
import dev.sseauth.testing.fixtures.AuthFixture;
import static dev.sseauth.testing.fixtures.LdClient.nextMessage;
import static org.assertj.core.api.Assertions.assertThat;

import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import dev.sseauth.HandshakeMode;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.netty.testing.NettyGuards;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.fixtures.NettyEventApp;
import dev.sseauth.testing.fixtures.NettyGuard;
import dev.sseauth.testing.fixtures.NettyServer;
import dev.sseauth.testing.fixtures.SseLines;
import dev.sseauth.testing.fixtures.StreamClients;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handlers on a real Netty server with real clients ({@code java.net.http} and LaunchDarkly's
 * okhttp-eventsource): the scenarios of the servlet adapter's tests.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NettyServerIntegrationTest {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private StreamClients clients;
  private AuthFixture fx;
  private NettyEventApp app;
  private NettyServer server;

  private void start(UnaryOperator<SseAuthConfig.Builder> custom) {
    fx = new AuthFixture(b -> custom.apply(b.handshakeRetry(Duration.ofMillis(20))));
    NettyGuard guard = NettyGuards.sseAuth(fx.auth);
    app = new NettyEventApp(guard);
    server = new NettyServer(guard, app::handler, 2);
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

    app.dropStreams(); // the network fails; the client reconnects with Last-Event-ID
    MessageEvent e3 = nextMessage(es);
    assertThat(e3.getData()).isEqualTo("e3");
    assertThat(e3.getLastEventId()).isEqualTo(token + "_3");

    assertThat(app.seen).hasSize(2);
    assertThat(app.seen.get(0).uri()).isEqualTo("/events?x=1");
    assertThat(app.seen.get(0).lastEventId()).isNull();
    assertThat(app.seen.get(0).principal()).isEqualTo(new SsePrincipal("alice", Map.of("tenant", "acme")));
    assertThat(app.seen.get(1).uri()).isEqualTo("/events?x=1");
    assertThat(app.seen.get(1).lastEventId()).isEqualTo("2");
    assertThat(app.seen.get(1).session().sessionId()).isEqualTo(app.seen.get(0).session().sessionId());
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
    app.seen.clear();

    Map<String, String> unauthorized = Map.of(
        "/events", "",
        "/events?slt=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "",
        "/events?slt=" + spent, "",
        "/events?slt=a%20b", "",
        "/feeds/x", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln_1",
        "/events/../events", "not-a-token",
        "/%65vents", "");
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

    app.dropStreams();
    MessageEvent e3 = nextMessage(es);
    assertThat(e3.getLastEventId()).isEqualTo(rotated + "_3");
    assertThat(app.seen.get(1).lastEventId()).isEqualTo("2");
    assertThat(app.seen.get(1).session().sessionId()).isEqualTo(app.seen.get(0).session().sessionId());
  }

  @Test
  void streamWhenTheAppIsQuietThenHeartbeatsKeepItAliveAndProxiesAreToldNotToBuffer() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("alice"));
    assertThat(s.header("X-Accel-Buffering")).isEqualTo("no");
    token(s); // the handshake, then the application's events; then it writes nothing
    s.awaitLine("data: e2", Duration.ofSeconds(5));
    fx.clock.advance(Duration.ofSeconds(16)); // sseauth.heartbeat: 15 s by default
    s.awaitLine(":", Duration.ofSeconds(5));
    fx.clock.advance(Duration.ofSeconds(16));
    Await.until(Duration.ofSeconds(5), "a second heartbeat", () -> s.lines().stream().filter(":"::equals).count() == 2);
    assertThat(s.ended()).isFalse();
  }

  @Test
  void streamWhenSessionRevokedThenEndsWithinOneSecondAndTokenRefused() throws Exception {
    start(b -> b);
    SseLines s = clients.rawStream("/events?slt=" + clients.postTicket("alice"));
    String token = token(s);
    s.awaitLine("data: e2", Duration.ofSeconds(5));

    fx.auth.revokeSession(app.seen.get(0).session().sessionId()).toCompletableFuture().join();
    assertThat(s.awaitEnd(Duration.ofSeconds(1))).as("the stream ended within 1 s").isTrue();

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
    s.awaitLine("data: e2", Duration.ofSeconds(5));

    fx.clock.advance(fx.auth.config().tokenTtl()); // the live stream ends when its token expires
    assertThat(s.awaitEnd(Duration.ofSeconds(5))).as("the stream ended").isTrue();
    fx.clock.advance(fx.auth.config().tokenClockSkew().plusSeconds(1)); // past the skew verification tolerates
    assertThat(s.lines()).doesNotContain("data: e3");

    HttpResponse<String> again = clients.get("/events", token + "_2");
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    assertThat(app.seen).hasSize(1);
  }
}
