package dev.sseauth.servlet.it;

import static dev.sseauth.testing.Tickets.tokenOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.HandshakeMode;
import dev.sseauth.SessionInfo;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.servlet.SseAuthFilter;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.Tickets;
import dev.sseauth.testing.fixtures.LdClient;
import dev.sseauth.testing.fixtures.RawHttp;
import dev.sseauth.testing.fixtures.ServletEventApp;
import dev.sseauth.testing.fixtures.ServletServer;
import dev.sseauth.testing.fixtures.SseLines;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The servlet adapter's scenarios on a real container, a sync and an async SSE servlet behind the
 * filter, driven by real SSE clients. Subclasses choose the container.
 */
abstract class ServletAdapterScenarios {
  static final byte[] SECRET = TestKeys.SECRET;
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Pattern TICKET = Pattern.compile(
      "\\{\"ticket\":\"([A-Za-z0-9_-]+)\",\"expiresIn\":30,\"param\":\"slt\",\"resume\":\"lastEventId\",\"separator\":\"_\"}");

  MutableClock clock;
  SseAuth auth;
  ServletEventApp app;
  ServletServer server;

  abstract ServletServer start(ServletServer.Deployment d) throws Exception;

  void boot() throws Exception {
    boot(b -> b);
  }

  void boot(UnaryOperator<SseAuthConfig.Builder> tweak) throws Exception {
    boot(tweak, false);
  }

  /** Boots, with the container's idle timeout (which also bounds a blocked write) off if asked. */
  void boot(UnaryOperator<SseAuthConfig.Builder> tweak, boolean idleTimeoutOff) throws Exception {
    clock = MutableClock.atRealTime();
    auth = SseAuth.create(tweak.apply(SseAuthConfig.builder().tokenSecret(SECRET).clock(clock)
        .streamCheckInterval(Duration.ofMillis(50)).handshakeRetry(Duration.ofMillis(20))
        .paths(List.of("/sync/**", "/async/**"))).build());
    app = new ServletEventApp();
    ServletServer.Deployment d = new ServletServer.Deployment();
    if (idleTimeoutOff) {
      d.idleTimeoutOff();
    }
    server = start(d
        .filter("recorder", app.recorder())
        .filter("login", ServletEventApp.login())
        .filter("sse-auth", new SseAuthFilter(auth))
        .servlet("/sync/*", app.syncServlet())
        .servlet("/async/*", app.asyncServlet())
        .servlet("/", ServletEventApp.notFound()));
  }

  @AfterEach
  void stop() throws Exception {
    if (app != null) {
      app.stop();
    }
    if (server != null) {
      server.close();
    }
    if (auth != null) {
      auth.close();
    }
  }

  URI uri(String pathAndQuery) {
    return server.base().resolve(pathAndQuery);
  }

  String ticket() throws Exception {
    return ticket("alice");
  }

  String ticket(String user) throws Exception {
    HttpResponse<String> r = SseLines.send("POST", uri("/sse/ticket"), Map.of("X-Test-User", user));
    assertThat(r.statusCode()).isEqualTo(200);
    Matcher m = TICKET.matcher(r.body());
    assertThat(m.matches()).as(r.body()).isTrue();
    return m.group(1);
  }

  /** Raw stream requests (not ticket requests): path, Last-Event-ID, query. */
  List<String[]> rawStreams() {
    return app.raw.stream().filter(r -> !r[0].equals("/sse/ticket")).toList();
  }

  // ---- full flow ----

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenServerDropsThenClientReconnectsWithLastEventIdAndResumesWithoutLossOrRepeat(String kind)
      throws Exception {
    boot();
    try (LdClient client = new LdClient(uri("/" + kind + "/events?count=3&then=close&topic=a&slt=" + ticket()))) {
      Await.until(WAIT, "6 application events", () -> client.except("auth").size() >= 6);
      client.close();
      LdClient.Seen hello = client.events.get(0);
      assertThat(hello.name()).isEqualTo("auth");
      assertThat(hello.data()).isEqualTo("{\"session\":\"valid\"}");
      assertThat(hello.id()).endsWith("_");
      String token = tokenOf(hello.id());
      assertThat(token).doesNotContain(".").hasSizeLessThanOrEqualTo(100); // a compact token, the default form
      List<LdClient.Seen> appEvents = client.except("auth");
      for (int i = 0; i < appEvents.size(); i++) {
        LdClient.Seen e = appEvents.get(i);
        assertThat(e.name()).isEqualTo("message");
        assertThat(e.data()).isEqualTo("event " + (i + 1)); // no gap, no repeat
        assertThat(e.id()).isEqualTo(token + "_" + (i + 1));
      }
      assertThat(client.named("auth")).hasSize(1);
      // the app resumed after its own ids and never saw a token or the ticket
      assertThat(app.seen.get(0).lastEventId()).isNull();
      assertThat(app.seen.get(0).headerNames()).doesNotContain("last-event-id");
      assertThat(app.seen.get(1).lastEventId()).isEqualTo("3");
      assertThat(app.seen.get(1).headerNames()).containsOnlyOnce("last-event-id");
      assertThat(rawStreams().get(1)[1]).isEqualTo(token + "_3");
      for (ServletEventApp.Seen s : app.seen) {
        assertThat(s.principal()).isEqualTo("alice");
        assertThat(s.remoteUser()).isEqualTo("alice");
        assertThat(s.authType()).isEqualTo(SseAuthFilter.AUTH_TYPE);
        assertThat(s.query()).isEqualTo("count=3&then=close&topic=a");
        assertThat(s.params()).containsKeys("count", "then", "topic").doesNotContainKey("slt");
        assertThat(s.ticketParam()).isNull();
        assertThat(s.session()).isInstanceOf(SessionInfo.class);
        assertThat(((SessionInfo) s.session()).principal().subject()).isEqualTo("alice");
      }
    }
  }

  // ---- keep-alive ----

  /**
   * Whether the container lets sse-auth close a connection itself (Jetty): then a synchronous stream
   * keeps its keep-alive connection too; elsewhere it is sent with {@code Connection: close}.
   */
  abstract boolean closesConnectionsItself();

  /**
   * A guarded stream the application ends keeps its connection, as an unguarded one does, and the
   * reconnect travels on it (no new TCP and TLS handshake per reconnect): async streams everywhere,
   * synchronous ones where sse-auth can close a connection itself.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenTheAppEndsItThenTheConnectionStaysOpenAndCarriesTheReconnect(String kind) throws Exception {
    boot();
    boolean kept = kind.equals("async") || closesConnectionsItself();
    try (RawHttp.Connection c = new RawHttp.Connection(server)) {
      RawHttp.Response first = c.exchange(
          RawHttp.request("GET", "/" + kind + "/events?count=2&then=close&slt=" + ticket(), false), false);
      assertThat(first.status()).as(first.toString()).isEqualTo(200);
      assertThat(first.eventStream()).isTrue();
      assertThat(first.closes()).as("Connection: close in " + first.headers()).isEqualTo(!kept);
      Matcher id = Pattern.compile("(?m)^id: (\\S+)_2$").matcher(first.text());
      assertThat(id.find()).as(first.text()).isTrue();
      String token = id.group(1);
      assertThat(first.text()).matches("(?s)retry: 1[6-9]\nevent: auth\nid: " + Pattern.quote(token) + "_\n.*|(?s)retry: 2[0-4]\nevent: auth\nid: " + Pattern.quote(token) + "_\n.*");
      if (!kept) {
        return;
      }
      RawHttp.Response second = c.exchange(RawHttp.request("GET", "/" + kind + "/events?count=1&then=close", false,
          "Last-Event-ID: " + token + "_2"), false);
      assertThat(second.status()).as(second.toString()).isEqualTo(200);
      assertThat(second.text()).contains("id: " + token + "_3\ndata: event 3\n");
      assertThat(second.closes()).isFalse();
      assertThat(app.seen.get(1).lastEventId()).isEqualTo("2");
    }
  }

  /**
   * When sse-auth ends a synchronous stream while its application still holds the request thread (here
   * for good: it writes nothing more), nothing more flows and the client sends nothing more on that
   * connection. On Jetty sse-auth closes the connection itself: the client sees the end at once, on a
   * chunked keep-alive response. Elsewhere the stream was sent with {@code Connection: close}, which
   * Tomcat delimits by the connection's end rather than chunks: the client sees the end when the
   * application's thread returns (its next write fails at once; here it is released).
   */
  @Test
  void streamWhenRevokedWhileTheSyncAppThreadIsHeldThenTheEndArrivesAndTheConnectionCarriesNothingMore()
      throws Exception {
    boot();
    try (RawHttp.Connection c = new RawHttp.Connection(server)) {
      String ticket = ticket();
      AtomicBoolean heldAtTheEnd = new AtomicBoolean();
      Thread revoker = new Thread(() -> {
        try {
          Await.until(WAIT, "the stream to be live", () -> auth.liveStreams() == 1);
          auth.revokeSubject("alice").toCompletableFuture().join();
          Await.until(WAIT, "the revoked stream to end", () -> auth.liveStreams() == 0);
          heldAtTheEnd.set(app.writeFailures.get() == 0 && app.runs() == 1);
          if (!closesConnectionsItself()) {
            app.dropAll(); // the application's thread returns
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      revoker.start();
      RawHttp.Response first = c.exchange(
          RawHttp.request("GET", "/sync/events?count=1&slt=" + ticket, false), false); // returns at the end
      revoker.join();
      assertThat(heldAtTheEnd).as("the application's thread was held when the stream ended").isTrue();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.text()).contains("data: event 1\n").doesNotContain("data: event 2");
      if (closesConnectionsItself()) {
        assertThat(first.closes()).isFalse();
        assertThat(c.closedByServer()).as("the connection closed by sse-auth").isTrue();
        assertThat(app.writeFailures.get()).as("the application's thread is still held").isZero();
      } else {
        assertThat(first.closes()).as("Connection: close in " + first.headers()).isTrue();
      }
      String token = tokenOf(first.text().lines().filter(l -> l.startsWith("id: ")).findFirst().orElseThrow()
          .substring(4));
      assertRefused401AfterApp(token + "_1"); // on a new connection, at once
    }
  }

  // ---- reconnect mode ----

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenReconnectModeThenHandshakeEndsResponseAndTheReconnectStreams(String kind) throws Exception {
    boot(b -> b.handshakeMode(HandshakeMode.RECONNECT));
    HttpResponse<String> first = SseLines.send("GET", uri("/" + kind + "/events?slt=" + ticket()), Map.of());
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
    assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(first.body()).startsWith("retry: 0\nevent: auth\nid: ").endsWith("_\ndata: {\"session\":\"valid\"}\n\n");
    assertThat(app.runs()).isZero();

    try (LdClient client = new LdClient(uri("/" + kind + "/events?count=2&then=close&slt=" + ticket()))) {
      Await.until(WAIT, "4 application events", () -> client.except("auth").size() >= 4);
      client.close();
      String token = tokenOf(client.named("auth").get(0).id());
      List<LdClient.Seen> appEvents = client.except("auth");
      for (int i = 0; i < 4; i++) {
        assertThat(appEvents.get(i).data()).isEqualTo("event " + (i + 1));
        assertThat(appEvents.get(i).id()).isEqualTo(token + "_" + (i + 1));
      }
      // the ticket request never reached the app; the first one that did carried the token
      assertThat(rawStreams().get(1)[1]).isNull(); // [0] was the plain java.net.http request above
      assertThat(rawStreams().get(2)[1]).isEqualTo(token + "_");
      assertThat(app.seen.get(0).lastEventId()).isNull();
      assertThat(app.seen.get(1).lastEventId()).isEqualTo("2");
    }
  }

  // ---- refusals ----

  void assertRefused(HttpResponse<String> r, int status, String challenge) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    assertThat(r.body()).doesNotContain("Exception").hasSizeLessThan(100);
    if (challenge != null) {
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(challenge);
    }
    assertThat(app.runs()).isZero();
  }

  static final String INVALID = "Bearer error=\"invalid_token\"";

  @Test
  void streamWhenTicketReplayedThenUnauthorizedAndAppNeverRuns() throws Exception {
    boot(b -> b.handshakeMode(HandshakeMode.RECONNECT)); // the first use does not run the app either
    String t = ticket();
    assertThat(SseLines.send("GET", uri("/sync/events?slt=" + t), Map.of()).statusCode()).isEqualTo(200);
    assertRefused(SseLines.send("GET", uri("/sync/events?slt=" + t), Map.of()), 401, INVALID);
  }

  @Test
  void streamWhenTicketExpiredThenUnauthorizedAndAppNeverRuns() throws Exception {
    boot();
    String t = ticket();
    clock.advance(Duration.ofSeconds(31));
    assertRefused(SseLines.send("GET", uri("/async/events?slt=" + t), Map.of()), 401, INVALID);
  }

  @Test
  void streamWhenTicketForgedOrMalformedThenUnauthorizedAndAppNeverRuns() throws Exception {
    boot();
    ticket();
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    for (String t : List.of(forged, "abc", "%00", "a%20b", "x".repeat(5000))) {
      assertRefused(SseLines.send("GET", uri("/sync/events?slt=" + t), Map.of()), 401, INVALID);
    }
    for (String t : List.of("%zz", "%", "%E0%80%80", "\u00fc")) { // malformed escapes and UTF-8, a raw non-ASCII byte
      String r = RawHttp.exchange(server.base(), "GET /sync/events?slt=" + t + " HTTP/1.1");
      assertThat(RawHttp.status(r)).as(t + ": " + r).isBetween(400, 499);
    }
    assertThat(app.runs()).isZero();
  }

  @Test
  void streamWhenNoTicketAndNoTokenThenUnauthorizedWithBearerChallenge() throws Exception {
    boot();
    assertRefused(SseLines.send("GET", uri("/sync/events"), Map.of()), 401, "Bearer");
    assertRefused(SseLines.send("GET", uri("/async/events?x=1"), Map.of()), 401, "Bearer");
  }

  @Test
  void streamWhenTokenForgedMalformedOrExpiredThenUnauthorizedAndAppNeverRuns() throws Exception {
    // one explicit audience for both, so that only the key differs
    boot(b -> b.handshakeMode(HandshakeMode.RECONNECT).tokenAudience("scenarios"));
    HttpResponse<String> first = SseLines.send("GET", uri("/sync/events?slt=" + ticket()), Map.of());
    Matcher m = Pattern.compile("id: (\\S+)_\n").matcher(first.body());
    assertThat(m.find()).isTrue();
    String token = m.group(1);
    // another key, same everything else
    SseAuth other = SseAuth.create(SseAuthConfig.builder()
        .signingKey(SessionKey.hmac("k1", TestKeys.OTHER_SECRET)).tokenAudience("scenarios")
        .clock(clock).build());
    String foreign;
    try {
      foreign = tokenOf(Tickets.handshakeId(other, "alice"));
    } finally {
      other.close();
    }
    // the end of its tag (compact) or signature (JWS) reversed
    String tampered = token.substring(0, token.length() - 20) + new StringBuilder(token.substring(token.length() - 20)).reverse();
    for (String bad : List.of(foreign + "_1", tampered + "_1", "garbage_1", "_1", "1", token, "a.b.c_1",
        "x".repeat(3000) + "_1")) {
      assertRefused(SseLines.send("GET", uri("/sync/events"), Map.of("Last-Event-ID", bad)), 401, null);
    }
    // still valid: the app runs
    clock.advance(Duration.ofMinutes(61));
    assertRefused(SseLines.send("GET", uri("/sync/events"), Map.of("Last-Event-ID", token + "_1")), 401, INVALID);
  }

  @Test
  void streamWhenClientInputIsOddThenAClear4xxNeverA5xxAndAppNeverRuns() throws Exception {
    boot();
    String t = ticket();
    List<HttpResponse<String>> rs = new ArrayList<>();
    rs.add(SseLines.send("POST", uri("/sync/events?slt=" + t), Map.of()));
    rs.add(SseLines.send("DELETE", uri("/async/events"), Map.of()));
    rs.add(SseLines.send("GET", uri("/sync/events?slt=" + t + "&slt=" + t), Map.of()));
    rs.add(SseLines.send("GET", uri("/sync/events?slt=" + t + "&lastEventId=a&lastEventId=b"), Map.of()));
    rs.add(SseLines.send("GET", uri("/sync/events?slt=" + t + "&lastEventId=%0Aid:%20x"), Map.of()));
    rs.add(SseLines.send("GET", uri("/sync/events"), Map.of("Last-Event-ID", "%%%_\t")));
    rs.add(SseLines.send("GET", uri("/sync/./events?slt="), Map.of()));
    rs.add(SseLines.send("GET", uri("/SYNC/events"), Map.of()));
    rs.add(SseLines.send("GET", uri("/sync/events?slt=" + URLEncoder.encode("ü", StandardCharsets.UTF_8)), Map.of()));
    for (HttpResponse<String> r : rs) {
      assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isBetween(400, 499);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }
    assertThat(rs.get(0).statusCode()).isEqualTo(405);
    assertThat(rs.get(0).headers().firstValue("Allow")).hasValue("GET");
    assertThat(rs.get(2).statusCode()).isEqualTo(400);
    assertThat(rs.get(3).statusCode()).isEqualTo(400);
    assertThat(rs.get(4).statusCode()).isEqualTo(400);
    for (String lastEventId : List.of("\u00e9t\u00e9_1", "a.b.c_\u00e9", "\u00ff\u00fe_")) { // raw UTF-8 bytes
      String r = RawHttp.exchange(server.base(), "GET /async/events HTTP/1.1", "Last-Event-ID: " + lastEventId);
      assertThat(RawHttp.status(r)).as(r).isEqualTo(401);
    }
    assertThat(app.runs()).isZero();
  }

  @Test
  void streamWhenOriginIsNotAllowedThenForbiddenAndAppNeverRuns() throws Exception {
    boot(b -> b.origins(java.util.Set.of("https://app.example")));
    String t = ticket();
    HttpResponse<String> r = SseLines.send("GET", uri("/sync/events?slt=" + t), Map.of("Origin", "https://evil.example"));
    assertRefused(r, 403, null);
    HttpResponse<String> ok = SseLines.send("GET", uri("/sync/events?count=1&then=close&slt=" + t),
        Map.of("Origin", "https://app.example"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(app.runs()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenLastEventIdCarriesANonAsciiAppIdThenTheAppSeesItDecoded(String kind) throws Exception {
    boot();
    HttpResponse<String> first = SseLines.send("GET", uri("/" + kind + "/events?count=0&then=close&slt=" + ticket()),
        Map.of());
    Matcher m = Pattern.compile("id: (\\S+)_\n").matcher(first.body());
    assertThat(m.find()).isTrue();
    String appId = "\u00e9v\u00e9nement-\u4e2d";
    String r = RawHttp.exchange(server.base(), "GET /" + kind + "/events?count=1&then=close HTTP/1.1",
        "Last-Event-ID: " + m.group(1) + "_" + appId); // raw UTF-8 bytes, as browsers send them
    assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
    assertThat(app.seen.get(1).lastEventId()).isEqualTo(appId);
    assertThat(r).contains("id: " + m.group(1) + "_100\ndata: event 100\n");
  }

  // ---- what the application writes ----

  @ParameterizedTest(name = "{0} style={1} split={2} crlf={3} big={4}")
  @CsvSource({
      "sync, stream, 0, 0, 0",
      "sync, writer, 0, 0, 0",
      "sync, stream, 1, 0, 0",
      "sync, writer, 1, 1, 0",
      "sync, stream, 0, 1, 0",
      "sync, stream, 0, 0, 300000",
      "async, stream, 0, 0, 0",
      "async, writer, 0, 0, 0",
      "async, stream, 1, 1, 0",
      "async, writer, 1, 0, 0",
      "async, writer, 0, 1, 300000"})
  void streamWhenAppWritesInAnyShapeThenOnlyItsIdsAreRewritten(String kind, String style, int split, int crlf,
      int big) throws Exception {
    boot();
    HttpResponse<String> r = SseLines.send("GET", uri("/" + kind + "/events?count=3&then=close&style=" + style
        + "&split=" + split + "&crlf=" + crlf + "&big=" + big + "&slt=" + ticket()), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).isEmpty();
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    String body = r.body();
    Matcher m = Pattern.compile("\\Aretry: (?:1[6-9]|2[0-4])\nevent: auth\nid: (\\S+)_\ndata: \\{\"session\":\"valid\"}\n\n").matcher(body);
    assertThat(m.lookingAt()).as(body.substring(0, Math.min(300, body.length()))).isTrue();
    String token = m.group(1);
    String appBytes = new String(ServletEventApp.events(crlf == 1 ? "\r\n" : "\n", big, 1, 3), StandardCharsets.UTF_8);
    String expected = m.group() + appBytes.replace("id: ", "id: " + token + "_");
    assertThat(body.length()).isEqualTo(expected.length());
    assertThat(body).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void responseWhenNotAnEventStreamThenPassesUntouched(String kind) throws Exception {
    boot();
    HttpResponse<String> r = SseLines.send("GET", uri("/" + kind + "/events?type=json&slt=" + ticket()), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"id\": 7}\nid: 8\n");
    assertThat(r.headers().firstValue("Content-Length")).hasValue("16");
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
  }

  @Test
  void streamWhenAsyncContextDispatchesBackThenTheDispatchIsNotJudgedAgainAndItsIdsAreRewritten() throws Exception {
    boot();
    HttpResponse<String> r = SseLines.send("GET", uri("/async/events?count=2&then=dispatch&slt=" + ticket()), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    Matcher m = Pattern.compile("id: (\\S+)_\n").matcher(r.body());
    assertThat(m.find()).isTrue();
    String token = m.group(1);
    assertThat(r.body()).endsWith("id: " + token + "_1\ndata: event 1\n\nid: " + token + "_2\ndata: event 2\n\n"
        + "id: " + token + "_done\ndata: dispatched\n\n");
    assertThat(app.asyncDispatches).containsExactly("null|count=2&then=dispatch");
    assertThat(app.runs()).isEqualTo(1);
  }

  // ---- rotation ----

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenIdleAndTokenDueThenRotationUpdatesIdSilentlyAndTheReconnectUsesTheNewToken(String kind)
      throws Exception {
    boot(b -> b.tokenRotateAfter(Duration.ofMinutes(10)).tokenTtl(Duration.ofHours(1)));
    try (LdClient client = new LdClient(uri("/" + kind + "/events?count=1&slt=" + ticket()))) {
      Await.until(WAIT, "event 1", () -> client.except("auth").size() == 1);
      String oldToken = tokenOf(client.events.get(1).id());
      clock.advance(Duration.ofMinutes(11));
      Await.until(WAIT, "a rotation event", () -> !client.named("sseauth-rotate").isEmpty());
      LdClient.Seen rotation = client.named("sseauth-rotate").get(0);
      String newToken = tokenOf(rotation.id());
      assertThat(newToken).isNotEqualTo(oldToken);
      assertThat(rotation.id()).isEqualTo(newToken + "_1");
      assertThat(rotation.data()).isEmpty();
      assertThat(client.named("message")).hasSize(1); // no message event from the rotation
      Await.until(WAIT, "the client's last event id", () -> rotation.id().equals(client.lastEventId()));

      app.dropAll();
      Await.until(WAIT, "event 2 after the reconnect", () -> client.named("message").size() >= 2);
      assertThat(rawStreams().get(rawStreams().size() - 1)[1]).isEqualTo(newToken + "_1");
      assertThat(app.seen.get(1).lastEventId()).isEqualTo("1");
      assertThat(client.named("message").get(1).id()).isEqualTo(newToken + "_2");
      assertThat(client.named("message").get(1).data()).isEqualTo("event 2");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenTheAppIsQuietThenHeartbeatsKeepItAliveAndProxiesAreToldNotToBuffer(String kind) throws Exception {
    boot();
    try (SseLines s = SseLines.open(uri("/" + kind + "/events?count=1&slt=" + ticket()), Map.of())) {
      assertThat(s.header("X-Accel-Buffering")).isEqualTo("no");
      assertThat(s.next(WAIT).event()).isEqualTo("auth");
      assertThat(s.next(WAIT).data()).isEqualTo("event 1");
      clock.advance(Duration.ofSeconds(16)); // sseauth.heartbeat: 15 s by default
      s.awaitLine(":", WAIT);
      clock.advance(Duration.ofSeconds(16));
      Await.until(WAIT, "a second heartbeat", () -> s.lines().stream().filter(":"::equals).count() == 2);
      assertThat(s.ended()).isFalse();
      assertThat(app.seen).hasSize(1); // the application wrote nothing more
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenTheClientIsGoneThenTheHeartbeatReleasesItWithoutTheApplicationWriting(String kind) throws Exception {
    boot();
    try (java.net.Socket socket = new java.net.Socket(server.base().getHost(), server.base().getPort())) {
      socket.getOutputStream().write(RawHttp.request("GET", "/" + kind + "/events?count=1&slt=" + ticket(), false));
      java.io.InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      while (!seen.toString().contains("data: event 1\n")) {
        int b = in.read();
        assertThat(b).as("the stream so far: " + seen).isNotNegative();
        seen.append((char) b);
      }
      Await.until(WAIT, "the stream to be live", () -> auth.liveStreams() == 1);
      socket.setSoLinger(true, 0); // the client vanishes: a reset, as when a phone drops off the network
    }
    clock.advance(Duration.ofSeconds(16));
    Await.until(WAIT, "the dead stream released by its heartbeat", () -> auth.liveStreams() == 0);
  }

  @Test
  void streamWhenAppWritesFromSeveralThreadsDuringRotationsThenEveryEventArrivesWhole() throws Exception {
    boot(b -> b.tokenRotateAfter(Duration.ofMinutes(10)).tokenTtl(Duration.ofHours(1)));
    List<SseLines.Event> events = new ArrayList<>();
    try (SseLines s = SseLines.open(uri("/async/events?count=0&then=burst&threads=3&slt=" + ticket()), Map.of())) {
      events.add(s.next(WAIT));
      int rotations = 0;
      while (rotations < 3) {
        clock.advance(Duration.ofMinutes(11));
        SseLines.Event e;
        do {
          e = s.next(WAIT);
          events.add(e);
        } while (!e.event().equals("sseauth-rotate"));
        rotations++;
      }
      app.stopBursts = true;
      Await.until(WAIT, "the stream to end", s::ended);
      for (SseLines.Event e = s.poll(); e != null; e = s.poll()) {
        events.add(e);
      }
      assertThat(app.writeFailures.get()).isZero();
    }
    assertThat(events.get(0).event()).isEqualTo("auth");
    java.util.Set<String> tokens = new java.util.LinkedHashSet<>();
    java.util.Map<String, Integer> nextPerWriter = new java.util.HashMap<>();
    for (SseLines.Event e : events.subList(1, events.size())) {
      String token = tokenOf(e.id());
      String appId = e.id().substring(token.length() + 1);
      tokens.add(token);
      if (e.event().equals("sseauth-rotate")) {
        assertThat(e.data()).isEmpty();
        continue;
      }
      assertThat(e.event()).isEqualTo("message");
      assertThat(e.data()).isEqualTo(appId); // the event arrived whole: its id and data belong together
      String writer = appId.substring(0, appId.indexOf('-'));
      int n = Integer.parseInt(appId.substring(appId.indexOf('-') + 1));
      assertThat(n).isEqualTo(nextPerWriter.getOrDefault(writer, 0)); // none lost, none repeated
      nextPerWriter.put(writer, n + 1);
    }
    assertThat(nextPerWriter).hasSize(3);
    assertThat(tokens).hasSizeGreaterThanOrEqualTo(4); // the first token and three rotated ones
  }

  // ---- revocation and expiry ----

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenSubjectRevokedThenLiveStreamEndsWithinOneSecondAndTheTokenIsRefused(String kind) throws Exception {
    boot();
    try (SseLines s = SseLines.open(uri("/" + kind + "/events?count=2&hb=100&slt=" + ticket()), Map.of())) {
      assertThat(s.status()).isEqualTo(200);
      String token = tokenOf(s.next(WAIT).id());
      assertThat(s.next(WAIT).data()).isEqualTo("event 1");
      assertThat(s.next(WAIT).data()).isEqualTo("event 2");
      assertThat(s.ended()).isFalse();
      auth.revokeSubject("alice").toCompletableFuture().join();
      Await.until(Duration.ofSeconds(1), "the revoked stream to end", s::ended);
      Await.until(WAIT, "the application's next write to fail", () -> app.writeFailures.get() == 1);
      assertRefused401AfterApp(token + "_2");
    }
  }

  void assertRefused401AfterApp(String lastEventId) throws Exception {
    int runs = app.runs();
    HttpResponse<String> r = SseLines.send("GET", uri("/sync/events"), Map.of("Last-Event-ID", lastEventId));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(INVALID);
    assertThat(app.runs()).isEqualTo(runs);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void streamWhenSessionReachesItsDeadlineThenItEndsThereAndNotBefore(String kind) throws Exception {
    boot(b -> b.sessionMaxLifetime(Duration.ofMinutes(5)).tokenRotateAfter(Duration.ofMinutes(10)));
    // heartbeats: a synchronous servlet learns that its stream ended at its next write
    try (SseLines s = SseLines.open(uri("/" + kind + "/events?count=1&hb=100&slt=" + ticket()), Map.of())) {
      String token = tokenOf(s.next(WAIT).id());
      assertThat(s.next(WAIT).data()).isEqualTo("event 1");
      clock.advance(Duration.ofMinutes(5).minusSeconds(1));
      long reads = clock.reads();
      Await.until(WAIT, "the stream checker to run at the new time", () -> clock.reads() >= reads + 3);
      assertThat(s.ended()).isFalse();
      clock.advance(Duration.ofSeconds(1));
      Await.until(WAIT, "the expired stream to end", s::ended);
      Await.until(WAIT, "the application's next write to fail", () -> app.writeFailures.get() == 1);
      clock.advance(Duration.ofMinutes(1)); // past the clock skew tolerated on reconnect
      assertRefused401AfterApp(token + "_1");
    }
  }

  // ---- clients that stop reading ----

  static final int STALLED = 16;

  /**
   * Sixteen clients stop reading while the application keeps writing to them, so its writing threads
   * block for good (no idle timeout ends a blocked write); their streams then have work pending (their
   * own revocation, or a rotation). None of it may hold up another user's stream: its rotation arrives
   * and its revocation ends it within a second.
   */
  @ParameterizedTest(name = "{0} servlet, stalled streams {1}")
  @CsvSource({"sync, revoked", "sync, rotating", "async, revoked", "async, rotating"})
  void streamWhenManyClientsStopReadingThenAnotherStreamStillRotatesAndEndsWithinOneSecondOfRevocation(String kind,
      String pending) throws Exception {
    boot(b -> b.tokenRotateAfter(Duration.ofMinutes(10)).tokenTtl(Duration.ofHours(1)), true);
    List<RawHttp.Stalled> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < STALLED; i++) {
        stalled.add(new RawHttp.Stalled(server.base(),
            "/" + kind + "/events?count=0&then=flood&big=16384&slt=" + ticket("mallory")));
      }
      Await.until(WAIT, STALLED + " application threads blocked writing to clients that stopped reading",
          () -> app.floodWriters.size() == STALLED
              && app.floodWriters.stream().allMatch(ServletAdapterScenarios::blockedInContainerWrite));
      try (SseLines s = SseLines.open(uri("/" + kind + "/events?count=1&hb=50&slt=" + ticket()), Map.of())) {
        assertThat(s.next(WAIT).event()).isEqualTo("auth");
        assertThat(s.next(WAIT).data()).isEqualTo("event 1");
        if (pending.equals("revoked")) {
          auth.revokeSubject("mallory").toCompletableFuture().join();
        } else {
          clock.advance(Duration.ofMinutes(11)); // every stream's token is due
          assertThat(s.next(Duration.ofSeconds(1)).event()).as("the well-behaved stream's rotation")
              .isEqualTo("sseauth-rotate");
        }
        String session = app.seen.stream().filter(x -> "alice".equals(x.principal()))
            .map(x -> ((SessionInfo) x.session()).sessionId()).findFirst().orElseThrow();
        long revoked = System.nanoTime();
        auth.revokeSession(session).toCompletableFuture().join();
        Await.until(Duration.ofSeconds(1).minusNanos(System.nanoTime() - revoked),
            "the revoked stream to end (EOF at the client)", s::ended);
      }
      assertThat(app.floodsEnded.get()).isZero(); // the stalled writes were still blocked all along
    } finally {
      for (RawHttp.Stalled c : stalled) {
        c.close();
      }
    }
    // once their connections reset, the stalled streams' blocked writes fail and every one of them ends
    Await.until(WAIT, "every stalled stream's application to see its write fail",
        () -> app.floodsEnded.get() == STALLED);
  }

  /**
   * Whether {@code t} is parked inside the container's output, below sse-auth's response wrapper: a
   * write to a client that stopped reading (not a wait on sse-auth's own serialisation).
   */
  static boolean blockedInContainerWrite(Thread t) {
    Thread.State state = t.getState();
    if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement f : t.getStackTrace()) {
      String c = f.getClassName();
      if (c.startsWith("dev.sseauth.")) {
        return false;
      }
      if (c.startsWith("org.eclipse.jetty.") || c.startsWith("org.apache.")) {
        return true;
      }
    }
    return false;
  }

  // ---- the ticket endpoint ----

  @Test
  void ticketWhenPostWithPrincipalThenTicketJsonNotCached() throws Exception {
    boot();
    HttpResponse<String> r = SseLines.send("POST", uri("/sse/ticket"), Map.of("X-Test-User", "alice"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(TICKET.matcher(r.body()).matches()).isTrue();
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
  }

  @Test
  void ticketWhenNoPrincipalThenUnauthorized() throws Exception {
    boot();
    HttpResponse<String> r = SseLines.send("POST", uri("/sse/ticket"), Map.of());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.body()).doesNotContain("ticket\"");
  }

  @Test
  void ticketWhenGetThenMethodNotAllowed() throws Exception {
    boot();
    HttpResponse<String> r = SseLines.send("GET", uri("/sse/ticket"), Map.of("X-Test-User", "alice"));
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertThat(r.body()).doesNotContain("ticket\"");
  }

  @Test
  void ticketWhenTooManyOutstandingThenTooManyRequests() throws Exception {
    boot(b -> b.ticketMaxPerSubject(2));
    ticket();
    ticket();
    HttpResponse<String> r = SseLines.send("POST", uri("/sse/ticket"), Map.of("X-Test-User", "alice"));
    assertThat(r.statusCode()).isEqualTo(429);
  }

  @Test
  void pathWhenNotGuardedThenPassesThroughUntouched() throws Exception {
    boot();
    HttpResponse<String> r = SseLines.send("GET", uri("/other"), Map.of());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(app.raw).hasSize(1);
  }
}
