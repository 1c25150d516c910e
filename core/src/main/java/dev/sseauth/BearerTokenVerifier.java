package dev.sseauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.sseauth.internal.CoreKeys;
import dev.sseauth.internal.Secrets;
import java.time.Clock;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies the application's own {@code Authorization: Bearer <JWT>} access tokens at the ticket
 * endpoint, for applications whose API authenticates with bearer JWTs rather than container or Spring
 * Security principals. Keys come from configuration only (an HS256 secret or a JWK set); {@code sub} and
 * {@code exp} are required; {@code iss}/{@code aud} are checked when configured. String claims named in
 * {@code attributeClaims} become the principal's attributes.
 *
 * <p>Immutable and thread-safe. Configured with {@code sseauth.bearer.*}.
 */
public final class BearerTokenVerifier {
  private static final int MAX_LENGTH = 8192;

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final JWKSet keys;
  private final String issuer;
  private final String audience;
  private final List<String> attributeClaims;

  private BearerTokenVerifier(JWKSet keys, String issuer, String audience, List<String> attributeClaims, Clock clock) {
    this.keys = keys;
    this.issuer = issuer;
    this.audience = audience;
    Set<JWSAlgorithm> algs = new HashSet<>();
    for (JWK k : keys.getKeys()) {
      algs.add(k.getAlgorithm() != null ? JWSAlgorithm.parse(k.getAlgorithm().getName())
          : k instanceof OctetSequenceKey ? JWSAlgorithm.HS256 : JWSAlgorithm.RS256);
    }
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algs, new ImmutableJWKSet<>(keys)));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (issuer != null) {
      exact.issuer(issuer);
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        audience == null ? null : Set.of(audience), exact.build(), Set.of("sub", "exp"), null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    processor.setJWTClaimsSetVerifier(claims);
    this.attributeClaims = List.copyOf(attributeClaims);
  }

  /**
   * A verifier for HS256 tokens signed with {@code secret}.
   *
   * @throws IllegalArgumentException if the secret is shorter than 32 bytes; the message never shows it
   */
  public static BearerTokenVerifier hmac(byte[] secret, String issuer, String audience, List<String> attributeClaims,
      Clock clock) {
    if (secret.length < 32) {
      throw CoreKeys.BEARER_SECRET.error("must be at least 256 bits (32 bytes)");
    }
    JWK key = new OctetSequenceKey.Builder(secret.clone()).algorithm(JWSAlgorithm.HS256).build();
    return new BearerTokenVerifier(new JWKSet(key), issuer, audience, attributeClaims, clock);
  }

  /**
   * A verifier for tokens signed by any key of a JWK set document (public keys suffice).
   *
   * @throws IllegalArgumentException if the document is not a JWK set
   */
  public static BearerTokenVerifier jwkSet(String json, String issuer, String audience, List<String> attributeClaims,
      Clock clock) {
    JWKSet keys;
    try {
      keys = Secrets.jwkSet(json);
    } catch (IllegalArgumentException e) {
      throw CoreKeys.BEARER_JWKS_FILE.error(e.getMessage());
    }
    return new BearerTokenVerifier(keys, issuer, audience, attributeClaims, clock);
  }

  /** The same verifier deciding expiry by {@code clock}; {@link SseAuthConfig} applies its own clock. */
  public BearerTokenVerifier withClock(Clock clock) {
    return new BearerTokenVerifier(keys, issuer, audience, attributeClaims, clock);
  }

  /**
   * The principal of an {@code Authorization} header value, if it is a valid bearer JWT.
   *
   * @param authorization the header value, such as {@code Bearer eyJ...}; may be null
   * @return the principal, or empty for a missing, malformed, forged or expired token; never throws
   */
  public Optional<SsePrincipal> verify(String authorization) {
    if (authorization == null || authorization.length() > MAX_LENGTH
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String jwt = authorization.substring(7).trim();
    try {
      JWTClaimsSet c = processor.process(jwt, null);
      Map<String, String> attributes = new LinkedHashMap<>();
      for (String name : attributeClaims) {
        Object v = c.getClaim(name);
        if (v instanceof String s) {
          attributes.put(name, s);
        }
      }
      String sub = c.getSubject();
      return sub == null || sub.isEmpty() ? Optional.empty() : Optional.of(new SsePrincipal(sub, attributes));
    } catch (Exception e) { // rejection of client input, never an error
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "BearerTokenVerifier[attributeClaims=" + attributeClaims + "]";
  }
}
