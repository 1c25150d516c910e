package dev.sseauth.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.TokenFormat;
import dev.sseauth.internal.TokenService;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.fixtures.GuardedApp;
import dev.sseauth.testing.fixtures.RawHttp;
import dev.sseauth.testing.fixtures.TestServer;
import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One server under attack: an {@link SseAuth} on a {@link MutableClock} (RS256 signing key {@code rs1},
 * so JWS tokens ({@code sseauth.token.format=jws}: a compact token needs an HS256 signing key), an older
 * HS256 verification key {@code hs-old}, issuer, audience, allowed origin, guarded paths
 * {@code /events/**}), a {@link GuardedApp}, and a {@link Target} server of the given kind.
 * {@link #compact} makes it mint compact tokens, the default format, with the HS256 key {@code hs-new}.
 */
final class Rig implements AutoCloseable {
  static final String ORIGIN = "https://app.example";
  static final String ISSUER = "https://sse-auth.test";
  static final String AUDIENCE = "sse-security-tests";
  static final String RS_KID = "rs1";
  static final String HS_KID = "hs-old";
  /** The server's RSA key pair: the tests hold the private key to sign tokens with wrong claims. */
  static final RSAKey RSA = rsa(RS_KID);
  /** A different RSA key pair: the attacker's. */
  static final RSAKey ATTACKER_RSA = rsa(RS_KID);
  static final byte[] HS_SECRET = TestKeys.OTHER_SECRET;
  static final String HS_NEW_KID = "hs-new";
  /** The compact rig's signing secret: the tests hold it to mint tokens with wrong claims. */
  static final byte[] HS_NEW_SECRET = TestKeys.SECRET;
  static final JOSEObjectType TYP = new JOSEObjectType("sseauth+jwt");

  private static final Pattern TICKET = Pattern.compile("\"ticket\":\"([A-Za-z0-9_-]{43})\"");
  private static final Pattern AUTH_ID = Pattern.compile("event: auth\nid: ([A-Za-z0-9.~-]+)_\n");

  final MutableClock clock = MutableClock.atRealTime();
  final SseAuth auth;
  final GuardedApp app = new GuardedApp();
  final TestServer server;

  Rig(Target kind, UnaryOperator<SseAuthConfig.Builder> tweak) throws Exception {
    auth = SseAuth.create(tweak.apply(defaults(clock)).build());
    TestServer s;
    try {
      s = kind.start(auth, app);
    } catch (Exception | Error e) {
      auth.close();
      throw e;
    }
    server = s;
  }

  static SseAuthConfig.Builder defaults(MutableClock clock) {
    return SseAuthConfig.builder()
        .signingKey(SessionKey.fromJwk(RSA))
        .tokenFormat(TokenFormat.JWS) // the RS256 key signs JWS only; the attacks here parse and forge JWS
        .verificationKeys(List.of(SessionKey.hmac(HS_KID, HS_SECRET)))
        .tokenIssuer(ISSUER)
        .tokenAudience(AUDIENCE)
        .origins(Set.of(ORIGIN))
        .paths(List.of("/events/**"))
        .clock(clock)
        .streamCheckInterval(Duration.ofMillis(50));
  }

  /**
   * The compact rig: compact tokens (the default format) signed with the HS256 key {@code hs-new};
   * {@code hs-old} still verifies, RS256 tokens no longer do.
   */
  static SseAuthConfig.Builder compact(SseAuthConfig.Builder b) {
    return b.signingKey(SessionKey.hmac(HS_NEW_KID, HS_NEW_SECRET)).tokenFormat(TokenFormat.COMPACT);
  }

  /**
   * A compact token minted with {@code key} for {@code audience} and {@code issuer} (null: none), as if by a
   * server so configured: issued now, the session started at {@code sessionStart}. What an attacker who
   * knows the format (but perhaps not the key, or not the deployment) can make.
   */
  String compactToken(SessionKey key, String audience, String issuer, String subject, Instant sessionStart) {
    SseAuthConfig c = SseAuthConfig.builder().signingKey(key).tokenAudience(audience).tokenIssuer(issuer)
        .tokenFormat(TokenFormat.COMPACT).clock(clock).build();
    return new TokenService(c, () -> "unused").mint(SsePrincipal.of(subject), "forged-session-1", sessionStart, null,
        clock.instant()).token();
  }

  /** A compact token as the compact rig's own configuration mints it, for {@code subject}. */
  String compactToken(SessionKey key, String subject) {
    return compactToken(key, AUDIENCE, ISSUER, subject, clock.instant());
  }

  private static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).algorithm(JWSAlgorithm.RS256).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  RawHttp.Response send(byte[] request) throws IOException {
    return RawHttp.exchange(server, request);
  }

  RawHttp.Response get(String target, String... headers) throws IOException {
    return send(RawHttp.request("GET", target, headers));
  }

  /** A fresh ticket for {@code user} from the adapter's ticket endpoint. */
  String ticket(String user) throws IOException {
    RawHttp.Response r = send(RawHttp.request("POST", "/sse/ticket", "X-Test-User: " + user));
    assertThat(r.status()).as("ticket endpoint: %s", r).isEqualTo(200);
    Matcher m = TICKET.matcher(r.text());
    assertThat(m.find()).as(r.text()).isTrue();
    return m.group(1);
  }

  String ticket() throws IOException {
    return ticket("alice");
  }

  /** Redeems a fresh ticket of {@code user}; the wire form of the session token the server sent. */
  String token(String user) throws IOException {
    RawHttp.Response r = get("/events?slt=" + ticket(user));
    assertThat(r.status()).as("redeeming a fresh ticket: %s", r).isEqualTo(200);
    Matcher m = AUTH_ID.matcher(r.text());
    assertThat(m.find()).as(r.text()).isTrue();
    return m.group(1);
  }

  String token() throws IOException {
    return token("alice");
  }

  /** The claims of a wire token. */
  static JWTClaimsSet claims(String wire) throws ParseException {
    return SignedJWT.parse(wire.replace('~', '_')).getJWTClaimsSet();
  }

  /** Valid session-token claims for {@code subject}, issued now. */
  JWTClaimsSet.Builder validClaims(String subject) {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .subject(subject)
        .claim("sid", "forged-session-1")
        .jwtID("j1")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(30))))
        .claim("sst", now.toEpochMilli())
        .issuer(ISSUER)
        .audience(AUDIENCE);
  }

  static JWSHeader.Builder header(JWSAlgorithm alg, String kid) {
    return new JWSHeader.Builder(alg).type(TYP).keyID(kid);
  }

  /** A compact JWS. */
  static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  /** Signed with the server's own key: only the claims or headers under test are wrong. */
  static String signWithServerKey(JWSHeader header, JWTClaimsSet claims) {
    try {
      return sign(header, claims, new RSASSASigner(RSA));
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code Last-Event-ID} carrying {@code jws} with the application id {@code appId}. */
  static String lastEventId(String jws, String appId) {
    return jws.replace('_', '~') + "_" + appId;
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      auth.close();
    }
  }
}
