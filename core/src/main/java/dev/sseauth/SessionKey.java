package dev.sseauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.sseauth.internal.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A key that signs or verifies session tokens, pinned to one algorithm (RFC 8725 §3.1): HS256 with a
 * secret of at least 256 random bits (text, a repeated pattern or a regular sequence is refused), ES256 with a P-256 key, or RS256 with an RSA key of at least 2048 bits.
 * A token names its key by {@code kid}; only configured keys are ever used (no {@code jku},
 * {@code x5u} or embedded {@code jwk}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows no key material.
 */
public final class SessionKey {
  private final JWK jwk;
  private final JWSAlgorithm algorithm;

  private SessionKey(JWK jwk, JWSAlgorithm algorithm) {
    this.jwk = jwk;
    this.algorithm = algorithm;
  }

  /**
   * An HS256 key.
   *
   * @param kid the key id written into tokens; not empty
   * @param secret the secret, at least 32 random bytes (such as 32 bytes from {@link java.security.SecureRandom},
   *     or the output of {@code openssl rand -base64 32} decoded); copied
   * @throws IllegalArgumentException if the secret is shorter than 32 bytes or plainly not random (text such
   *     as a password, a short repeated pattern, few distinct byte values, a regular sequence), or kid is
   *     empty; the message never shows the secret
   */
  public static SessionKey hmac(String kid, byte[] secret) {
    requireKid(kid);
    String weakness = Secrets.weakness(secret);
    if (weakness != null) {
      throw new IllegalArgumentException("an HS256 secret must be at least " + Secrets.MIN_BYTES
          + " random bytes, but it " + weakness + "; " + Secrets.MAKE_ONE);
    }
    return new SessionKey(new OctetSequenceKey.Builder(secret.clone()).keyID(kid).algorithm(JWSAlgorithm.HS256).build(),
        JWSAlgorithm.HS256);
  }

  /**
   * A key from a JWK (RFC 7517) that names its {@code kid} and its {@code alg} (HS256, ES256 or RS256).
   * A JWK with a private part can sign; one without only verifies.
   *
   * @throws IllegalArgumentException if the JWK is malformed, lacks {@code kid} or {@code alg}, or the
   *     algorithm does not fit the key
   */
  public static SessionKey fromJwk(JWK jwk) {
    Objects.requireNonNull(jwk, "jwk");
    requireKid(jwk.getKeyID());
    if (jwk.getAlgorithm() == null) {
      throw new IllegalArgumentException("JWK " + jwk.getKeyID() + " must name its alg (HS256, ES256 or RS256)");
    }
    JWSAlgorithm alg = JWSAlgorithm.parse(jwk.getAlgorithm().getName());
    if (JWSAlgorithm.HS256.equals(alg) && jwk instanceof OctetSequenceKey oct) {
      String weakness = Secrets.weakness(oct.toByteArray());
      if (weakness != null) {
        throw new IllegalArgumentException("JWK " + jwk.getKeyID() + ": an HS256 secret must be at least "
            + Secrets.MIN_BYTES + " random bytes, but it " + weakness);
      }
    } else if (JWSAlgorithm.ES256.equals(alg) && jwk instanceof ECKey ec) {
      if (!Curve.P_256.equals(ec.getCurve())) {
        throw new IllegalArgumentException("JWK " + jwk.getKeyID() + ": ES256 needs curve P-256");
      }
    } else if (JWSAlgorithm.RS256.equals(alg) && jwk instanceof RSAKey rsa) {
      if (rsa.size() < 2048) {
        throw new IllegalArgumentException("JWK " + jwk.getKeyID() + ": RS256 needs at least 2048 bits");
      }
    } else {
      throw new IllegalArgumentException("JWK " + jwk.getKeyID() + ": alg " + alg
          + " is not supported for key type " + jwk.getKeyType() + " (use HS256, ES256 or RS256)");
    }
    return new SessionKey(jwk, alg);
  }

  /**
   * Every key of a JWK set document.
   *
   * @throws IllegalArgumentException if the document or a key is malformed (see {@link #fromJwk})
   */
  public static List<SessionKey> fromJwkSet(String json) {
    JWKSet set;
    try {
      set = Secrets.jwkSet(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the document " + e.getMessage());
    }
    List<SessionKey> keys = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      keys.add(fromJwk(jwk));
    }
    return List.copyOf(keys);
  }

  private static void requireKid(String kid) {
    if (kid == null || kid.isEmpty()) {
      throw new IllegalArgumentException("a session key needs a non-empty kid");
    }
  }

  /** The key id. */
  public String kid() {
    return jwk.getKeyID();
  }

  /** The one algorithm this key is used with. */
  public JWSAlgorithm algorithm() {
    return algorithm;
  }

  /** Whether this key has the private (or secret) part needed to sign. */
  public boolean canSign() {
    return jwk.isPrivate() || jwk instanceof OctetSequenceKey;
  }

  /** The key as a JWK, private part included if present. Never log it. */
  public JWK jwk() {
    return jwk;
  }

  @Override
  public String toString() {
    return "SessionKey[kid=" + kid() + ", alg=" + algorithm + ", canSign=" + canSign() + "]";
  }
}
