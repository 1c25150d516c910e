package dev.sseauth.security;

import dev.sseauth.testing.fixtures.GuardedApp;
import dev.sseauth.adapter.Reply;
import dev.sseauth.Reason;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.testing.OddTargets;
import dev.sseauth.testing.fixtures.RawHttp;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks on a running server, one per row of SECURITY.md's table. Every attack asserts the status
 * the adapter answers and that the application never ran; subclasses choose the server. Where a
 * valid credential is needed to make an attack sharp (a real token with a poisoned application id), the
 * test obtains one through the real flow first and counts that one legitimate run.
 */
abstract class AttackSuite {
  Rig rig;

  abstract Target kind();

  Rig boot() throws Exception {
    return boot(b -> b);
  }

  Rig boot(UnaryOperator<SseAuthConfig.Builder> tweak) throws Exception {
    rig = new Rig(kind(), tweak);
    return rig;
  }

  @AfterEach
  void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  /** The response is a refusal with {@code status}, not an event stream, and the app ran {@code runs} times in all. */
  void assertRefused(RawHttp.Response r, int status, int runs) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.eventStream()).as("an event stream: %s", r).isFalse();
    assertThat(r.header("cache-control")).as("Cache-Control of %s", r).isEqualTo("no-store");
    assertThat(rig.app.runs()).as("application runs").isEqualTo(runs);
  }

  /** A 4xx from the adapter or from the server's own parser (which may reject first); the app ran {@code runs} times. */
  void assertRefused4xx(RawHttp.Response r, int runs) {
    assertThat(r.status()).as("status of %s", r).isBetween(400, 499);
    assertThat(r.eventStream()).as("an event stream: %s", r).isFalse();
    assertThat(rig.app.runs()).as("application runs").isEqualTo(runs);
  }

  void assertUnauthorized(RawHttp.Response r, int runs) {
    assertRefused(r, 401, runs);
    assertThat(r.header("www-authenticate")).as("WWW-Authenticate of %s", r).startsWith("Bearer");
  }

  // ---- the control: the harness sees an allowed request ----

  @Test
  void streamWhenTicketValidThenAllowedAndApplicationRunsOnce() throws Exception {
    boot();
    RawHttp.Response r = rig.get("/events?slt=" + rig.ticket() + "&topic=a");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.eventStream()).isTrue();
    assertThat(rig.app.runs()).isEqualTo(1);
    assertThat(rig.app.seen.get(0).query()).isEqualTo("topic=a");
    assertThat(r.text()).contains("event: auth\nid: ").containsPattern("id: [A-Za-z0-9.~-]+_1\n");
  }

  // ---- one behaviour on every adapter: the core's HTTP, rendered as it is ----

  @Test
  void refusalWhenNoCredentialsThenTheCoresReplyExactly() throws Exception {
    boot();
    RawHttp.Response r = rig.get("/events/x");
    Reply expected = Reason.NO_CREDENTIALS.reply();
    assertThat(r.status()).isEqualTo(expected.status());
    for (Reply.Header h : expected.headers()) {
      assertThat(r.header(h.name())).as("%s of %s", h.name(), r).isEqualToIgnoringCase(h.value());
    }
    assertThat(r.body()).isEqualTo(expected.body());
    assertThat(rig.app.runs()).isZero();
  }

  @Test
  void ticketEndpointWhenNotPostThen405WithTheCoresTextOnEveryAdapter() throws Exception {
    boot();
    for (String method : List.of("GET", "PUT", "DELETE")) {
      RawHttp.Response r = rig.send(RawHttp.request(method, "/sse/ticket", "X-Test-User: alice"));
      assertRefused(r, 405, 0);
      assertThat(r.header("allow")).isEqualTo("POST");
      assertThat(r.text()).isEqualTo("only POST is allowed on the ticket endpoint\n");
      assertThat(r.header("content-type")).isEqualToIgnoringCase("text/plain;charset=UTF-8");
    }
  }

  @Test
  void ticketEndpointWhenNoPrincipalThen401OnEveryAdapter() throws Exception {
    boot();
    RawHttp.Response r = rig.send(RawHttp.request("POST", "/sse/ticket"));
    assertUnauthorized(r, 0);
    assertThat(r.text()).isEqualTo(Reason.NOT_AUTHENTICATED.message() + "\n");
  }

  @ParameterizedTest
  @ValueSource(ints = {204, 500})
  void streamWhenTheApplicationAnswersAnotherStatusThenItPassesUntouched(int status) throws Exception {
    boot();
    RawHttp.Response r = rig.get("/events/status/" + status + "?slt=" + rig.ticket());
    assertThat(r.status()).isEqualTo(status);
    assertThat(rig.app.runs()).isEqualTo(1);
    assertThat(r.text()).as("no handshake, no rewritten id").doesNotContain("retry:").doesNotContain("event: auth");
    if (status != 204) {
      assertThat(r.body()).isEqualTo(GuardedApp.EVENT);
    }
  }

  // ---- tickets ----

  @Test
  void ticketWhenReplayedThen401AndApplicationRanOnlyForTheFirstUse() throws Exception {
    boot();
    String ticket = rig.ticket();
    assertThat(rig.get("/events?slt=" + ticket).status()).isEqualTo(200);
    assertUnauthorized(rig.get("/events?slt=" + ticket), 1);
    // the spent ticket, disguised: percent-encoded name and value, extra parameters, a fragment
    StringBuilder encoded = new StringBuilder();
    for (char c : ticket.toCharArray()) {
      encoded.append('%').append(String.format("%02X", (int) c));
    }
    assertUnauthorized(rig.get("/events?%73lt=" + ticket), 1);
    assertUnauthorized(rig.get("/events?slt=" + encoded), 1);
    assertUnauthorized(rig.get("/events?a=1&slt=" + ticket + "&b=2"), 1);
    assertRefused4xx(rig.get("/events?slt=" + ticket + "#x"), 1); // some servers reject the fragment themselves
  }

  @Test
  void ticketWhenTwoClientsRaceThenExactlyOneIsAllowed() throws Exception {
    boot();
    for (int round = 0; round < 5; round++) {
      String ticket = rig.ticket();
      int clients = 8;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          Callable<Integer> c = () -> {
            start.await();
            return rig.get("/events?slt=" + ticket).status();
          };
          results.add(pool.submit(c));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : results) {
          statuses.add(f.get());
        }
        assertThat(statuses).as("round %d", round).containsOnly(200, 401);
        assertThat(statuses.stream().filter(s -> s == 200).count()).as("winners in round %d", round).isEqualTo(1);
        assertThat(rig.app.runs()).isEqualTo(round + 1);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void ticketWhenExpiredThen401() throws Exception {
    boot();
    String ticket = rig.ticket();
    rig.clock.advance(Duration.ofSeconds(30));
    assertUnauthorized(rig.get("/events?slt=" + ticket), 0);
  }

  @Test
  void ticketWhenSentAsTokenThen401() throws Exception {
    boot();
    String ticket = rig.ticket();
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + ticket), 0);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + ticket.replace('_', '~') + "_"), 0);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + ticket + "_1"), 0);
  }

  @Test
  void tokenWhenSentAsTicketThen400AndSessionBurned() throws Exception {
    boot();
    for (java.util.function.UnaryOperator<String> form : List.<java.util.function.UnaryOperator<String>>of(
        w -> w, w -> w.replace('~', '_'), w -> w + "_")) {
      String wire = rig.token();
      int runs = rig.app.runs();
      assertRefused(rig.get("/events?slt=" + form.apply(wire)), 400, runs);
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire + "_1"), runs);
    }
  }

  /**
   * A session token anywhere in the URL, as event-source-polyfill sends it ({@code ?lastEventId=}) or a
   * client that strips ids at the wrong separator: it is in access logs now. 400, the application never
   * runs, and the session is revoked: its live stream ends and the token no longer reconnects.
   */
  @ParameterizedTest
  @ValueSource(strings = {"?slt={TICKET}&lastEventId={ID}", "?lastEventId={ID}", "?x=1&resume={TOKEN}!7", "?q={ID}%20"})
  void tokenWhenInUrlThen400AndSessionRevoked(String query) throws Exception {
    boot();
    String wire = rig.token();
    int runs = rig.app.runs();
    // braced placeholders: a random ticket or token may itself hold "ID" or "TOKEN"
    String target = "/events" + query.replace("{ID}", wire + "_5").replace("{TOKEN}", wire)
        .replace("{TICKET}", rig.ticket());
    RawHttp.Response r = rig.get(target);
    assertRefused(r, 400, runs);
    assertThat(r.text()).doesNotContain(wire);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire + "_5"), runs);
  }

  @Test
  void ticketWhenParameterRepeatedThen400() throws Exception {
    boot();
    String a = rig.ticket();
    String b = rig.ticket();
    assertRefused(rig.get("/events?slt=" + a + "&slt=" + b), 400, 0);
    assertRefused(rig.get("/events?slt=" + a + "&slt=" + a), 400, 0);
    assertRefused(rig.get("/events?slt=" + a + "&%73lt=" + b), 400, 0);
    assertRefused(rig.get("/events?slt=&slt=" + a), 400, 0);
    // neither ticket was spent by the ambiguous requests
    assertThat(rig.get("/events?slt=" + a).status()).isEqualTo(200);
    assertThat(rig.get("/events?slt=" + b).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"%", "%zz", "%00", "%C0%AF", "%2573lt", "+", "%0d%0a", "[]", "%E2%80%AE"})
  void ticketWhenPercentEncodingTrickedThen401(String trick) throws Exception {
    boot();
    String t = rig.ticket();
    // 401 from sse-auth, or 400 from a server that rejects the raw characters itself (Tomcat: "[]"; WebFlux: "%"
    // and "%zz", an escape java.net.URI cannot parse, so Spring's ReactorHttpHandlerAdapter cannot build the
    // request's URI and answers 400 before any WebFilter runs)
    assertRefused4xx(rig.get("/events?slt=" + trick), 0);
    assertRefused4xx(rig.get("/events?slt=" + t + trick), 0);
    assertRefused4xx(rig.get("/events?slt=" + trick + t), 0);
    assertRefused4xx(rig.get("/events?" + trick + "slt=" + t), 0); // not the ticket parameter: no credentials
    assertThat(rig.get("/events?slt=" + t).status()).isEqualTo(200); // none of them spent the ticket
  }

  // ---- tokens (RFC 8725) ----

  @Test
  void tokenWhenClaimsTamperedThen401() throws Exception {
    boot();
    String wire = rig.token();
    String[] parts = wire.replace('~', '_').split("\\.");
    JWTClaimsSet original = Rig.claims(wire);
    JWTClaimsSet evil = new JWTClaimsSet.Builder(original).subject("admin").build();
    String forged = parts[0] + "." + Base64URL.encode(evil.toString()) + "." + parts[2];
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(forged, "1")), 1);
    // a signature flipped in its first character
    char c = parts[2].charAt(0) == 'A' ? 'B' : 'A';
    String flipped = parts[0] + "." + parts[1] + "." + c + parts[2].substring(1);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(flipped, "1")), 1);
    // the real token still works: only the forgeries were refused
    assertThat(rig.get("/events", "Last-Event-ID: " + wire + "_1").status()).isEqualTo(200);
  }

  @Test
  void tokenWhenResignedWithAnotherKeyThen401() throws Exception {
    boot();
    JWTClaimsSet claims = rig.validClaims("alice").build();
    String attackerRs = Rig.sign(Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build(), claims,
        new RSASSASigner(Rig.ATTACKER_RSA));
    String attackerHs = Rig.sign(Rig.header(JWSAlgorithm.HS256, Rig.HS_KID).build(), claims,
        new MACSigner("attacker-secret-0123456789-0123456789-xyz".getBytes(StandardCharsets.US_ASCII)));
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(attackerRs, "")), 0);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(attackerHs, "")), 0);
    // control: the same claims signed with the server's key are accepted
    String genuine = Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build(), claims);
    assertThat(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(genuine, "")).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void tokenWhenAlgNoneThen401(String alg) throws Exception {
    boot();
    JWTClaimsSet claims = rig.validClaims("alice").build();
    String header = "{\"alg\":\"" + alg + "\",\"typ\":\"sseauth+jwt\",\"kid\":\"" + Rig.RS_KID + "\"}";
    String unsigned = Base64URL.encode(header) + "." + Base64URL.encode(claims.toString()) + ".";
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(unsigned, "")), 0);
    // with the signature of a real token attached
    String real = rig.token().replace('~', '_');
    String grafted = Base64URL.encode(header) + "." + Base64URL.encode(claims.toString()) + "." + real.split("\\.")[2];
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(grafted, "")), 1);
  }

  @Test
  void tokenWhenHsRsConfusedThen401() throws Exception {
    boot();
    JWTClaimsSet claims = rig.validClaims("alice").build();
    // HS256 keyed with the RSA public key's bytes, under the RSA key's kid (the classic confusion)
    List<byte[]> publicForms = List.of(
        Rig.RSA.toPublicKey().getEncoded(),
        Rig.RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
        ("-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(Rig.RSA.toPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n")
            .getBytes(StandardCharsets.US_ASCII));
    for (byte[] secret : publicForms) {
      String confused = Rig.sign(Rig.header(JWSAlgorithm.HS256, Rig.RS_KID).build(), claims, new MACSigner(secret));
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(confused, "")), 0);
    }
    // RS256 under the HMAC key's kid
    String swapped = Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, Rig.HS_KID).build(), claims);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(swapped, "")), 0);
    // the HMAC key's own algorithm with a secret that is not its own, under kid rs1 (HS256 with HS_SECRET)
    String hsUnderRs = Rig.sign(Rig.header(JWSAlgorithm.HS256, Rig.RS_KID).build(), claims, new MACSigner(Rig.HS_SECRET));
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(hsUnderRs, "")), 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nope", "RS1", "rs1 ", "../../../../dev/null", "rs1' OR '1'='1", "rs1\u0000", "", "*",
      "hs-old/../rs1", "${jndi:ldap://127.0.0.1/a}"})
  void tokenWhenKidUnknownOrInjectedThen401(String kid) throws Exception {
    boot();
    JWTClaimsSet claims = rig.validClaims("alice").build();
    String token = Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, kid).build(), claims);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(token, "")), 0);
  }

  @Test
  void tokenWhenKidMissingThen401() throws Exception {
    boot();
    JWTClaimsSet claims = rig.validClaims("alice").build();
    String token = Rig.signWithServerKey(new JWSHeader.Builder(JWSAlgorithm.RS256).type(Rig.TYP).build(), claims);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(token, "")), 0);
  }

  @Test
  void tokenWhenHeaderCarriesJkuX5uJwkOrX5cThen401AndNoKeyIsFetched() throws Exception {
    boot();
    AtomicInteger fetches = new AtomicInteger();
    HttpServer keys = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] jwks = new JWKSet(Rig.ATTACKER_RSA.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    keys.createContext("/", ex -> {
      fetches.incrementAndGet();
      ex.sendResponseHeaders(200, jwks.length);
      ex.getResponseBody().write(jwks);
      ex.close();
    });
    keys.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + keys.getAddress().getPort() + "/jwks.json");
      JWTClaimsSet claims = rig.validClaims("alice").build();
      RSASSASigner attacker = new RSASSASigner(Rig.ATTACKER_RSA);
      List<JWSHeader> headers = List.of(
          Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).jwkURL(url).build(),
          Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).x509CertURL(url).build(),
          Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).jwk(Rig.ATTACKER_RSA.toPublicJWK()).build(),
          Rig.header(JWSAlgorithm.RS256, "attacker").jwkURL(url).build(),
          Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode(
              Rig.ATTACKER_RSA.toPublicKey().getEncoded()))).build());
      for (JWSHeader h : headers) {
        String token = Rig.sign(h, claims, attacker);
        assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(token, "")), 0);
        // the same header on a token the server's own key signed: refused for the header alone
        String own = Rig.signWithServerKey(h, claims);
        assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(own, "")), 0);
      }
      assertThat(fetches.get()).as("key URLs fetched").isZero();
    } finally {
      keys.stop(0);
    }
  }

  @Test
  void tokenWhenIssuerAudienceOrTypeForeignThen401() throws Exception {
    boot();
    JWSHeader rs = Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build();
    List<JWTClaimsSet> claims = List.of(
        rig.validClaims("alice").issuer("https://evil.example").build(),
        rig.validClaims("alice").issuer(null).build(),
        rig.validClaims("alice").audience("another-app").build(),
        rig.validClaims("alice").audience((String) null).build());
    for (JWTClaimsSet c : claims) {
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(Rig.signWithServerKey(rs, c), "")), 0);
    }
    JWTClaimsSet good = rig.validClaims("alice").build();
    for (JWSHeader h : List.of(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(Rig.RS_KID).build(),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(Rig.RS_KID).type(com.nimbusds.jose.JOSEObjectType.JWT).build(),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(Rig.RS_KID).type(new com.nimbusds.jose.JOSEObjectType("at+jwt")).build())) {
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(Rig.signWithServerKey(h, good), "")), 0);
    }
  }

  @Test
  void tokenWhenSessionRevokedThen401() throws Exception {
    boot();
    String wire = rig.token();
    String other = rig.token("alice");
    rig.auth.revokeSession(Rig.claims(wire).getStringClaim("sid")).toCompletableFuture().join();
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire + "_1"), 2);
    // only that session: alice's other session goes on
    assertThat(rig.get("/events", "Last-Event-ID: " + other + "_1").status()).isEqualTo(200);
  }

  @Test
  void tokenWhenSubjectRevokedThen401() throws Exception {
    boot();
    String alice1 = rig.token("alice");
    String alice2 = rig.token("alice");
    String bob = rig.token("bob");
    rig.clock.advance(Duration.ofSeconds(1));
    rig.auth.revokeSubject("alice").toCompletableFuture().join();
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + alice1 + "_1"), 3);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + alice2 + "_1"), 3);
    assertThat(rig.get("/events", "Last-Event-ID: " + bob + "_1").status()).isEqualTo(200);
  }

  @Test
  void tokenWhenPastAbsoluteCapThen401() throws Exception {
    boot(b -> b.sessionMaxLifetime(Duration.ofHours(2)).tokenTtl(Duration.ofHours(1)).tokenRotateAfter(Duration.ofMinutes(10)));
    // a correctly signed token whose session started longer ago than the cap, with a fresh exp
    Instant now = rig.clock.instant();
    JWTClaimsSet old = rig.validClaims("alice").claim("sst", now.minus(Duration.ofHours(2)).minusSeconds(31).toEpochMilli())
        .build();
    String capped = Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build(), old);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(capped, "")), 0);
    // the real flow: a session kept alive by reconnecting with fresh tokens ends at the cap
    String wire = rig.token();
    for (int i = 0; i < 2; i++) {
      rig.clock.advance(Duration.ofMinutes(50));
      RawHttp.Response r = rig.get("/events", "Last-Event-ID: " + wire + "_1");
      assertThat(r.status()).as("reconnect %d", i).isEqualTo(200);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("id: ([A-Za-z0-9.~-]+)_1\n").matcher(r.text());
      assertThat(m.find()).isTrue();
      wire = m.group(1); // rotated at reconnect
    }
    int runs = rig.app.runs();
    rig.clock.advance(Duration.ofMinutes(50)); // 150 minutes after the session started, 2 h cap
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire + "_1"), runs);
  }

  // ---- compact tokens (the default format), on the compact rig: HS256 key hs-new signing, hs-old verifying ----

  private static byte[] bytes(String wire) {
    return java.util.Base64.getUrlDecoder().decode(wire.replace('~', '_'));
  }

  private static String wire(byte[] token) {
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(token).replace('_', '~');
  }

  private static final int TAG = 16;

  @Test
  void compactTokenWhenAnyByteTamperedThen401() throws Exception {
    boot(Rig::compact);
    String wire = rig.token();
    assertThat(wire).doesNotContain(".").hasSizeLessThanOrEqualTo(100);
    byte[] b = bytes(wire);
    int tag = b.length - TAG;
    // the version byte, the key tag, the flags, the session id, the claims, the tag: one bit flipped
    for (int at : new int[] {0, 1, 5, 6, 7, 8, b.length / 2, tag - 1, tag, b.length - 1}) {
      for (int bit : new int[] {0, 7}) {
        byte[] t = b.clone();
        t[at] ^= (byte) (1 << bit);
        assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire(t) + "_1"), 1);
      }
    }
    // the subject rewritten in place, alice to admin
    byte[] alice = "alice".getBytes(StandardCharsets.US_ASCII);
    int sub = -1;
    for (int i = 0; i + alice.length <= tag && sub < 0; i++) {
      if (java.util.Arrays.equals(b, i, i + alice.length, alice, 0, alice.length)) {
        sub = i;
      }
    }
    assertThat(sub).as("the subject in the token").isPositive();
    byte[] admin = b.clone();
    System.arraycopy("admin".getBytes(StandardCharsets.US_ASCII), 0, admin, sub, alice.length);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire(admin) + "_1"), 1);
    // one character of the wire form replaced
    char c = wire.charAt(20) == 'A' ? 'B' : 'A';
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire.substring(0, 20) + c + wire.substring(21) + "_1"), 1);
    // the real token still works: only the forgeries were refused
    assertThat(rig.get("/events", "Last-Event-ID: " + wire + "_1").status()).isEqualTo(200);
  }

  @Test
  void compactTokenWhenTagForgedTruncatedExtendedOrGraftedThen401() throws Exception {
    boot(Rig::compact);
    String wire = rig.token();
    byte[] b = bytes(wire);
    int tag = b.length - TAG;
    byte[] zero = b.clone();
    java.util.Arrays.fill(zero, tag, b.length, (byte) 0);
    byte[] random = b.clone();
    byte[] noise = new byte[TAG];
    new java.security.SecureRandom().nextBytes(noise);
    System.arraycopy(noise, 0, random, tag, TAG);
    byte[] twice = java.util.Arrays.copyOf(b, b.length + TAG);
    System.arraycopy(b, tag, twice, b.length, TAG);
    for (byte[] forged : List.of(zero, random, java.util.Arrays.copyOf(b, b.length - 1), java.util.Arrays.copyOf(b, tag + 8),
        java.util.Arrays.copyOf(b, tag), java.util.Arrays.copyOf(b, b.length + 1), twice)) {
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire(forged) + "_1"), 1);
    }
    // bob's claims under alice's tag
    byte[] bob = bytes(rig.token("bob"));
    byte[] grafted = java.util.Arrays.copyOf(bob, bob.length);
    System.arraycopy(b, tag, grafted, bob.length - TAG, TAG);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire(grafted) + "_1"), 2);
    assertThat(rig.get("/events", "Last-Event-ID: " + wire + "_1").status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"hs-new", "hs-old", "nope", "HS-NEW", "hs-new ", "hs-new\u0000", "../hs-new",
      "${jndi:ldap://127.0.0.1/a}"})
  void compactTokenWhenTaggedWithAnotherSecretOrUnknownKidThen401(String kid) throws Exception {
    boot(Rig::compact);
    byte[] attacker = new byte[32];
    new java.security.SecureRandom().nextBytes(attacker);
    String withAttackersSecret = rig.compactToken(SessionKey.hmac(kid, attacker), "alice");
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(withAttackersSecret, "")), 0);
    if (!kid.equals(Rig.HS_NEW_KID) && !kid.equals(Rig.HS_KID)) {
      // the server's own secret under a kid it does not know: the tag selects among configured keys only
      String unknownKid = rig.compactToken(SessionKey.hmac(kid, Rig.HS_NEW_SECRET), "alice");
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(unknownKid, "")), 0);
    }
  }

  @Test
  void compactTokenWhenKeyTagSwappedThen401AndEachConfiguredKeyVerifiesItsOwn() throws Exception {
    boot(Rig::compact);
    SessionKey own = SessionKey.hmac(Rig.HS_NEW_KID, Rig.HS_NEW_SECRET);
    SessionKey old = SessionKey.hmac(Rig.HS_KID, Rig.HS_SECRET);
    byte[] mine = bytes(rig.compactToken(own, "alice"));
    byte[] olds = bytes(rig.compactToken(old, "alice"));
    byte[] swapped = mine.clone();
    System.arraycopy(olds, 1, swapped, 1, 5); // the key tag after the version byte
    assertThat(swapped).isNotEqualTo(mine);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire(swapped) + "_1"), 0);
    // control: both configured keys verify their own tokens (key rotation: the old kid still verifies)
    assertThat(rig.get("/events", "Last-Event-ID: " + wire(mine) + "_1").status()).isEqualTo(200);
    assertThat(rig.get("/events", "Last-Event-ID: " + wire(olds) + "_1").status()).isEqualTo(200);
  }

  @Test
  void compactTokenWhenExpiredOrPastTheSessionCapThen401() throws Exception {
    boot(b -> Rig.compact(b).sessionMaxLifetime(Duration.ofHours(2)));
    String wire = rig.token();
    rig.clock.advance(Duration.ofHours(1).plusSeconds(31)); // the token TTL, the 30 s skew, and its second truncated
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire + "_1"), 1);
    // correctly tagged, issued now, its session started longer ago than the cap
    SessionKey own = SessionKey.hmac(Rig.HS_NEW_KID, Rig.HS_NEW_SECRET);
    String capped = rig.compactToken(own, Rig.AUDIENCE, Rig.ISSUER, "alice",
        rig.clock.instant().minus(Duration.ofHours(2)).minusSeconds(31));
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(capped, "")), 1);
  }

  @Test
  void compactTokenWhenAnotherAudienceIssuerOrDeploymentThen401() throws Exception {
    boot(Rig::compact);
    SessionKey own = SessionKey.hmac(Rig.HS_NEW_KID, Rig.HS_NEW_SECRET);
    Instant now = rig.clock.instant();
    for (String[] audienceIssuer : new String[][] {{"another-app", Rig.ISSUER}, {Rig.AUDIENCE, "https://evil.example"},
        {Rig.AUDIENCE, null}}) {
      String foreign = rig.compactToken(own, audienceIssuer[0], audienceIssuer[1], "alice", now);
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(foreign, "")), 0);
    }
    // another deployment sharing the key, bound to its own store's deployment id
    try (dev.sseauth.SseAuth other = dev.sseauth.SseAuth.create(Rig.compact(Rig.defaults(rig.clock)).tokenAudience(null).build())) {
      String foreign = dev.sseauth.testing.Tickets.handshakeId(other, "alice");
      assertUnauthorized(rig.get("/events", "Last-Event-ID: " + foreign + "1"), 0);
    }
    // control: the same token for this deployment is allowed
    assertThat(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(rig.compactToken(own, "alice"), "")).status())
        .isEqualTo(200);
  }

  /** A compact token anywhere in the URL: 400, the session revoked, as for a JWS. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5})
  void compactTokenWhenInUrlThen400AndSessionRevoked(int form) throws Exception {
    boot(Rig::compact);
    String wire = rig.token();
    int runs = rig.app.runs();
    StringBuilder encoded = new StringBuilder();
    for (char c : wire.toCharArray()) {
      encoded.append('%').append(String.format("%02X", (int) c));
    }
    String query = switch (form) {
      case 0 -> "?slt=" + rig.ticket() + "&lastEventId=" + wire + "_5";
      case 1 -> "?lastEventId=" + wire + "_5";
      case 2 -> "?x=1&resume=" + wire + "!7";
      case 3 -> "?q=" + wire + "_5%20";
      case 4 -> "?q=" + encoded + "_5";
      default -> "?plain=" + wire.replace('~', '_') + "_3"; // not in wire form
    };
    RawHttp.Response r = rig.get("/events" + query);
    assertRefused(r, 400, runs);
    assertThat(r.text()).doesNotContain(wire);
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + wire + "_5"), runs);
  }

  // ---- Last-Event-ID bytes (raw sockets) ----

  @ParameterizedTest
  @ValueSource(strings = {"\r", "\n", "\r\n", "\u0000", "\u00C3\u0028", "\u00FF\u00FE", "\u00ED\u00A0\u0080",
      "\u00C0\u00AF", "\u00F8\u0088\u0080\u0080\u0080", "\u0080"})
  void lastEventIdWhenControlBytesOrInvalidUtf8Then4xx(String bytes) throws Exception {
    boot();
    String wire = rig.token();
    // after a valid token, in the application's id
    RawHttp.Response after = rig.get("/events", "Last-Event-ID: " + wire + "_1" + bytes + "2");
    if (bytes.equals("\r\n") && after.status() == 200) {
      // a lenient parser (Netty) ends the header at CRLF and reads "2" as a header line of its own:
      // the value then is the valid "<token>_1", and the application sees only "1"
      assertThat(rig.app.runs()).isEqualTo(2);
      assertThat(rig.app.seen.get(1).lastEventId()).isEqualTo("1");
      return;
    }
    assertRefused4xx(after, 1);
    // inside the token
    assertRefused4xx(rig.get("/events", "Last-Event-ID: " + wire.substring(0, 20) + bytes + wire.substring(20) + "_1"), 1);
    // alone
    assertRefused4xx(rig.get("/events", "Last-Event-ID: " + bytes), 1);
  }

  @Test
  void lastEventIdWhen100KiBThen4xx() throws Exception {
    boot();
    String wire = rig.token();
    String big = "9".repeat(100 * 1024);
    assertRefused4xx(rig.get("/events", "Last-Event-ID: " + wire + "_" + big), 1);
    assertRefused4xx(rig.get("/events", "Last-Event-ID: " + big), 1);
    assertRefused4xx(rig.get("/events?slt=" + rig.ticket(), "Last-Event-ID: " + "A".repeat(100 * 1024) + "_"), 1);
    // a long token alone (under the server's header limit, over sseauth.token.max-length)
    assertUnauthorized(rig.get("/events", "Last-Event-ID: " + "A.".repeat(3000) + "_1"), 1);
  }

  /**
   * A header larger than both ends' socket buffers: the server refuses it before it has read it all
   * and closes with input unread, so the rest of the client's write is reset. The refusal was sent
   * first and is what the client must see; the server keeps serving new connections.
   */
  @Test
  void lastEventIdWhenLargerThanTheSocketBuffersThen4xx() throws Exception {
    boot();
    assertRefused4xx(rig.get("/events", "Last-Event-ID: " + "9".repeat(16 * 1024 * 1024)), 0);
    assertThat(rig.get("/events?slt=" + rig.ticket()).status()).isEqualTo(200);
  }

  @Test
  void lastEventIdWhenHeaderRepeatedOrRenamedThenOnlyValidTokensCount() throws Exception {
    boot();
    String wire = rig.token();
    assertUnauthorized(rig.send(RawHttp.request("GET", "/events", "Last-Event-ID: garbage_1", "Last-Event-ID: " + wire + "_1")), 1);
    assertUnauthorized(rig.get("/events", "LAST-EVENT-ID: garbage_1"), 1);
    assertUnauthorized(rig.get("/events", "Last-Event-Id: " + "x" + wire + "_1"), 1);
    assertUnauthorized(rig.get("/events", "Last-Event-ID-X: " + wire + "_1"), 1);
    assertUnauthorized(rig.get("/events", "X-Last-Event-ID: " + wire + "_1"), 1);
    // header names are case-insensitive: the real token under any case is allowed, and the app sees only its id
    RawHttp.Response ok = rig.get("/events", "last-event-id: " + wire + "_7");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(rig.app.runs()).isEqualTo(2);
    assertThat(rig.app.seen.get(1).lastEventId()).isEqualTo("7");
  }

  // ---- Origin ----

  @ParameterizedTest
  @ValueSource(strings = {"https://evil.example", "null", "https://app.example.evil.example", "http://app.example",
      "https://app.example:444", "HTTPS://APP.EXAMPLE", "https://app.example/", "https://app.example\t.evil"})
  void originWhenForeignThen403AndTicketNotSpent(String origin) throws Exception {
    boot();
    String ticket = rig.ticket();
    assertRefused(rig.get("/events?slt=" + ticket, "Origin: " + origin), 403, 0);
    String wire = rig.token();
    assertRefused(rig.get("/events", "Origin: " + origin, "Last-Event-ID: " + wire + "_1"), 403, 1);
    assertThat(rig.get("/events?slt=" + ticket, "Origin: " + Rig.ORIGIN).status()).isEqualTo(200);
  }

  // ---- paths and methods ----

  @ParameterizedTest
  @ValueSource(strings = {"/events", "/events/", "/EVENTS", "/Events/x", "/events;x=1", "/events;jsessionid=1/x",
      "/a/../events", "/./events", "//events", "/events/.", "/%65vents", "/events%2F", "/events%2fx", "/a%2F..%2Fevents",
      "/a/%2E%2E/events", "/events%00", "/events%5c", "/a%5c..%5cevents", "/a/..%2Fevents", "/%2565vents",
      "/events/%2e%2e/events", "/x/..;/events", "/events%3Bx", "/events?", "/events#frag", "/EVENTS/stream;a=b"})
  void pathWhenTrickedThen4xxAndApplicationNeverRuns(String path) throws Exception {
    boot();
    assertRefused4xx(rig.send(RawHttp.request("GET", path)), 0);
    assertRefused4xx(rig.send(RawHttp.request("GET", path, "Last-Event-ID: forged_1")), 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /events?a\nb HTTP/1.1", "GET /events?a\rb HTTP/1.1", "GET /ev\u0000ents HTTP/1.1",
      "GET /events", "GET  /events HTTP/1.1", "GET /events HTTP/1.1 extra", "GET /events HTTP/9.9", "GET\t/events HTTP/1.1"})
  void requestLineWhenMalformedThenRefusedAndApplicationNeverRuns(String line) throws Exception {
    boot();
    byte[] request = RawHttp.latin1(line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    try {
      RawHttp.Response r = rig.send(request);
      // the server's parser answers (400, or Jetty's 505 for a line without a version; on WebFlux, Spring's 400
      // for the NUL, which java.net.URI cannot parse, before any WebFilter runs) or sse-auth does
      assertThat(r.status()).as("%s", r).isGreaterThanOrEqualTo(400);
      assertThat(r.eventStream()).isFalse();
    } catch (java.io.IOException closedWithoutAnswer) {
      // some servers just close the connection; Netty and Reactor Netty (WebFlux) take HTTP/9.9 as a version
      // and sse-auth refuses in it ("HTTP/9.9 401"), which RawHttp does not read as a response
    }
    assertThat(rig.app.runs()).isZero();
  }

  /**
   * The differential test of odd request targets: every target of {@link OddTargets#corpus()} that any
   * common reading (java.net.URI, Netty's QueryStringDecoder, a cut at {@code ?}) routes to a guarded
   * path is refused without credentials, by the server's parser or by sse-auth, and the application
   * never runs: an application routes on its own reading of the target, not on the guard's.
   */
  @Test
  void pathWhenAnyRouterReadsTheTargetAsGuardedThen4xxAndApplicationNeverRuns() throws Exception {
    boot();
    List<String> patterns = rig.auth.config().paths();
    List<String> targets = OddTargets.routed(patterns, OddTargets.allReadings());
    assertThat(targets).contains("//host/events", "http:/events", "HTTP:/events?a=b");
    List<String> failures = new ArrayList<>();
    int runs = 0;
    for (String target : targets) {
      RawHttp.Response r = rig.get(target);
      if (r.status() < 400 || r.status() >= 500 || r.eventStream() || rig.app.runs() != runs) {
        failures.add(target + " -> " + r.status() + (rig.app.runs() == runs ? "" : ", the application ran") + " (routed by "
            + OddTargets.routedBy(target, patterns, OddTargets.allReadings()) + ")");
        runs = rig.app.runs();
      }
    }
    assertThat(failures).as("%s: of %d targets routed to a guarded path", rig.server.name(), targets.size()).isEmpty();
  }

  /**
   * A target the path matcher cannot read unambiguously (an encoded control character, slash or backslash,
   * bad percent-encoding, {@code ..} above the root) is guarded, since a router might read it as a guarded
   * path. But it must not be allowed either: a stream's session token would then open any route the
   * router reads in it (a JSON API handler, authenticated as the stream's user behind Spring Security).
   * Refused, token or not.
   */
  @Test
  void pathWhenUnreadableThenRefusedEvenWithAValidTokenAndApplicationNeverRuns() throws Exception {
    boot();
    String wire = rig.token();
    List<String> failures = new ArrayList<>();
    int runs = rig.app.runs(); // the token's own stream ran it
    for (String target : List.of("/api/search/x%01", "/api/search/x%7F", "/api/search/x%09", "/api/a%2Fb",
        "/api/a%5Cb", "/api/%zz", "/api/x%00", "/../api/search", "/events/%2e%2e/%2e%2e/api", "/events%01")) {
      RawHttp.Response r = rig.send(RawHttp.request("GET", target, "Last-Event-ID: " + wire + "_1"));
      if (r.status() < 400 || r.status() >= 500 || r.eventStream() || rig.app.runs() != runs) {
        failures.add(target + " -> " + r.status() + (rig.app.runs() == runs ? "" : ", the application ran"));
        runs = rig.app.runs();
      }
    }
    assertThat(failures).as("%s", rig.server.name()).isEmpty();
  }

  @Test
  void pathWhenAbsoluteFormThen4xxAndApplicationNeverRuns() throws Exception {
    boot();
    assertRefused4xx(rig.send(RawHttp.request("GET", "http://127.0.0.1/events")), 0);
    assertRefused4xx(rig.send(RawHttp.request("GET", "http://127.0.0.1/EVENTS;a=b")), 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"})
  void methodWhenNotGetThen405AndTicketNotSpent(String method) throws Exception {
    boot();
    String ticket = rig.ticket();
    RawHttp.Response r = rig.send(RawHttp.request(method, "/events?slt=" + ticket, "Origin: " + Rig.ORIGIN));
    assertThat(r.status()).as("%s: %s", method, r).isEqualTo(405);
    assertThat(r.eventStream()).isFalse();
    assertThat(rig.app.runs()).isZero();
    String wire = rig.token();
    RawHttp.Response withToken = rig.send(RawHttp.request(method, "/events", "Last-Event-ID: " + wire + "_1"));
    assertThat(withToken.status()).isEqualTo(405);
    assertThat(rig.app.runs()).isEqualTo(1);
    assertThat(rig.get("/events?slt=" + ticket).status()).isEqualTo(200);
  }

  @Test
  void methodWhenCorsPreflightThen405() throws Exception {
    boot();
    RawHttp.Response r = rig.send(RawHttp.request("OPTIONS", "/events", "Origin: " + Rig.ORIGIN,
        "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: last-event-id"));
    assertRefused4xx(r, 0);
    assertThat(r.status()).isEqualTo(405);
  }

  // ---- ticket floods ----

  @Test
  void ticketEndpointWhenOneSubjectFloodsThen429AndOthersUnaffected() throws Exception {
    boot(b -> b.ticketMaxPerSubject(16));
    int ok = 0;
    int tooMany = 0;
    for (int i = 0; i < 40; i++) {
      RawHttp.Response r = rig.send(RawHttp.request("POST", "/sse/ticket", "X-Test-User: mallory"));
      if (r.status() == 200) {
        ok++;
      } else {
        assertThat(r.status()).as("%s", r).isEqualTo(429);
        assertThat(r.header("cache-control")).isEqualTo("no-store");
        tooMany++;
      }
    }
    assertThat(ok).isEqualTo(16);
    assertThat(tooMany).isEqualTo(24);
    assertThat(rig.ticket("alice")).hasSize(43);
    assertThat(rig.send(RawHttp.request("POST", "/sse/ticket")).status()).isEqualTo(401); // no login, no ticket
    assertThat(rig.app.runs()).isZero();
  }

  @Test
  void ticketWhenForgedThen401() throws Exception {
    boot();
    String real = rig.ticket();
    char last = real.charAt(42);
    String[] forged = {"A".repeat(43), real.substring(0, 42) + (last == 'A' ? 'E' : 'A'), real.substring(1) + "A",
        real + "A", real.substring(0, 42), Base64URL.encode(new byte[32]).toString()};
    for (String f : forged) {
      assertUnauthorized(rig.get("/events?slt=" + f), 0);
    }
    // hash of the ticket (what a store dump would show) is no ticket
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    String hash = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(md.digest(real.getBytes(StandardCharsets.US_ASCII)));
    assertUnauthorized(rig.get("/events?slt=" + hash), 0);
    assertThat(rig.get("/events?slt=" + real).status()).isEqualTo(200);
  }

}
