package dev.sseauth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.launchdarkly.eventsource.StreamHttpErrorException;
import dev.sseauth.SessionInfo;
import dev.sseauth.spring.boot.autoconfigure.app.ReactiveApplication;
import dev.sseauth.spring.boot.autoconfigure.app.ReactiveFeedController;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.fixtures.LdClient;
import dev.sseauth.testing.fixtures.MiniJson;
import dev.sseauth.testing.fixtures.SseLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * A real Spring Boot WebFlux application on Reactor Netty and a random port, with the starter's
 * auto-configuration and nothing else of sse-auth's: {@link ReactiveApplication}, on Spring Security's
 * reactive defaults (every exchange authenticated, HTTP basic, CSRF protection on) and the Actuator, with
 * only {@code sseauth.token.secret} and {@code sseauth.paths} set. Its unchanged
 * {@code Flux<ServerSentEvent<String>>} controller is reached by a real SSE client (LaunchDarkly's
 * okhttp-eventsource) and {@code java.net.http}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReactiveApplicationTest {
  private static final String SECRET = Base64.getEncoder().encodeToString(TestKeys.SECRET);
  private static final String ALICE = "Basic " + Base64.getEncoder().encodeToString("alice:alice-pw".getBytes(StandardCharsets.UTF_8));
  private static final Pattern PAGE_CSRF = Pattern.compile("name=\"csrf\" content=\"([^\"]+)\"");
  private static final Pattern PAGE_HEADER = Pattern.compile("name=\"csrf-header\" content=\"([^\"]+)\"");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ConfigurableApplicationContext app;
  private static ReactiveFeedController feed;

  @BeforeAll
  static void start() {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    app = new SpringApplicationBuilder(ReactiveApplication.class)
        .initializers(context -> ((GenericApplicationContext) context).registerBean("nettyWebServerFactory", netty()))
        .properties("spring.main.web-application-type=reactive", "server.port=" + port, "server.address=127.0.0.1",
            "sseauth.token.secret=" + SECRET, "sseauth.paths=/events",
            "spring.security.user.name=alice", "spring.security.user.password=alice-pw",
            "management.endpoints.web.exposure.include=sseauth,metrics",
            "logging.level.org.springframework.security=DEBUG", "logging.level.org.springframework.web.reactive=DEBUG")
        .run();
    feed = app.getBean(ReactiveFeedController.class);
  }

  /**
   * Reactor Netty's server factory, whichever Boot line runs: with Tomcat on the test class path too, Boot
   * 3 would serve the reactive application from Tomcat.
   */
  private static Class<?> netty() {
    for (String name : List.of("org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory", // Boot 4
        "org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory")) { // Boot 3
      try {
        return Class.forName(name);
      } catch (ClassNotFoundException e) {
        // the other line
      }
    }
    throw new AssertionError("no NettyReactiveWebServerFactory");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void applicationWhenStartedThenItIsWebFluxOnReactorNettyWithBothFiltersAroundSpringSecurity() throws Exception {
    Object server = app.getClass().getMethod("getWebServer").invoke(app);
    assertThat(server.getClass().getSimpleName()).isEqualTo("NettyWebServer");
    assertThat(app.getBean("sseAuthStreamWebFilter")).isInstanceOf(ReactiveFrontFilter.class);
    assertThat(app.getBean("sseAuthWebFilter")).isInstanceOf(dev.sseauth.webflux.SseAuthWebFilter.class);
    assertThat(app.getBeanNamesForType(org.springframework.boot.web.servlet.FilterRegistrationBean.class)).isEmpty();
  }

  @Test
  void streamWhenTicketedThenItResumesTheControllerSeesTheUserAndTheActuatorsRevocationEndsIt(CapturedOutput output)
      throws Exception {
    double issued = count("sseauth.tickets", "outcome:issued");
    double opened = count("sseauth.streams.opened");
    double revoked = count("sseauth.streams.ended", "reason:session_revoked");
    double byTicket = count("sseauth.decisions", "outcome:allowed", "credential:ticket");
    double byToken = count("sseauth.decisions", "outcome:allowed", "credential:token");
    int seen = feed.seen.size();
    int cancelled = feed.cancelled.get();

    Browser alice = Browser.login();
    String ticket = alice.ticket();
    List<String> tokens = new ArrayList<>();
    SessionInfo session;
    try (LdClient client = new LdClient(base().resolve("/events?slt=" + URLEncoder.encode(ticket, StandardCharsets.UTF_8)))) {
      Await.until(WAIT, "four events over two streams, the second held open",
          () -> client.except("auth").size() >= 4 && feed.open.get() == 1);
      List<LdClient.Seen> events = client.except("auth");
      assertThat(events).extracting(LdClient.Seen::data)
          .containsExactly("event 1 for alice", "event 2 for alice", "event 3 for alice", "event 4 for alice");
      for (int i = 0; i < 4; i++) {
        String id = events.get(i).id();
        assertThat(id).endsWith("_" + (i + 1)); // <token>_<the application's id>
        tokens.add(id.substring(0, id.indexOf('_')));
      }
      // the controller saw the stream's user as Principal, @AuthenticationPrincipal and in the security
      // context its Flux runs in; and only its own ids: none on the first stream, 2 on the resumed one
      assertThat(feed.seen.subList(seen, feed.seen.size())).containsExactly("alice|alice|alice|null", "alice|alice|alice|2");
      List<Object> details = feed.details.subList(feed.details.size() - 2, feed.details.size());
      assertThat(details).allSatisfy(d -> assertThat(d).isInstanceOf(SessionInfo.class));
      session = (SessionInfo) details.get(0);
      assertThat(session.principal().subject()).isEqualTo("alice");
      assertThat(((SessionInfo) details.get(1)).sessionId()).isEqualTo(session.sessionId()); // one session, resumed
      assertThat(MiniJson.object(alice.send("GET", "/actuator/sseauth").body())).containsEntry("liveStreams", 1.0);

      HttpResponse<String> revoke = alice.send("POST", "/actuator/sseauth",
          "{\"kind\":\"session\",\"id\":\"" + session.sessionId() + "\"}");
      assertThat(revoke.statusCode()).isEqualTo(204);
      Await.until(WAIT, "the revoked stream ends, the application's Flux is cancelled and the reconnect is refused",
          () -> feed.open.get() == 0 && client.errors.stream()
              .anyMatch(e -> e instanceof StreamHttpErrorException h && h.getCode() == 401));
      assertThat(feed.cancelled.get() - cancelled).isEqualTo(1);
      assertThat(MiniJson.object(alice.send("GET", "/actuator/sseauth").body())).containsEntry("liveStreams", 0.0);
      assertThat(client.except("auth")).hasSize(4);
    }
    assertThat(count("sseauth.tickets", "outcome:issued") - issued).isEqualTo(1);
    assertThat(count("sseauth.streams.opened") - opened).isEqualTo(2);
    assertThat(count("sseauth.streams.ended", "reason:session_revoked") - revoked).isEqualTo(1);
    assertThat(count("sseauth.decisions", "outcome:allowed", "credential:ticket") - byTicket).isEqualTo(1);
    assertThat(count("sseauth.decisions", "outcome:allowed", "credential:token") - byToken).isEqualTo(1);
    @SuppressWarnings("unchecked")
    List<String> names = (List<String>) MiniJson.object(alice.send("GET", "/actuator/metrics").body()).get("names");
    assertThat(names).contains("sseauth.tickets", "sseauth.decisions", "sseauth.streams.opened", "sseauth.streams.ended");
    // Spring Security and Spring WebFlux logged every request at DEBUG: never the ticket, never a token
    assertThat(output.getAll()).contains("/events").doesNotContain(ticket);
    tokens.forEach(token -> assertThat(output.getAll()).doesNotContain(token));
  }

  @Test
  void streamWhenAllowedThenItIsTheRewrittenStreamAndNoWebSessionIsCreated() throws Exception {
    String ticket = Browser.login().ticket();
    int seen = feed.seen.size();
    String last;
    try (SseLines first = SseLines.open(base().resolve("/events?slt=" + ticket), Map.of())) {
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("Content-Type")).startsWith("text/event-stream");
      assertThat(first.header("Set-Cookie")).isNull(); // Spring Security neither loaded nor saved a WebSession
      assertThat(first.next(WAIT).event()).isEqualTo("auth");
      assertThat(first.next(WAIT).id()).endsWith("_1");
      last = first.next(WAIT).id();
      assertThat(last).endsWith("_2");
      assertThat(first.awaitEnd(WAIT)).isTrue(); // the application ended its first stream
    }
    // the reconnect of a client that keeps the id: the token in Last-Event-ID, the ticket spent
    try (SseLines resumed = SseLines.open(base().resolve("/events"), Map.of("Last-Event-ID", last))) {
      assertThat(resumed.status()).isEqualTo(200);
      assertThat(resumed.header("Set-Cookie")).isNull();
      assertThat(resumed.next(WAIT).data()).isEqualTo("event 3 for alice");
      assertThat(resumed.next(WAIT).data()).isEqualTo("event 4 for alice");
      assertThat(feed.seen.subList(seen, feed.seen.size())).containsExactly("alice|alice|alice|null", "alice|alice|alice|2");
    }
    Await.until(WAIT, "the application's resumed stream is cancelled once the client is gone", () -> feed.open.get() == 0);
  }

  @Test
  void ticketWhenAskedUnderSpringSecurityThenItsRulesAndCsrfProtectionHold() throws Exception {
    double issued = count("sseauth.tickets", "outcome:issued");
    Browser alice = Browser.login();
    // basic credentials without the CSRF token: a browser resends cached ones on a forged request too
    HttpResponse<String> basicAlone = send(HttpClient.newHttpClient(), "POST", "/sse/ticket", "Authorization", ALICE);
    assertThat(basicAlone.statusCode()).isEqualTo(403);
    assertThat(basicAlone.body()).doesNotContain("\"ticket\":");
    HttpResponse<String> anonymous = send(HttpClient.newHttpClient(), "POST", "/sse/ticket");
    assertThat(anonymous.statusCode()).isEqualTo(403);
    assertThat(anonymous.body()).doesNotContain("\"ticket\":");
    // the CSRF token and its session, but no login: Spring Security's challenge, no ticket
    HttpResponse<String> notLoggedIn = send(alice.client, "POST", "/sse/ticket", alice.csrfHeader, alice.csrf);
    assertThat(notLoggedIn.statusCode()).isEqualTo(401);
    assertThat(notLoggedIn.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    assertThat(notLoggedIn.body()).doesNotContain("\"ticket\":");
    HttpResponse<String> ok = alice.send("POST", "/sse/ticket");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(MiniJson.object(ok.body())).containsKey("ticket");
    HttpResponse<String> get = send(HttpClient.newHttpClient(), "GET", "/sse/ticket", "Authorization", ALICE);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(count("sseauth.tickets", "outcome:issued") - issued).isEqualTo(1);
  }

  @Test
  void streamAndScriptWhenNotLoggedInThenSseAuthAnswersBeforeSpringSecurityAndNamesTheRoute() throws Exception {
    HttpClient anyone = HttpClient.newHttpClient();
    HttpResponse<String> script = send(anyone, "GET", "/sse-auth.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
    assertThat(script.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(script.body()).contains("SseAuth");
    HttpResponse<String> head = send(anyone, "HEAD", "/sse-auth.js");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(script.body().getBytes(StandardCharsets.UTF_8).length));
    for (String target : List.of("/events", "/events?slt=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")) {
      HttpResponse<String> refused = send(anyone, "GET", target, "Accept", "text/event-stream");
      assertThat(refused.statusCode()).as(target).isEqualTo(401);
      // sse-auth's refusal, not Spring Security's basic challenge or login redirect; no session started
      assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(refused.headers().firstValue("Location")).isEmpty();
      assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
    }
    // a CORS preflight (a fetch-based client sending Last-Event-ID) is the application's CORS handling's
    HttpResponse<String> preflight = send(anyone, "OPTIONS", "/events", "Origin", ReactiveApplication.PARTNER,
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "last-event-id");
    assertThat(preflight.statusCode()).isEqualTo(200);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ReactiveApplication.PARTNER);
    // the answers sse-auth gives itself are tagged with their route, not UNKNOWN
    Browser alice = Browser.login();
    assertThat(alice.send("POST", "/sse/ticket").statusCode()).isEqualTo(200);
    assertThat(alice.send("GET", "/actuator/metrics/http.server.requests?tag=uri:/events&tag=status:401").statusCode())
        .isEqualTo(200);
    assertThat(alice.send("GET", "/actuator/metrics/http.server.requests?tag=uri:/sse/ticket&tag=status:200").statusCode())
        .isEqualTo(200);
  }

  // --- helpers

  private static URI base() {
    return URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
  }

  private static HttpResponse<String> send(HttpClient client, String method, String target, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base().resolve(target)).timeout(WAIT)
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A client as a browser is after loading the application's page with HTTP basic: its session cookie,
   * which holds the CSRF token (Spring Security WebFlux keeps it in the {@code WebSession}), and the token.
   */
  private record Browser(HttpClient client, String csrfHeader, String csrf) {
    static Browser login() throws Exception {
      HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
          .followRedirects(HttpClient.Redirect.NEVER).build();
      HttpResponse<String> page = ReactiveApplicationTest.send(client, "GET", "/page", "Authorization", ALICE);
      assertThat(page.statusCode()).isEqualTo(200);
      return new Browser(client, group(PAGE_HEADER, page.body()), group(PAGE_CSRF, page.body()));
    }

    /** A request with basic credentials and the CSRF token. */
    HttpResponse<String> send(String method, String target) throws Exception {
      return ReactiveApplicationTest.send(client, method, target, "Authorization", ALICE, csrfHeader, csrf);
    }

    /** A request with basic credentials, the CSRF token and a JSON body. */
    HttpResponse<String> send(String method, String target, String json) throws Exception {
      return client.send(HttpRequest.newBuilder(base().resolve(target)).timeout(WAIT)
          .header("Authorization", ALICE).header(csrfHeader, csrf).header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String ticket() throws Exception {
      HttpResponse<String> t = send("POST", "/sse/ticket");
      assertThat(t.statusCode()).isEqualTo(200);
      return (String) MiniJson.object(t.body()).get("ticket");
    }
  }

  /** A meter's count from {@code /actuator/metrics}; 0 if it has not been registered yet. */
  private static double count(String meter, String... tags) throws Exception {
    StringBuilder q = new StringBuilder("/actuator/metrics/" + meter + "?");
    for (String t : tags) {
      q.append("tag=").append(t).append('&');
    }
    HttpResponse<String> r = send(HttpClient.newHttpClient(), "GET", q.toString(), "Authorization", ALICE);
    if (r.statusCode() == 404) {
      return 0;
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    for (Object m : (List<?>) MiniJson.object(r.body()).get("measurements")) {
      Map<?, ?> measurement = (Map<?, ?>) m;
      if ("COUNT".equals(measurement.get("statistic"))) {
        return (Double) measurement.get("value");
      }
    }
    throw new AssertionError("no COUNT in " + r.body());
  }

  private static String group(Pattern p, String text) {
    Matcher m = p.matcher(text);
    assertThat(m.find()).as("%s in %s", p, text).isTrue();
    return m.group(1);
  }
}
