package dev.sseauth.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.fixtures.MiniJson;
import dev.sseauth.testing.fixtures.SseLines;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The demo's endpoints over real HTTP ({@code java.net.http}) on both servers: the flow the README's
 * {@code curl -N} walk-through shows, the app's own login, and its refusals.
 */
class DemoHttpTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static MutableClock clock;
  private static DemoServer demo;

  @BeforeAll
  static void start() throws Exception {
    clock = MutableClock.atRealTime();
    demo = DemoServer.builder().port(0).readEnvironment(false).clock(clock).tickInterval(Duration.ofMillis(50))
        .setting("sseauth.stream.check-interval", "50ms").start();
  }

  @AfterAll
  static void stop() throws Exception {
    demo.close();
  }

  static Stream<String> servers() {
    return Stream.of("servlet", "netty");
  }

  private static URI base(String server) {
    URI u = server.equals("servlet") ? demo.servletUri() : demo.nettyUri();
    return URI.create("http://127.0.0.1:" + u.getPort());
  }

  private static HttpResponse<String> post(String server, String path, String bearer, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(server) + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String login(String server, String user) throws Exception {
    HttpResponse<String> r = post(server, "/api/login", null, "{\"username\":\"" + user + "\",\"password\":\"" + user + "\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    return (String) MiniJson.object(r.body()).get("accessToken");
  }

  private static String ticket(String server, String accessToken) throws Exception {
    HttpResponse<String> r = post(server, "/sse/ticket", accessToken, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return (String) MiniJson.object(r.body()).get("ticket");
  }

  /** An open event stream, read line by line on a thread of its own. */
  private static SseLines sse(String server, String pathAndQuery, String lastEventId) throws Exception {
    return SseLines.open(URI.create(base(server) + pathAndQuery),
        lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId));
  }

  /** The app ids after the token (events only, not the handshake). */
  private static List<Long> appIds(SseLines s) {
    List<Long> out = new ArrayList<>();
    for (String id : s.ids()) {
      String app = id.substring(id.indexOf('_') + 1);
      if (!app.isEmpty()) {
        out.add(Long.parseLong(app));
      }
    }
    return out;
  }

  private static String lastId(SseLines s) {
    List<String> ids = s.ids();
    return ids.get(ids.size() - 1);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void flowWhenLoginTicketStreamAndReconnectOnTheOtherServerThenResumesWithNoGapAndNoRepeat(String server) throws Exception {
    String token = login(server, "alice");
    String other = server.equals("servlet") ? "netty" : "servlet";
    List<Long> seen = new ArrayList<>();
    String last;
    try (SseLines first = sse(server, "/events?slt=" + ticket(server, token), null)) {
      assertThat(first.status()).isEqualTo(200);
      Await.until(Duration.ofSeconds(10), "4 events", () -> appIds(first).size() >= 4);
      first.close();
      seen.addAll(appIds(first));
      last = lastId(first);
      assertThat(first.lines()).contains("event: auth", "data: {\"session\":\"valid\"}");
    }
    // the token in Last-Event-ID is enough, on either server: they share one SseAuth
    try (SseLines second = sse(other, "/events", last)) {
      assertThat(second.status()).isEqualTo(200);
      Await.until(Duration.ofSeconds(10), "3 events after the reconnect", () -> appIds(second).size() >= 3);
      seen.addAll(appIds(second));
      assertThat(second.ids()).allMatch(id -> id.startsWith(last.substring(0, last.indexOf('_') + 1)));
    }
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i)).as("id %d", i).isEqualTo(seen.get(i - 1) + 1);
    }
  }

  @ParameterizedTest
  @MethodSource("servers")
  void ticketWhenResumeParameterGivenThenTheAppResumesAfterIt(String server) throws Exception {
    String token = login(server, "bob");
    long after;
    try (SseLines first = sse(server, "/events?slt=" + ticket(server, token), null)) {
      Await.until(Duration.ofSeconds(10), "2 events", () -> appIds(first).size() >= 2);
      after = appIds(first).get(0);
    }
    try (SseLines resumed = sse(server, "/events?slt=" + ticket(server, token) + "&lastEventId=" + after, null)) {
      Await.until(Duration.ofSeconds(10), "3 events", () -> appIds(resumed).size() >= 3);
      assertThat(resumed.ids().get(0)).endsWith("_" + after); // the handshake carries the resumed id
      assertThat(appIds(resumed).subList(1, 3)).containsExactly(after + 1, after + 2);
    }
  }

  @ParameterizedTest
  @MethodSource("servers")
  void eventsWhenNoTicketOrTokenThen401AndTheAppNeverRuns(String server) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + "/events")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(r.body()).doesNotContain("welcome", "\"type\"");
    HttpResponse<String> spent = HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + "/events?slt=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(spent.statusCode()).isEqualTo(401);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void loginWhenWrongPasswordOrMalformedJsonThen4xx(String server) throws Exception {
    assertThat(post(server, "/api/login", null, "{\"username\":\"alice\",\"password\":\"bob\"}").statusCode()).isEqualTo(401);
    assertThat(post(server, "/api/login", null, "{\"username\":\"mallory\",\"password\":\"mallory\"}").statusCode()).isEqualTo(401);
    assertThat(post(server, "/api/login", null, "{not json").statusCode()).isEqualTo(400);
    assertThat(post(server, "/api/login", null, "").statusCode()).isEqualTo(400);
    assertThat(post(server, "/api/messages", login(server, "alice"), "{\"text\":\"\"}").statusCode()).isEqualTo(400);
    assertThat(post(server, "/api/nothing", null, "{}").statusCode()).isEqualTo(404);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void ticketWhenNoOrForgedBearerThen401(String server) throws Exception {
    assertThat(post(server, "/sse/ticket", null, null).statusCode()).isEqualTo(401);
    String token = login(server, "alice");
    String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
    assertThat(post(server, "/sse/ticket", forged, null).statusCode()).isEqualTo(401);
    assertThat(post(server, "/api/messages", forged, "{\"text\":\"hi\"}").statusCode()).isEqualTo(401);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void messageWhenPostedThenEveryStreamGetsItWithTheNextId(String server) throws Exception {
    String token = login(server, "alice");
    try (SseLines s = sse(server, "/events?slt=" + ticket(server, token), null)) {
      Await.until(Duration.ofSeconds(10), "an event", () -> !appIds(s).isEmpty());
      HttpResponse<String> r = post(server, "/api/messages", token, "{\"text\":\"hello \\\"world\\\"\"}");
      assertThat(r.statusCode()).isEqualTo(200);
      long id = ((Number) MiniJson.object(r.body()).get("id")).longValue();
      Await.until(Duration.ofSeconds(10), "the message", () -> appIds(s).contains(id));
      assertThat(s.lines()).contains("data: {\"type\":\"message\",\"from\":\"alice\",\"text\":\"hello \\\"world\\\"\",\"time\":\""
          + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}");
    }
  }

  @ParameterizedTest
  @MethodSource("servers")
  void logoutEverywhereWhenCalledThenLiveStreamEndsAndTheAccessTokenGetsNoTicket(String server) throws Exception {
    clock.advance(Duration.ofSeconds(1));
    String token = login(server, "bob");
    String other = login(server, "bob"); // a second login elsewhere
    try (SseLines s = sse(server, "/events?slt=" + ticket(server, token), null)) {
      Await.until(Duration.ofSeconds(10), "an event", () -> !appIds(s).isEmpty());
      String last = lastId(s);
      assertThat(post(server, "/api/logout-everywhere", other, null).statusCode()).isEqualTo(200);
      Await.until(Duration.ofSeconds(10), "the live stream to end", s::ended);
      Await.until(Duration.ofSeconds(10), "the token to be refused", () -> {
        try {
          return HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + "/events")).header("Last-Event-ID", last).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 401;
        } catch (Exception e) {
          return false;
        }
      });
    }
    assertThat(post(server, "/sse/ticket", token, null).statusCode()).isEqualTo(401);
    assertThat(post(server, "/sse/ticket", other, null).statusCode()).isEqualTo(401);
    assertThat(post(server, "/api/messages", token, "{\"text\":\"still here?\"}").statusCode()).isEqualTo(401);
    clock.advance(Duration.ofSeconds(1));
    assertThat(post(server, "/sse/ticket", login(server, "bob"), null).statusCode()).isEqualTo(200); // log in again
  }

  @ParameterizedTest
  @MethodSource("servers")
  void staticFilesWhenRequestedThenPageAndHelperAreServedAndNothingElse(String server) throws Exception {
    HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("<script src=\"/sse-auth.js\"></script>");
    HttpResponse<String> js = HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + "/sse-auth.js")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
    assertThat(js.body()).contains("root.SseAuth = ");
    for (String path : List.of("/..%2fpom.xml", "/META-INF/MANIFEST.MF", "/dev/sseauth/demo/DemoServer.class", "/nope.js")) {
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + path)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode()).as(path).isBetween(400, 404);
    }
  }

  @Test
  void storeWhenRedisIsConfiguredThenATicketFromOneServerStreamsOnTheOther() throws Exception {
    try (DemoServer d = DemoServer.builder().port(0).readEnvironment(false).tickInterval(Duration.ofMillis(50))
        .setting("sseauth.store", "redis").setting("sseauth.redis.uri", "redis://127.0.0.1:6379")
        .setting("sseauth.redis.key-prefix", "sseauth-demo-test-" + System.nanoTime() + ":").start()) {
      String servlet = "http://127.0.0.1:" + d.servletUri().getPort();
      String netty = "http://127.0.0.1:" + d.nettyUri().getPort();
      String token = (String) MiniJson.object(HTTP.send(HttpRequest.newBuilder(URI.create(servlet + "/api/login"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice\",\"password\":\"alice\"}")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).get("accessToken");
      String ticket = (String) MiniJson.object(HTTP.send(HttpRequest.newBuilder(URI.create(servlet + "/sse/ticket"))
          .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString()).body()).get("ticket");
      HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(netty + "/events?slt=" + ticket)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        List<String> lines = new ArrayList<>();
        for (String line; lines.size() < 12 && (line = in.readLine()) != null; ) {
          lines.add(line);
        }
        assertThat(lines).contains("event: auth").anyMatch(l -> l.startsWith("data: {\"type\":\"tick\""));
      }
      // spent in Redis: the same ticket is refused on the servlet server
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(servlet + "/events?slt=" + ticket)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void helperWhenPackagedThenItIsInTheCoresJar() {
    // containers serve META-INF/resources/ of a jar in WEB-INF/lib with no code; every adapter brings the core
    var url = dev.sseauth.SseAuth.class.getClassLoader().getResource("META-INF/resources/sse-auth.js");
    assertThat(url).isNotNull();
    assertThat(url.toString()).containsAnyOf("sse-auth-core", "core/target");
  }

  @Test
  void startWhenASettingIsBadThenItFailsNamingKeyAndValue() {
    assertThatThrownBy(() -> DemoServer.builder().port(0).readEnvironment(false).setting("sseauth.token.ttl", "forever").start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sseauth.token.ttl").hasMessageContaining("forever");
    assertThatThrownBy(() -> DemoServer.builder().port(0).readEnvironment(false).setting("sseauth.nope", "1").start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sseauth.nope");
  }

  @Test
  void startWhenSystemPropertySetsAKeyThenTheDemoUsesIt() throws Exception {
    System.setProperty("sseauth.ticket.ttl", "7s");
    try (DemoServer d = DemoServer.builder().port(0).start()) {
      HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(d.servletUri() + "api/login"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice\",\"password\":\"alice\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      String token = (String) MiniJson.object(login.body()).get("accessToken");
      HttpResponse<String> t = HTTP.send(HttpRequest.newBuilder(URI.create(d.nettyUri() + "sse/ticket"))
          .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(MiniJson.object(t.body()).get("expiresIn")).isEqualTo(7.0);
    } finally {
      System.clearProperty("sseauth.ticket.ttl");
    }
  }

  @Test
  void portWhenGivenByFlagOrEnvironmentThenUsedAndNettyIsOneAbove() throws Exception {
    assertThat(DemoMain.port(new String[0], Map.of())).isEqualTo(8080);
    assertThat(DemoMain.port(new String[] {"--port", "9000"}, Map.of("PORT", "7000"))).isEqualTo(9000);
    assertThat(DemoMain.port(new String[] {"--port=9001"}, Map.of())).isEqualTo(9001);
    assertThat(DemoMain.port(new String[0], Map.of("PORT", "7000"))).isEqualTo(7000);
    assertThatThrownBy(() -> DemoMain.port(new String[] {"--port", "http"}, Map.of()))
        .hasMessageContaining("--port").hasMessageContaining("'http'");
    assertThatThrownBy(() -> DemoMain.port(new String[0], Map.of("PORT", "65535"))).hasMessageContaining("PORT");
    int free;
    try (var s = new java.net.ServerSocket(0)) {
      free = s.getLocalPort();
    }
    if (free < 65534) {
      try (DemoServer d = DemoServer.builder().port(free).readEnvironment(false).start()) {
        assertThat(d.servletUri().getPort()).isEqualTo(free);
        assertThat(d.nettyUri().getPort()).isEqualTo(free + 1);
      } catch (Exception e) {
        Throwable t = e;
        while (t != null && !(t instanceof java.net.BindException)) {
          t = t.getCause();
        }
        if (t == null) {
          throw e;
        }
        // a port was taken meanwhile by another process: nothing to check
      }
    }
  }
}
