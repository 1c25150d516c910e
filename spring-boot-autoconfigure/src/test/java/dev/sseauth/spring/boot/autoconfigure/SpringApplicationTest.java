package dev.sseauth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.launchdarkly.eventsource.StreamHttpErrorException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.spring.boot.autoconfigure.app.DefaultsApplication;
import dev.sseauth.spring.boot.autoconfigure.app.FeedController;
import dev.sseauth.spring.boot.autoconfigure.app.ShopApplication;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.fixtures.Chromium;
import dev.sseauth.testing.fixtures.LdClient;
import dev.sseauth.testing.fixtures.MiniJson;
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
import java.util.Date;
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

/**
 * Real Spring Boot applications on Tomcat and a random port, with the starter's auto-configuration and
 * nothing else of sse-auth's: {@link ShopApplication} (its own Spring Security chains: form login, HTTP
 * basic, an OAuth2 resource server; CSRF on; the SQL store on the application's PostgreSQL
 * {@code DataSource}) and {@link DefaultsApplication} (Spring Security's defaults). Their unchanged
 * {@code SseEmitter} controller is reached by a real SSE client (LaunchDarkly's okhttp-eventsource),
 * {@code java.net.http} and headless Chromium.
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringApplicationTest {
  private static final String SECRET = Base64.getEncoder().encodeToString(TestKeys.SECRET);
  private static final String OPS = "Basic " + Base64.getEncoder().encodeToString("ops:ops-pw".getBytes(StandardCharsets.UTF_8));
  private static final Pattern LOGIN_CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  private static final Pattern PAGE_CSRF = Pattern.compile("name=\"csrf\" content=\"([^\"]+)\"");
  private static final Pattern PAGE_HEADER = Pattern.compile("name=\"csrf-header\" content=\"([^\"]+)\"");

  private static ConfigurableApplicationContext shop;
  private static ConfigurableApplicationContext defaults;

  @BeforeAll
  static void start() {
    shop = start(ShopApplication.class, "sseauth.store=jdbc", "sseauth.jdbc.create-schema=true",
        "sseauth.jdbc.table-prefix=sseauth_boot_", "management.endpoints.web.exposure.include=sseauth,metrics");
    defaults = start(DefaultsApplication.class, "spring.security.user.name=alice",
        "spring.security.user.password=alice-pw");
  }

  /** The application with the README's three properties, and what the test needs. */
  private static ConfigurableApplicationContext start(Class<?> app, String... more) {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> props = new ArrayList<>(List.of("server.port=" + port, "server.address=127.0.0.1",
        "sseauth.token.secret=" + SECRET, "sseauth.paths=/events", "sseauth.origins=http://127.0.0.1:" + port,
        "spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test", "spring.datasource.username=postgres",
        "logging.level.org.springframework.security=DEBUG", "logging.level.org.springframework.web=DEBUG"));
    props.addAll(List.of(more));
    return new SpringApplicationBuilder(app).properties(props.toArray(String[]::new)).run();
  }

  @AfterAll
  static void stop() {
    for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {shop, defaults}) {
      if (c != null) {
        c.getBean(FeedController.class).open.forEach(e -> e.complete());
        c.close();
      }
    }
  }

  @Test
  void apiClientWhenItHasABearerTokenThenItStreamsResumesAndTheActuatorsRevocationEndsItsLiveStream(
      CapturedOutput output) throws Exception {
    FeedController feed = shop.getBean(FeedController.class);
    double issued = count("sseauth.tickets", "outcome:issued");
    double opened = count("sseauth.streams.opened");
    double revoked = count("sseauth.streams.ended", "reason:session_revoked");
    double byTicket = count("sseauth.decisions", "outcome:allowed", "credential:ticket");
    double byToken = count("sseauth.decisions", "outcome:allowed", "credential:token");

    HttpResponse<String> t = send(HttpClient.newHttpClient(), "POST", shop, "/sse/ticket",
        "Authorization", "Bearer " + accessToken("alice"));
    assertThat(t.statusCode()).as(t.body()).isEqualTo(200); // no CSRF token: a bearer token is not ambient
    String ticket = (String) MiniJson.object(t.body()).get("ticket");
    int before = feed.open.size();
    List<String> tokens = new ArrayList<>();
    try (LdClient client = new LdClient(base(shop).resolve("/events?slt=" + URLEncoder.encode(ticket, StandardCharsets.UTF_8)))) {
      Await.until(Duration.ofSeconds(20), "four events over two streams",
          () -> client.except("auth").size() >= 4 && feed.open.size() > before);
      List<LdClient.Seen> events = client.except("auth");
      assertThat(events).extracting(LdClient.Seen::data)
          .containsExactly("event 1 for alice", "event 2 for alice", "event 3 for alice", "event 4 for alice");
      for (int i = 0; i < 4; i++) {
        String id = events.get(i).id();
        assertThat(id).endsWith("_" + (i + 1)); // <token>_<the application's id>
        tokens.add(id.substring(0, id.indexOf('_')));
      }
      // the controller saw the stream's principal, in Principal and in Spring Security's context, and its own ids
      assertThat(feed.seen).contains("alice|alice|null", "alice|alice|2");
      assertThat(MiniJson.object(ops("GET", "/actuator/sseauth").body())).containsEntry("liveStreams", 1.0);

      HttpResponse<String> revoke = ops("POST", "/actuator/sseauth", "{\"kind\":\"subject\",\"id\":\"alice\"}");
      assertThat(revoke.statusCode()).isEqualTo(204);
      Await.until(Duration.ofSeconds(20), "the revoked stream ends and its reconnect is refused",
          () -> client.errors.stream().anyMatch(e -> e instanceof StreamHttpErrorException h && h.getCode() == 401));
      assertThat(MiniJson.object(ops("GET", "/actuator/sseauth").body())).containsEntry("liveStreams", 0.0);
      assertThat(client.except("auth")).hasSize(4);
    }
    assertThat(count("sseauth.tickets", "outcome:issued") - issued).isEqualTo(1);
    assertThat(count("sseauth.streams.opened") - opened).isEqualTo(2);
    assertThat(count("sseauth.streams.ended", "reason:session_revoked") - revoked).isEqualTo(1);
    assertThat(count("sseauth.decisions", "outcome:allowed", "credential:ticket") - byTicket).isEqualTo(1);
    assertThat(count("sseauth.decisions", "outcome:allowed", "credential:token") - byToken).isEqualTo(1);
    // Spring Security and Spring MVC logged every request at DEBUG: never the ticket, never a token
    assertThat(output.getAll()).contains("/events").doesNotContain(ticket);
    tokens.forEach(token -> assertThat(output.getAll()).doesNotContain(token));
  }

  @Test
  void browserWhenLoggedInWithASessionCookieThenThePageStreamsResumesAndComesBackAfterARevocation() throws Exception {
    HttpClient alice = login(shop);
    String session = cookie(alice, "JSESSIONID");
    try (Chromium chromium = Chromium.start("spring-shop")) {
      chromium.setCookie(base(shop).toString(), "JSESSIONID", session);
      chromium.navigate(base(shop).resolve("/page").toString());
      chromium.evaluate("new Promise(r => document.readyState === 'complete' ? r('') : addEventListener('load', () => r('')))",
          Duration.ofSeconds(20));
      Map<String, Object> first = MiniJson.object(chromium.evaluate("window.until(4)", Duration.ofSeconds(30)));
      assertThat(first.get("seen")).as(first.toString()).isEqualTo(List.of("1:event 1 for alice",
          "2:event 2 for alice", "3:event 3 for alice", "4:event 4 for alice")); // the app's ids: no token
      assertThat(ops("POST", "/actuator/sseauth", "{\"kind\":\"subject\",\"id\":\"alice\"}").statusCode()).isEqualTo(204);
      // the live stream ends, its token is refused, the helper gets a new ticket and resumes after 4
      Map<String, Object> then = MiniJson.object(chromium.evaluate("window.until(6)", Duration.ofSeconds(30)));
      assertThat(then.get("seen")).as(then.toString()).isEqualTo(List.of("1:event 1 for alice",
          "2:event 2 for alice", "3:event 3 for alice", "4:event 4 for alice", "5:event 5 for alice",
          "6:event 6 for alice"));
      assertThat(String.valueOf(then.get("statuses"))).contains("refused");
    }
  }

  @Test
  void ticketWhenAskedUnderSpringSecurityThenItsRulesAndCsrfProtectionHold() throws Exception {
    double issued = count("sseauth.tickets", "outcome:issued");
    HttpClient alice = login(shop);
    String page = send(alice, "GET", shop, "/page").body();
    // a cookie alone: CSRF protection refuses it (403; 401 where the error page's dispatch is refused too)
    HttpResponse<String> forged = send(alice, "POST", shop, "/sse/ticket");
    assertThat(forged.statusCode()).isIn(401, 403);
    assertThat(forged.body()).doesNotContain("\"ticket\":");
    HttpResponse<String> ok = send(alice, "POST", shop, "/sse/ticket", group(PAGE_HEADER, page), group(PAGE_CSRF, page));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Cache-Control")).hasValue("no-store");
    String basic = "Basic " + Base64.getEncoder().encodeToString("alice:alice-pw".getBytes(StandardCharsets.UTF_8));
    // a browser sends cached basic credentials on a forged request too: CSRF protection applies
    HttpResponse<String> basicAlone = send(HttpClient.newHttpClient(), "POST", shop, "/sse/ticket", "Authorization", basic);
    assertThat(basicAlone.statusCode()).isIn(401, 403);
    assertThat(basicAlone.body()).doesNotContain("\"ticket\":");
    HttpResponse<String> anonymous = send(HttpClient.newHttpClient(), "POST", shop, "/sse/ticket");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).doesNotContain("\"ticket\":");
    HttpResponse<String> get = send(HttpClient.newHttpClient(), "GET", shop, "/sse/ticket",
        "Authorization", "Bearer " + accessToken("alice"));
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(count("sseauth.tickets", "outcome:issued") - issued).isEqualTo(1);
  }

  @Test
  void streamAndScriptWhenNotLoggedInThenSseAuthAnswersBeforeSpringSecurityAndNamesTheRoute() throws Exception {
    HttpClient anyone = HttpClient.newHttpClient();
    HttpResponse<String> script = send(anyone, "GET", shop, "/sse-auth.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
    assertThat(script.body()).contains("SseAuth");
    for (String target : List.of("/events", "/events?slt=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")) {
      HttpResponse<String> refused = send(anyone, "GET", shop, target, "Accept", "text/event-stream");
      assertThat(refused.statusCode()).as(target).isEqualTo(401); // sse-auth's refusal, not a login redirect
      assertThat(refused.headers().firstValue("Location")).isEmpty();
      assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty(); // Spring Security never ran
    }
    HttpResponse<String> t = send(anyone, "POST", shop, "/sse/ticket", "Authorization", "Bearer " + accessToken("bob"));
    String ticket = (String) MiniJson.object(t.body()).get("ticket");
    HttpResponse<String> foreign = send(anyone, "GET", shop, "/events?slt=" + ticket, "Origin", "https://evil.example");
    assertThat(foreign.statusCode()).isEqualTo(403); // sseauth.origins: another site's page cannot open it
    // a CORS preflight (a fetch-based client sending Last-Event-ID) is the application's CORS handling's
    HttpResponse<String> preflight = send(anyone, "OPTIONS", shop, "/events", "Origin", ShopApplication.PARTNER,
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "last-event-id");
    assertThat(preflight.statusCode()).isEqualTo(200);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ShopApplication.PARTNER);
    assertThat(ops("GET", "/actuator/metrics/http.server.requests?tag=uri:/events").statusCode()).isEqualTo(200);
    assertThat(ops("GET", "/actuator/metrics/http.server.requests?tag=uri:/sse/ticket").statusCode()).isEqualTo(200);
  }

  @Test
  void defaultsWhenTheApplicationHasNoSecurityConfigurationThenTheStarterAloneGuardsItsStream() throws Exception {
    FeedController feed = defaults.getBean(FeedController.class);
    HttpClient alice = login(defaults);
    String page = send(alice, "GET", defaults, "/page").body();
    HttpResponse<String> t = send(alice, "POST", defaults, "/sse/ticket", group(PAGE_HEADER, page), group(PAGE_CSRF, page));
    assertThat(t.statusCode()).as(t.body()).isEqualTo(200);
    String ticket = (String) MiniJson.object(t.body()).get("ticket");
    HttpResponse<String> stream = send(HttpClient.newHttpClient(), "GET", defaults, "/events?slt=" + ticket);
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.body()).contains("data:event 1 for alice", "data:event 2 for alice").doesNotContain(ticket);
    assertThat(feed.seen).contains("alice|alice|null");
    assertThat(send(HttpClient.newHttpClient(), "GET", defaults, "/sse-auth.js").statusCode()).isEqualTo(200);
    assertThat(send(HttpClient.newHttpClient(), "GET", defaults, "/events").statusCode()).isEqualTo(401);
  }

  // --- helpers

  private static URI base(ConfigurableApplicationContext app) {
    return URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
  }

  private static HttpResponse<String> send(HttpClient client, String method, ConfigurableApplicationContext app,
      String target, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base(app).resolve(target)).timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An operator's request to the Actuator, over basic. */
  private static HttpResponse<String> ops(String method, String target) throws Exception {
    return send(HttpClient.newHttpClient(), method, shop, target, "Authorization", OPS);
  }

  /** An operator's write to the Actuator, with a JSON body. */
  private static HttpResponse<String> ops(String method, String target, String json) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base(shop).resolve(target))
        .header("Authorization", OPS).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A meter's count from {@code /actuator/metrics}; 0 if it has not been registered yet. */
  private static double count(String meter, String... tags) throws Exception {
    StringBuilder q = new StringBuilder("/actuator/metrics/" + meter + "?");
    for (String t : tags) {
      q.append("tag=").append(t).append('&');
    }
    HttpResponse<String> r = ops("GET", q.toString());
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

  /** A client logged in through the application's login form: its session cookie, as a browser's. */
  private static HttpClient login(ConfigurableApplicationContext app) throws Exception {
    HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    String form = send(client, "GET", app, "/login").body();
    String body = "username=alice&password=alice-pw&_csrf=" + URLEncoder.encode(group(LOGIN_CSRF, form), StandardCharsets.UTF_8);
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(base(app).resolve("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
    return client;
  }

  private static String cookie(HttpClient client, String name) {
    CookieManager m = (CookieManager) client.cookieHandler().orElseThrow();
    return m.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow()
        .getValue();
  }

  private static String group(Pattern p, String text) {
    Matcher m = p.matcher(text);
    assertThat(m.find()).as("%s in %s", p, text).isTrue();
    return m.group(1);
  }

  private static String accessToken(String subject) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
        .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
    jwt.sign(new MACSigner(ShopApplication.JWT_KEY));
    return jwt.serialize();
  }
}
