package dev.sseauth.servlet.it;

import static dev.sseauth.testing.Tickets.redeem;
import static dev.sseauth.testing.Tickets.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.Denied;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.servlet.SseAuthFilter;
import dev.sseauth.servlet.SseAuthTicketServlet;
import dev.sseauth.testing.Leaks;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.fixtures.JettyServer;
import dev.sseauth.testing.fixtures.ServletEventApp;
import dev.sseauth.testing.fixtures.ServletServer;
import dev.sseauth.testing.fixtures.SseLines;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the filter is configured and owned, on a real Jetty: init-params, a properties file, the ticket
 * servlet, the bearer resolver, startup failures and who closes the core.
 */
class FilterConfigurationTest {
  static final String BEARER_SECRET = "the api's own bearer secret, 32+ bytes";

  ServletEventApp app = new ServletEventApp();
  ServletServer server;

  @AfterEach
  void stop() throws Exception {
    app.stop();
    if (server != null) {
      server.close();
    }
  }

  ServletServer.Deployment deployment(SseAuthFilter filter, Map<String, String> params) {
    return new ServletServer.Deployment()
        .filter("login", ServletEventApp.login())
        .filter("sse-auth", filter, params)
        .servlet("/sync/*", app.syncServlet())
        .servlet("/servlet/ticket", new SseAuthTicketServlet())
        .servlet("/", ServletEventApp.notFound());
  }

  @Test
  void initWhenConfiguredByFileAndInitParamsThenInitParamsWinAndTheFilterWorks() throws Exception {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties");
    params.put("sseauth.ticket.path", "/api/sse-ticket");
    server = new JettyServer(deployment(new SseAuthFilter(), params));

    HttpResponse<String> old = SseLines.send("POST", server.base().resolve("/file/ticket"), Map.of("X-Test-User", "al"));
    assertThat(old.statusCode()).isEqualTo(404); // the file's ticket path was overridden
    HttpResponse<String> t = SseLines.send("POST", server.base().resolve("/api/sse-ticket"), Map.of("X-Test-User", "al"));
    assertThat(t.statusCode()).isEqualTo(200);
    assertThat(t.body()).contains("\"expiresIn\":10,"); // from the file
    String ticket = t.body().replaceAll(".*\"ticket\":\"([^\"]+)\".*", "$1");
    HttpResponse<String> s = SseLines.send("GET", server.base().resolve("/sync/events?then=close&count=1&slt=" + ticket),
        Map.of());
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(s.body()).contains("event: auth\nid: ").contains("data: event 1");
    assertThat(app.seen.get(0).principal()).isEqualTo("al");
    // the ticket servlet finds the filter's core in the servlet context
    assertThat(server.contextAttribute(SseAuthFilter.CONTEXT_ATTRIBUTE)).isInstanceOf(SseAuth.class);
    HttpResponse<String> st = SseLines.send("POST", server.base().resolve("/servlet/ticket"), Map.of("X-Test-User", "al"));
    assertThat(st.statusCode()).isEqualTo(200);
    assertThat(st.body()).startsWith("{\"ticket\":\"");
    assertThat(st.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(SseLines.send("GET", server.base().resolve("/servlet/ticket"), Map.of("X-Test-User", "al")).statusCode())
        .isEqualTo(405);
    assertThat(SseLines.send("POST", server.base().resolve("/servlet/ticket"), Map.of()).statusCode()).isEqualTo(401);
  }

  @Test
  void initWhenAnInitParamIsUnknownThenStartupFailsNamingIt() {
    Map<String, String> params = Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties",
        "sseauth.token.tll", "1h");
    // named; its value is not shown, since an unknown key may be a misspelt credential key
    assertThatThrownBy(() -> server = new JettyServer(deployment(new SseAuthFilter(), params)))
        .satisfies(e -> assertThat(messages(e)).contains("sseauth.token.tll").doesNotContain("1h"));
    Map<String, String> other = Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties",
        "tokenTtl", "1h");
    assertThatThrownBy(() -> server = new JettyServer(deployment(new SseAuthFilter(), other)))
        .satisfies(e -> assertThat(messages(e)).contains("tokenTtl"));
  }

  @Test
  void initWhenTheSecretIsNotRandomThenStartupFailsNamingTheKeyAndNothingLoggedShowsIt() {
    String passphrase = "Canary passphrase that is long enough, but not random";
    for (Map<String, String> params : List.of(
        Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties", "sseauth.token.secret", passphrase),
        Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties", "sseauth.tokn.secret", passphrase),
        Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties", "tokenSecret", passphrase))) {
      assertThatThrownBy(() -> server = new JettyServer(deployment(new SseAuthFilter(), params)))
          .satisfies(e -> {
            assertThat(messages(e)).containsAnyOf("sseauth.token.secret", "sseauth.tokn.secret", "tokenSecret");
            Leaks.assertNoneIn(e, passphrase, "Canary");
          });
    }
  }

  @Test
  void initWhenAValueIsBadThenStartupFailsNamingKeyAndValue() {
    Map<String, String> params = Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties",
        "sseauth.ticket.ttl", "0s");
    assertThatThrownBy(() -> server = new JettyServer(deployment(new SseAuthFilter(), params)))
        .satisfies(e -> assertThat(messages(e)).contains("sseauth.ticket.ttl").contains("'0s'"));
    Map<String, String> missing = Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:no-such.properties");
    assertThatThrownBy(() -> server = new JettyServer(deployment(new SseAuthFilter(), missing)))
        .satisfies(e -> assertThat(messages(e)).contains("config-file").contains("no-such.properties"));
  }

  @Test
  void ticketWhenBearerSecretConfiguredThenOnlyAValidBearerJwtGetsATicket() throws Exception {
    Map<String, String> params = Map.of(SseAuthFilter.CONFIG_FILE_PARAM, "classpath:sseauth-test.properties",
        "sseauth.bearer.secret", BEARER_SECRET);
    server = new JettyServer(deployment(new SseAuthFilter(), params));
    var uri = server.base().resolve("/file/ticket");
    String valid = jwt(BEARER_SECRET, "bob", Instant.now().plusSeconds(300));
    HttpResponse<String> ok = SseLines.send("POST", uri, Map.of("Authorization", "Bearer " + valid));
    assertThat(ok.statusCode()).isEqualTo(200);
    String ticket = ok.body().replaceAll(".*\"ticket\":\"([^\"]+)\".*", "$1");
    assertThat(SseLines.send("GET", server.base().resolve("/sync/events?then=close&count=0&slt=" + ticket), Map.of())
        .statusCode()).isEqualTo(200);
    assertThat(app.seen.get(0).principal()).isEqualTo("bob");

    for (String bad : new String[] {
        "Bearer " + jwt("another secret that is 32+ bytes long", "bob", Instant.now().plusSeconds(300)),
        "Bearer " + jwt(BEARER_SECRET, "bob", Instant.now().minusSeconds(300)),
        "Bearer not.a.jwt", "Basic Ym9iOmJvYg==", "Bearer "}) {
      HttpResponse<String> r = SseLines.send("POST", uri, Map.of("Authorization", bad));
      assertThat(r.statusCode()).as(bad).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    }
    // the container principal does not count when bearer tokens are configured
    assertThat(SseLines.send("POST", uri, Map.of("X-Test-User", "al")).statusCode()).isEqualTo(401);
  }

  @Test
  void streamsOnlyWhenInFrontOfTheLoginThenTicketsAreServedBehindItAndStreamsAreJudgedOnce() throws Exception {
    try (SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET)
        .paths(java.util.List.of("/sync/**")).build())) {
      server = new JettyServer(new ServletServer.Deployment()
          .filter("sse-auth-streams", SseAuthFilter.streamsOnly(auth))
          .filter("login", ServletEventApp.login())
          .filter("sse-auth", new SseAuthFilter(auth))
          .servlet("/sync/*", app.syncServlet())
          .servlet("/", ServletEventApp.notFound()));
      // the front filter passes the ticket path on: the login has run when the filter behind it answers
      HttpResponse<String> t = SseLines.send("POST", server.base().resolve("/sse/ticket"), Map.of("X-Test-User", "al"));
      assertThat(t.statusCode()).isEqualTo(200);
      String ticket = t.body().replaceAll(".*\"ticket\":\"([^\"]+)\".*", "$1");
      // the front filter judges the stream (before the login); the one behind passes it on, not redeeming twice
      HttpResponse<String> s = SseLines.send("GET", server.base().resolve("/sync/events?then=close&count=1&slt=" + ticket),
          Map.of());
      assertThat(s.statusCode()).isEqualTo(200);
      assertThat(s.body()).contains("data: event 1");
      assertThat(app.seen.get(0).principal()).isEqualTo("al");
      assertThat(SseLines.send("GET", server.base().resolve("/sync/events"), Map.of("X-Test-User", "al")).statusCode())
          .isEqualTo(401); // the login behind it never makes a stream request without a credential pass
    }
  }

  @Test
  void destroyWhenTheFilterBuiltTheCoreThenClosesItButNeverAGivenOne() throws Exception {
    server = new JettyServer(deployment(new SseAuthFilter(), Map.of(SseAuthFilter.CONFIG_FILE_PARAM,
        "classpath:sseauth-test.properties")));
    SseAuth owned = (SseAuth) server.contextAttribute(SseAuthFilter.CONTEXT_ATTRIBUTE);
    String ownedTicket = ticket(owned, "al");
    server.close();
    server = null;
    assertThat(redeem(owned, ownedTicket)).isInstanceOfSatisfying(Denied.class, // its store was closed
        d -> assertThat(d.reason()).isEqualTo(Reason.INVALID_TICKET));

    try (SseAuth given = SseAuth.create(SseAuthConfig.builder()
        .tokenSecret(TestKeys.OTHER_SECRET).build())) {
      server = new JettyServer(deployment(new SseAuthFilter(given), Map.of()));
      String givenTicket = ticket(given, "al");
      server.close();
      server = null;
      assertThat(redeem(given, givenTicket)).isInstanceOf(Allowed.class);
    }
  }

  static String jwt(String secret, String sub, Instant exp) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        new JWTClaimsSet.Builder().subject(sub).expirationTime(Date.from(exp)).build());
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append(" | ");
      for (Throwable s : t.getSuppressed()) {
        sb.append(messages(s));
      }
    }
    return sb.toString();
  }
}
