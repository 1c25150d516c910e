package dev.sseauth.webflux;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.BearerTokenVerifier;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.Tickets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

/** An {@link SseAuth} on a {@link MutableClock} with short check intervals, and helpers to use it. */
final class Fixture implements AutoCloseable {
  static final byte[] BEARER_SECRET = "bearer-secret-for-tests-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TOKEN_SECRET = TestKeys.SECRET;

  final MutableClock clock = MutableClock.atRealTime();
  final SseAuth auth;

  Fixture() {
    this(b -> b);
  }

  Fixture(UnaryOperator<SseAuthConfig.Builder> custom) {
    SseAuthConfig.Builder b = SseAuthConfig.builder()
        .tokenSecret(TOKEN_SECRET)
        .paths(List.of("/events", "/feeds/**"))
        .clock(clock)
        .streamCheckInterval(Duration.ofMillis(50))
        .bearerVerifier(BearerTokenVerifier.hmac(BEARER_SECRET, null, null, List.of("tenant"), clock));
    auth = SseAuth.create(custom.apply(b).build());
  }

  /** A fresh ticket for {@code subject}. */
  String ticket(String subject) {
    return Tickets.ticket(auth, subject);
  }

  /** An {@code Authorization} header value with a bearer JWT for {@code subject}, valid for an hour. */
  String bearer(String subject) {
    try {
      JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).claim("tenant", "acme")
          .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1)))).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(BEARER_SECRET));
      return "Bearer " + jwt.serialize();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    auth.close();
  }
}
