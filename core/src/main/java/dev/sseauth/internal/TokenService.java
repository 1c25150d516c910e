package dev.sseauth.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.Reason;
import dev.sseauth.SessionInfo;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.TokenFormat;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Mints and verifies session tokens, in either form: {@linkplain CompactTokens compact} (no dot) or a
 * compact JWS (two dots). {@link SseAuthConfig#tokenFormat()} chooses the form of new tokens; both forms
 * verify whatever it says, so a deployment switches without ending sessions.
 *
 * <p>Both follow RFC 8725: one algorithm pinned per key (a compact token: HMAC-SHA-256 with an HS256 key
 * only), the key chosen by {@code kid} (a compact token: by a tag of it) among configured keys only, in a
 * JWS headers that would supply or fetch a key refused, an explicit type ({@code typ}; the compact
 * version byte), exp/nbf/iat checked with a small skew, the session's absolute cap, iss when configured,
 * aud always (the configured audience, else the store's deployment id, so a token verifies only in the
 * deployment that minted it; a compact token binds both in its tag rather than carrying them), and the
 * size checked before parsing. The time and session checks are the same code for both forms.
 * Thread-safe.
 */
public final class TokenService {
  /** The {@code typ} of every session token; a JWT of any other type never verifies. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("sseauth+jwt");
  /** Claim: session start, epoch milliseconds. */
  static final String SESSION_START = "sst";
  /** Claim: the principal's attributes. */
  static final String ATTRIBUTES = "att";
  /**
   * Claim: the subject's latest revocation known when the session's ticket was issued, epoch
   * milliseconds; absent if none. Every later revocation of the subject voids the session.
   */
  static final String KNOWN_REVOCATION = "rvk";

  private static final java.util.regex.Pattern DEPLOYMENT_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final SseAuthConfig config;
  private final Supplier<String> deploymentId;
  private final SessionKey signingKey;
  private final JWSSigner signer;
  private final Map<String, Verifier> verifiers = new HashMap<>();
  private final List<String> headerPrefixes;
  /** The compact form of every HS256 verification key; the signing key's, if compact tokens are minted. */
  private final CompactTokens.Key[] compactKeys;
  private final CompactTokens.Key compactSigner;

  private record Verifier(SessionKey key, JWSVerifier verifier) {}

  /** The outcome of {@link #verify}. */
  public sealed interface Result permits Verified, Refused {}

  /**
   * A token that verified: the session, when the token was issued, and the subject's latest revocation
   * known when the session's ticket was issued (null if none).
   */
  public record Verified(SessionInfo session, Instant issuedAt, Instant knownRevocation) implements Result {}

  /** A token that did not verify, and why. */
  public record Refused(Reason reason) implements Result {}

  private static final Refused INVALID = new Refused(Reason.INVALID_TOKEN);
  private static final Refused EXPIRED = new Refused(Reason.TOKEN_EXPIRED);
  private static final Refused SESSION_OVER = new Refused(Reason.SESSION_EXPIRED);

  /**
   * A freshly minted token and the session it carries.
   *
   * @param token the token, in the form {@link SseAuthConfig#tokenFormat()} names (compact or a compact JWS),
   *     not yet in wire form
   */
  public record Minted(String token, SessionInfo session, Instant issuedAt) {
    @Override
    public String toString() {
      return "Minted[token=***, session=" + session + "]";
    }
  }

  /**
   * @param deploymentId the store's {@link dev.sseauth.spi.SseAuthStore#deploymentId()}, read at every
   *     mint and verification (a store may replace it when its data is lost); unused if
   *     {@link SseAuthConfig#audience()} is set
   * @throws IllegalArgumentException if a key cannot be used, compact tokens are to be minted with a key that
   *     is not HS256, or two HS256 keys' kids share a compact key tag
   * @throws IllegalStateException if the store's deployment id is not 1 to 64 of {@code A-Z a-z 0-9 - _}
   */
  public TokenService(SseAuthConfig config, Supplier<String> deploymentId) {
    this.config = config;
    this.deploymentId = deploymentId;
    String id = deploymentId.get();
    if (config.tokenAudience() == null && (id == null || !DEPLOYMENT_ID.matcher(id).matches())) {
      throw new IllegalStateException("the store's deployment id must be 1 to 64 of A-Z a-z 0-9 - _");
    }
    this.signingKey = config.signingKey();
    try {
      this.signer = signer(signingKey.jwk());
      List<String> prefixes = new ArrayList<>();
      for (SessionKey k : config.verificationKeys()) {
        verifiers.put(k.kid(), new Verifier(k, verifier(k.jwk())));
        prefixes.add(header(k).toBase64URL() + ".");
      }
      List<CompactTokens.Key> compact = compactKeys(config.verificationKeys());
      int at = config.tokenFormat() == TokenFormat.COMPACT ? 0 : prefixes.size(); // the minted form's first
      for (CompactTokens.Key c : compact) {
        prefixes.add(at++, c.prefix());
      }
      this.headerPrefixes = List.copyOf(prefixes);
      this.compactKeys = compact.toArray(new CompactTokens.Key[0]);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable session key: " + e.getMessage(), e);
    }
    CompactTokens.Key signing = null;
    for (CompactTokens.Key c : compactKeys) {
      if (c.kid().equals(signingKey.kid())) {
        signing = c;
      }
    }
    if (config.tokenFormat() == TokenFormat.COMPACT && signing == null) {
      throw new IllegalArgumentException(CoreKeys.TOKEN_FORMAT.name() + " is compact, which needs an HS256 signing key, but '"
          + signingKey.kid() + "' is " + signingKey.algorithm());
    }
    this.compactSigner = config.tokenFormat() == TokenFormat.COMPACT ? signing : null;
  }

  /**
   * The compact form of every HS256 key among {@code keys}.
   *
   * @throws IllegalArgumentException if two kids share a compact key tag
   */
  private static List<CompactTokens.Key> compactKeys(List<SessionKey> keys) {
    List<CompactTokens.Key> compact = new ArrayList<>();
    for (SessionKey k : keys) {
      if (k.jwk() instanceof OctetSequenceKey oct && JWSAlgorithm.HS256.equals(k.algorithm())) {
        CompactTokens.Key c = new CompactTokens.Key(k.kid(), oct.toByteArray());
        for (CompactTokens.Key other : compact) {
          if (other.sameTag(c)) {
            throw new IllegalArgumentException("the kids '" + other.kid() + "' and '" + k.kid()
                + "' share a compact token key tag (the first 5 bytes of their SHA-256): rename one");
          }
        }
        compact.add(c);
      }
    }
    return compact;
  }

  /** The header of every token {@code key} signs. */
  private static JWSHeader header(SessionKey key) {
    return new JWSHeader.Builder(key.algorithm()).type(TYPE).keyID(key.kid()).build();
  }

  private static JWSSigner signer(JWK jwk) throws JOSEException {
    if (jwk instanceof OctetSequenceKey oct) {
      return new MACSigner(oct);
    } else if (jwk instanceof ECKey ec) {
      return new ECDSASigner(ec);
    } else if (jwk instanceof RSAKey rsa) {
      return new RSASSASigner(rsa);
    }
    throw new JOSEException("unsupported key type " + jwk.getKeyType());
  }

  private static JWSVerifier verifier(JWK jwk) throws JOSEException {
    if (jwk instanceof OctetSequenceKey oct) {
      return new MACVerifier(oct);
    } else if (jwk instanceof ECKey ec) {
      return new ECDSAVerifier(ec.toPublicJWK());
    } else if (jwk instanceof RSAKey rsa) {
      return new RSASSAVerifier(rsa.toPublicJWK());
    }
    throw new JOSEException("unsupported key type " + jwk.getKeyType());
  }

  /**
   * Mints a token for a session: a new one (fresh {@code sid}, start now) or a rotation (same
   * {@code sid}, start and known revocation). The expiry never passes the session's absolute cap.
   *
   * @param knownRevocation the subject's latest revocation known when the ticket was issued, or null
   */
  public Minted mint(SsePrincipal principal, String sessionId, Instant sessionStart, Instant knownRevocation,
      Instant now) {
    Instant cap = sessionStart.plus(config.sessionMaxLifetime());
    Instant exp = now.plus(config.tokenTtl());
    if (exp.isAfter(cap)) {
      exp = cap;
    }
    // JWT NumericDate has second precision: keep exp exact by truncating both (in either form)
    Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
    exp = Instant.ofEpochSecond(exp.getEpochSecond());
    SessionInfo session = new SessionInfo(principal, sessionId, sessionStart, exp);
    if (compactSigner != null) {
      String token = CompactTokens.encode(compactSigner, new CompactTokens.Claims(principal.subject(), sessionId,
          iat.getEpochSecond(), exp.getEpochSecond(), sessionStart.toEpochMilli(),
          knownRevocation == null ? null : knownRevocation.toEpochMilli(), principal.attributes()),
          audience(), config.tokenIssuer());
      return new Minted(token, session, iat);
    }
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(principal.subject())
        .claim("sid", sessionId)
        .jwtID(Tickets.randomId(6))
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp))
        .claim(SESSION_START, sessionStart.toEpochMilli());
    if (knownRevocation != null) {
      claims.claim(KNOWN_REVOCATION, knownRevocation.toEpochMilli());
    }
    if (config.tokenIssuer() != null) {
      claims.issuer(config.tokenIssuer());
    }
    claims.audience(audience());
    if (!principal.attributes().isEmpty()) {
      claims.claim(ATTRIBUTES, new LinkedHashMap<>(principal.attributes()));
    }
    SignedJWT jwt = new SignedJWT(header(signingKey), claims.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a session token failed", e);
    }
    return new Minted(jwt.serialize(), session, iat);
  }

  /**
   * Verifies a session token, compact or a compact JWS (not in wire form), at {@code now}, whatever form
   * this service mints. Never throws for any input.
   *
   * @return {@link Verified}, or {@link Refused} with the reason
   */
  public Result verify(String jws, Instant now) {
    if (jws.indexOf('.') < 0) {
      return verifyCompact(jws, now);
    }
    SignedJWT jwt = signed(jws);
    if (jwt == null) {
      return INVALID;
    }
    try {
      return claims(jwt.getJWTClaimsSet(), now);
    } catch (ParseException | RuntimeException e) {
      return INVALID;
    }
  }

  private Result verifyCompact(String token, Instant now) {
    CompactTokens.Claims c = compact(token);
    if (c == null) {
      return INVALID;
    }
    try {
      Instant start = Instant.ofEpochMilli(c.sessionStartMilli());
      Instant exp = Instant.ofEpochSecond(c.expiresAtSecond());
      Instant iat = Instant.ofEpochSecond(c.issuedAtSecond());
      Refused refused = times(iat, null, exp, start, now);
      if (refused != null) {
        return refused;
      }
      SessionInfo session = new SessionInfo(new SsePrincipal(c.subject(), c.attributes()), c.sessionId(), start, exp);
      Long rvk = c.knownRevocationMilli();
      return new Verified(session, iat, rvk == null ? null : Instant.ofEpochMilli(rvk));
    } catch (RuntimeException e) {
      return INVALID;
    }
  }

  /** A session token's session, read from a token whose signature verified, whatever its times. */
  public record Signed(String sessionId, Instant sessionStart) {}

  /**
   * The session of a token (either form, not in wire form) that this deployment signed, whatever its
   * times: for burning a session whose token was seen where it must never be. Never throws for any input.
   *
   * @return the session, or null if {@code jws} is not a session token signed by a configured key
   */
  public Signed signedSession(String jws) {
    if (jws.indexOf('.') < 0) {
      CompactTokens.Claims c = compact(jws);
      return c == null ? null : new Signed(c.sessionId(), Instant.ofEpochMilli(c.sessionStartMilli()));
    }
    SignedJWT jwt = signed(jws);
    try {
      JWTClaimsSet c = jwt == null ? null : jwt.getJWTClaimsSet();
      String sid = c == null ? null : c.getStringClaim("sid");
      Long sst = c == null ? null : c.getLongClaim(SESSION_START);
      return sid == null || sid.isEmpty() || sst == null ? null : new Signed(sid, Instant.ofEpochMilli(sst));
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }

  /** The claims of a compact token whose tag a configured key verifies for this deployment; else null. */
  private CompactTokens.Claims compact(String token) {
    if (token.length() > config.tokenMaxLength() || compactKeys.length == 0) {
      return null;
    }
    return CompactTokens.decode(token, compactKeys, audience(), config.tokenIssuer(), config.tokenMaxLength());
  }

  /** The token if it is a JWS session token whose signature a configured key verifies; else null. */
  private SignedJWT signed(String jws) {
    if (jws.length() > config.tokenMaxLength() || dots(jws) != 2) {
      return null;
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(jws);
    } catch (ParseException | RuntimeException e) {
      return null;
    }
    JWSHeader h = jwt.getHeader();
    if (!TYPE.equals(h.getType())
        || h.getJWKURL() != null || h.getX509CertURL() != null || h.getJWK() != null
        || h.getX509CertChain() != null || h.getX509CertSHA256Thumbprint() != null
        || (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty())
        || h.getKeyID() == null) {
      return null;
    }
    Verifier v = verifiers.get(h.getKeyID());
    if (v == null || !v.key.algorithm().equals(h.getAlgorithm())) {
      return null;
    }
    try {
      return jwt.verify(v.verifier) ? jwt : null;
    } catch (JOSEException | RuntimeException e) {
      return null;
    }
  }

  private Result claims(JWTClaimsSet c, Instant now) throws ParseException {
    String sub = c.getSubject();
    String sid = c.getStringClaim("sid");
    Date iat = c.getIssueTime();
    Date exp = c.getExpirationTime();
    Long sst = c.getLongClaim(SESSION_START);
    Long rvk = c.getLongClaim(KNOWN_REVOCATION);
    if (sub == null || sub.isEmpty() || sid == null || sid.isEmpty() || iat == null || exp == null || sst == null) {
      return INVALID;
    }
    if (config.tokenIssuer() != null && !config.tokenIssuer().equals(c.getIssuer())) {
      return INVALID;
    }
    if (c.getAudience() == null || !c.getAudience().contains(audience())) {
      return INVALID;
    }
    Instant start = Instant.ofEpochMilli(sst);
    Refused refused = times(iat.toInstant(), c.getNotBeforeTime() == null ? null : c.getNotBeforeTime().toInstant(),
        exp.toInstant(), start, now);
    if (refused != null) {
      return refused;
    }
    Map<String, String> attributes = Map.of();
    Object att = c.getClaim(ATTRIBUTES);
    if (att != null) {
      if (!(att instanceof Map<?, ?> m)) {
        return INVALID;
      }
      Map<String, String> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getValue() instanceof String s)) {
          return INVALID;
        }
        copy.put(String.valueOf(e.getKey()), s);
      }
      attributes = copy;
    }
    SessionInfo session = new SessionInfo(new SsePrincipal(sub, attributes), sid, start, exp.toInstant());
    return new Verified(session, iat.toInstant(), rvk == null ? null : Instant.ofEpochMilli(rvk));
  }

  /**
   * The checks of a token's times, the same for both forms: issued (and not before, if given) no later
   * than the skew ahead, a session start no later than that, the session's absolute cap and the token's
   * expiry not passed by more than the skew. Null if they hold at {@code now}, else the refusal.
   */
  private Refused times(Instant iat, Instant nbf, Instant exp, Instant start, Instant now) {
    Duration skew = config.tokenClockSkew();
    Instant latest = now.plus(skew);
    Instant earliest = now.minus(skew);
    if (iat.isAfter(latest) || (nbf != null && nbf.isAfter(latest))) {
      return INVALID;
    }
    if (start.isAfter(latest)) {
      return INVALID;
    }
    if (!earliest.isBefore(start.plus(config.sessionMaxLifetime()))) {
      return SESSION_OVER;
    }
    if (!earliest.isBefore(exp)) {
      return EXPIRED;
    }
    return null;
  }

  private static int dots(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '.') {
        n++;
      }
    }
    return n;
  }

  /** The audience written into and required of every token: the configured one, else the deployment's. */
  public String audience() {
    return config.tokenAudience() != null ? config.tokenAudience() : deploymentId.get();
  }

  /**
   * How every session token this service verifies begins, so a scan for leaked tokens looks for these
   * exact strings, not for anything shaped like a token: for each verification key the base64url JWS
   * header (and its dot) that {@link #mint} writes, and for each HS256 key the 8 characters of a compact
   * token's version byte and key tag (no dot). Not in wire form; not secret.
   */
  public List<String> headerPrefixes() {
    return headerPrefixes;
  }

  /** The kids this service verifies; for diagnostics. */
  public List<String> kids() {
    return List.copyOf(verifiers.keySet());
  }
}
