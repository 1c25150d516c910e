package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.sseauth.adapter.Reply;
import dev.sseauth.testing.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sseauth.bearer.jwks-uri} against a real local HTTP server that publishes, rotates, fails and stalls
 * its JWK set.
 */
class RemoteJwksTest {
  private final AtomicReference<String> published = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger status = new AtomicInteger(200);
  private final CountDownLatch stall = new CountDownLatch(1);
  private volatile boolean stalling;
  private volatile boolean dripping;
  private HttpServer server;
  private SseAuth auth;

  private URI start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/jwks.json", ex -> {
      fetches.incrementAndGet();
      if (stalling) {
        try {
          stall.await(20, TimeUnit.SECONDS); // an identity provider that accepts and never answers
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status.get(), body.length);
      if (dripping) { // a byte at a time: each read is quick, the whole fetch is not
        try {
          for (byte b : body) {
            ex.getResponseBody().write(b);
            ex.getResponseBody().flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException e) {
          ex.close();
          return;
        }
      } else {
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
  }

  @AfterEach
  void stop() {
    stall.countDown();
    if (server != null) {
      server.stop(0);
    }
    if (auth != null) {
      auth.close();
    }
  }

  private static RSAKey key(String kid) throws Exception {
    return new RSAKeyGenerator(2048).keyID(kid).generate();
  }

  private static String bearer(RSAKey key, String kid, String subject) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
        new JWTClaimsSet.Builder().subject(subject).expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
    jwt.sign(new RSASSASigner(key));
    return "Bearer " + jwt.serialize();
  }

  private static String publicSet(RSAKey... keys) {
    return new JWKSet(List.of((com.nimbusds.jose.jwk.JWK[]) keys)).toPublicJWKSet().toString();
  }

  private BearerTokenVerifier verifier(URI uri) {
    return BearerTokenVerifier.remote(uri, Duration.ofMillis(500), null, null, List.of(), Clock.systemUTC());
  }

  @Test
  void verifyWhenTheProviderRotatesItsKeysThenANewKidIsFetchedOnceAndCachedAfter() throws Exception {
    RSAKey a = key("a");
    published.set(publicSet(a));
    BearerTokenVerifier v = verifier(start());
    assertThat(v.verify(bearer(a, "a", "alice"))).map(SsePrincipal::subject).hasValue("alice");
    assertThat(v.verify(bearer(a, "a", "bob"))).map(SsePrincipal::subject).hasValue("bob");
    assertThat(fetches.get()).isEqualTo(1); // cached
    RSAKey b = key("b");
    published.set(publicSet(b)); // the provider rotates: a is gone, b signs
    assertThat(v.verify(bearer(b, "b", "carol"))).map(SsePrincipal::subject).hasValue("carol");
    assertThat(fetches.get()).isEqualTo(2); // the unknown kid made it fetch at once
    assertThat(v.verifyAsync(bearer(b, "b", "dave")).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .map(SsePrincipal::subject).hasValue("dave");
  }

  @Test
  void verifyWhenTokensNameUnknownKidsThenTheyAreRefusedAndRefetchesAreRateLimited() throws Exception {
    RSAKey a = key("a");
    published.set(publicSet(a));
    BearerTokenVerifier v = verifier(start());
    assertThat(v.verify(bearer(a, "a", "alice"))).isPresent();
    RSAKey mallory = key("m");
    for (int i = 0; i < 20; i++) {
      // refused as invalid: after a fetch that did not have the kid, or with the refetch rate-limited (never 503)
      assertThat(v.verify(bearer(mallory, "kid-" + i, "root"))).isEmpty();
    }
    assertThat(fetches.get()).as("refetches for unknown kids are rate-limited").isLessThanOrEqualTo(3);
    RSAKey forgedA = key("a"); // the right kid, the wrong key
    assertThat(v.verify(bearer(forgedA, "a", "root"))).isEmpty();
    assertThat(v.verify(bearer(a, "a", "alice"))).isPresent(); // the cache still serves
  }

  @Test
  void ticketWhenTheProviderFailsOrStallsThen503NeverATicket() throws Exception {
    RSAKey a = key("a");
    published.set(publicSet(a));
    status.set(500);
    URI uri = start();
    auth = SseAuth.create(SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
        "sseauth.bearer.jwks-uri", uri.toString(), "sseauth.bearer.jwks-timeout", "500ms",
        "sseauth.bearer.audience", "api")));
    BearerTokenVerifier v = auth.config().bearerVerifier();
    assertThatThrownBy(() -> v.verify(bearer(a, "a", "alice"))).isInstanceOf(KeysUnavailableException.class)
        .hasMessageNotContaining("eyJ");
    assertKeysUnavailable(answer(v, bearer(a, "a", "alice")));

    stalling = true; // a fresh verifier on a provider that never answers: refused once the timeout passes
    status.set(200);
    BearerTokenVerifier stalled = verifier(uri);
    assertKeysUnavailable(answer(stalled, bearer(a, "a", "alice")));
    stall.countDown();
    stalling = false;
    dripping = true; // one that answers a byte at a time: the whole fetch is bounded, not only each read
    assertKeysUnavailable(answer(verifier(uri), bearer(a, "a", "alice"))); // not the caller's own bound: the fetch's

    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = closed.getLocalPort();
      closed.close(); // nothing listens there any more
      BearerTokenVerifier nowhere = verifier(URI.create("http://127.0.0.1:" + port + "/jwks.json"));
      assertKeysUnavailable(answer(nowhere, bearer(a, "a", "alice")));
      assertThat(nowhere.verifyAsync(bearer(a, "a", "alice")).toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(KeysUnavailableException.class);
    }
  }

  private static void assertKeysUnavailable(Reply r) {
    assertThat(r.status()).isEqualTo(503);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(Reason.KEYS_UNAVAILABLE.message() + "\n");
  }

  /** The ticket endpoint's answer with {@code v} finding the principal, as the adapters ask it. */
  private Reply answer(BearerTokenVerifier v, String authorization) throws Exception {
    SseAuth a = auth != null ? auth : (auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build()));
    return a.answerTicketRequest("POST", () -> v.verifyAsync(authorization).thenApply(p -> p.orElse(null)))
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @Test
  void configWhenTheUriIsNotHttpOrSeveralSourcesAreSetThenStartupFailsNamingTheKeys() {
    for (String bad : List.of("file:///etc/passwd", "http://idp.example/passwd", "ftp://idp.example/passwd")) {
      assertThatThrownBy(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
          "sseauth.bearer.jwks-uri", bad, "sseauth.bearer.audience", "api")))
          .as(bad).hasMessageContaining("sseauth.bearer.jwks-uri").hasMessageNotContaining("passwd");
    }
    assertThatThrownBy(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
        "sseauth.bearer.jwks-uri", "https://idp.example/jwks"))) // any application of the provider would do
        .hasMessageContaining("sseauth.bearer.audience");
    assertThatThrownBy(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
        "sseauth.bearer.jwks-uri", "https://idp.example/jwks", "sseauth.bearer.secret", "0123456789abcdef0123456789abcdef")))
        .hasMessageContaining("sseauth.bearer.jwks-uri").hasMessageContaining("sseauth.bearer.secret")
        .hasMessageNotContaining("0123456789");
    assertThat(Optional.ofNullable(SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
        "sseauth.bearer.jwks-uri", "https://idp.example/jwks", "sseauth.bearer.audience", "api")).bearerVerifier())
        .map(Object::toString))
        .hasValue("BearerTokenVerifier[remote, attributeClaims=[]]"); // nothing fetched at startup
  }
}
