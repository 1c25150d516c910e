package dev.sseauth.demo.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.BearerTokenVerifier;
import dev.sseauth.SsePrincipal;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo app's own login: two users and HS256 access tokens (the "existing app" whose API sse-auth is
 * added to). Tokens carry a per-user generation; "log out everywhere" bumps it, so every access token
 * issued before stops working. Signature and expiry are checked by sse-auth's bundled
 * {@link BearerTokenVerifier}, the generation here. Thread-safe.
 */
public final class AccessTokens {
  private static final Map<String, String> USERS = Map.of("alice", "alice", "bob", "bob");

  private final MACSigner signer;
  private final BearerTokenVerifier verifier;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Integer> generations = new ConcurrentHashMap<>();

  /**
   * @param secret the signing secret, at least 32 bytes
   * @param ttl how long an access token is valid
   */
  public AccessTokens(byte[] secret, Clock clock, Duration ttl) {
    try {
      this.signer = new MACSigner(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the access-token secret must be at least 32 bytes", e);
    }
    this.verifier = BearerTokenVerifier.hmac(secret, null, null, List.of(), clock);
    this.clock = clock;
    this.ttl = ttl;
  }

  /** The verifier of signature and expiry, for {@code SseAuthConfig.Builder.bearerVerifier}. */
  public BearerTokenVerifier verifier() {
    return verifier;
  }

  /** How long an access token is valid. */
  public Duration ttl() {
    return ttl;
  }

  /** An access token for {@code username} if the password matches, else empty. */
  public Optional<String> login(String username, String password) {
    String expected = username == null ? null : USERS.get(username);
    if (expected == null || password == null
        || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    Date now = Date.from(clock.instant());
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(username)
        .issueTime(now)
        .expirationTime(Date.from(clock.instant().plus(ttl)))
        .claim("gen", generations.getOrDefault(username, 0))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing an access token failed", e);
    }
    return Optional.of(jwt.serialize());
  }

  /**
   * The user of an {@code Authorization: Bearer ...} header value: a valid signature, not expired, and
   * issued after the user last logged out everywhere.
   *
   * @param authorization the header value; may be null
   * @return the principal, or null; never throws for client input
   */
  public SsePrincipal principal(String authorization) {
    Optional<SsePrincipal> p = verifier.verify(authorization);
    if (p.isEmpty()) {
      return null;
    }
    try {
      Object gen = SignedJWT.parse(authorization.substring(7).trim()).getJWTClaimsSet().getClaim("gen");
      int current = generations.getOrDefault(p.get().subject(), 0);
      return gen instanceof Number n && n.intValue() == current ? p.get() : null;
    } catch (ParseException e) {
      return null;
    }
  }

  /** Invalidates every access token of {@code user} issued until now. */
  public void logoutEverywhere(String user) {
    generations.merge(user, 1, Integer::sum);
  }
}
