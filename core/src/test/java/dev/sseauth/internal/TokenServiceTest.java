package dev.sseauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.Reason;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.TokenFormat;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The JWS form ({@code sseauth.token.format=jws}); the compact form is {@link CompactTokenTest}'s. */
class TokenServiceTest {
  private final MutableClock clock = MutableClock.atRealTime();
  private final SseAuthConfig config = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
      .tokenIssuer("https://issuer.example").tokenAudience("streams").tokenFormat(TokenFormat.JWS).build();
  private final TokenService tokens = new TokenService(config, () -> "deployment-1");
  private final SsePrincipal alice = new SsePrincipal("alice", Map.of("tenant", "t1"));

  private String mint() {
    return tokens.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token();
  }

  private Reason refusal(String jws) {
    TokenService.Result r = tokens.verify(jws, clock.instant());
    assertThat(r).isInstanceOf(TokenService.Refused.class);
    return ((TokenService.Refused) r).reason();
  }

  /** Claims of a valid session token, to re-sign in attacks. */
  private JWTClaimsSet.Builder validClaims() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder().subject("alice").claim("sid", "sid-1").jwtID("j")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))
        .claim("sst", now.toEpochMilli()).issuer("https://issuer.example").audience("streams");
  }

  private static JWSHeader.Builder header(JWSAlgorithm alg) {
    return new JWSHeader.Builder(alg).type(TokenService.TYPE).keyID("k1");
  }

  private static String sign(JWSHeader h, JWTClaimsSet c, byte[] secret) throws Exception {
    SignedJWT jwt = new SignedJWT(h, c);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }

  @Test
  void verifyWhenFreshlyMintedThenSessionWithAttributes() {
    TokenService.Result r = tokens.verify(mint(), clock.instant());
    assertThat(r).isInstanceOf(TokenService.Verified.class);
    var s = ((TokenService.Verified) r).session();
    assertThat(s.principal()).isEqualTo(alice);
    assertThat(s.sessionId()).isEqualTo("sid-1");
    assertThat(s.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
  }

  @Test
  void mintThenTokenIsCompact() {
    String wire = CompositeIds.toWire(mint());
    // sub, sid, jti, iat, exp, sst, iss, aud and one attribute: still well under 300 bytes
    assertThat(wire.length()).isLessThan(400);
    // the defaults: sub, sid, jti, iat, exp, sst and the deployment's aud (its 16-character id)
    String plain = CompositeIds.toWire(new TokenService(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
        .tokenFormat(TokenFormat.JWS).build(),
        () -> Tickets.randomId(12)).mint(SsePrincipal.of("alice"), Tickets.randomId(16), clock.instant(), null, clock.instant()).token());
    assertThat(plain.length()).isLessThan(300);
    assertThat(wire).doesNotContain("_");
  }

  @Test
  void verifyWhenAlgNoneThenInvalid() {
    PlainJWT none = new PlainJWT(new PlainHeader.Builder().type(TokenService.TYPE).build(), validClaims().build());
    assertThat(refusal(none.serialize())).isEqualTo(Reason.INVALID_TOKEN);
    // and a "none" header glued to a real signature
    String[] real = mint().split("\\.");
    String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"sseauth+jwt\",\"kid\":\"k1\"}").toString();
    assertThat(refusal(header + "." + real[1] + "." + real[2])).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenHs256SignedWithRsaPublicKeyThenInvalid() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rs1").algorithm(JWSAlgorithm.RS256).generate();
    SseAuthConfig rsaConfig = SseAuthConfig.builder().signingKey(SessionKey.fromJwk(rsa)).tokenFormat(TokenFormat.JWS)
        .clock(clock).build();
    TokenService rsaTokens = new TokenService(rsaConfig, () -> "deployment-1");
    // the attacker signs HS256 using the public key's bytes as the HMAC secret
    byte[] publicBytes = rsa.toPublicJWK().toRSAPublicKey().getEncoded();
    String forged = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TokenService.TYPE).keyID("rs1").build(),
        validClaims().issuer(null).audience(List.of()).build(), publicBytes);
    assertThat(((TokenService.Refused) rsaTokens.verify(forged, clock.instant())).reason()).isEqualTo(Reason.INVALID_TOKEN);
    // while a genuine RS256 token verifies
    assertThat(rsaTokens.verify(rsaTokens.mint(alice, "s", clock.instant(), null, clock.instant()).token(), clock.instant()))
        .isInstanceOf(TokenService.Verified.class);
  }

  @Test
  void verifyWhenEs256KeyConfiguredThenEs256TokenVerifiesAndHsDoesNot() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec1").algorithm(JWSAlgorithm.ES256).generate();
    TokenService ecTokens = new TokenService(SseAuthConfig.builder().signingKey(SessionKey.fromJwk(ec))
        .tokenFormat(TokenFormat.JWS).clock(clock).build(), () -> "deployment-1");
    String jws = ecTokens.mint(alice, "s", clock.instant(), null, clock.instant()).token();
    assertThat(ecTokens.verify(jws, clock.instant())).isInstanceOf(TokenService.Verified.class);
    SignedJWT wrongAlg = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).type(TokenService.TYPE).keyID("ec1").build(),
        validClaims().build());
    ECKey ec384 = new ECKeyGenerator(Curve.P_384).generate();
    wrongAlg.sign(new ECDSASigner(ec384));
    assertThat(((TokenService.Refused) ecTokens.verify(wrongAlg.serialize(), clock.instant())).reason())
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenSignedWithWrongKeyThenInvalid() throws Exception {
    byte[] other = TestKeys.OTHER_SECRET;
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().build(), other))).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenUnknownOrInjectedKidThenInvalid() throws Exception {
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).keyID("k2").build(), validClaims().build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).keyID("../../etc/passwd").build(), validClaims().build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).keyID(null).build(), validClaims().build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenJkuHeaderThenInvalidEvenIfSignatureValid() throws Exception {
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).jwkURL(URI.create("https://evil.example/jwks")).build(),
        validClaims().build(), TestKeys.SECRET))).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenX5uHeaderThenInvalidEvenIfSignatureValid() throws Exception {
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).x509CertURL(URI.create("https://evil.example/cert")).build(),
        validClaims().build(), TestKeys.SECRET))).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenEmbeddedJwkHeaderThenInvalid() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).generate();
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).jwk(rsa.toPublicJWK()).build(), validClaims().build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenWrongOrMissingTypThenInvalid() throws Exception {
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), validClaims().build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).type(null).build(), validClaims().build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenExpiredBeyondSkewThenTokenExpired() {
    String jws = mint();
    clock.advance(Duration.ofHours(1).plusSeconds(29));
    assertThat(tokens.verify(jws, clock.instant())).isInstanceOf(TokenService.Verified.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(refusal(jws)).isEqualTo(Reason.TOKEN_EXPIRED);
  }

  @Test
  void verifyWhenNotBeforeInFutureThenInvalid() throws Exception {
    Date nbf = Date.from(clock.instant().plusSeconds(120));
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().notBeforeTime(nbf).build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenWrongOrMissingIssuerThenInvalid() throws Exception {
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().issuer("https://other").build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().issuer(null).build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenWrongOrMissingAudienceThenInvalid() throws Exception {
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().audience("other").build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().audience(List.of()).build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenNoAudienceConfiguredThenTheDeploymentsAudienceIsWrittenAndRequired() throws Exception {
    SseAuthConfig bare = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).tokenFormat(TokenFormat.JWS).clock(clock).build();
    TokenService one = new TokenService(bare, () -> "deployment-1");
    TokenService other = new TokenService(bare, () -> "deployment-2");
    assertThat(one.audience()).isEqualTo("deployment-1");
    String jws = one.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token();
    assertThat(SignedJWT.parse(jws).getJWTClaimsSet().getAudience()).containsExactly("deployment-1");
    assertThat(one.verify(jws, clock.instant())).isInstanceOf(TokenService.Verified.class);
    assertThat(other.verify(jws, clock.instant())).isEqualTo(new TokenService.Refused(Reason.INVALID_TOKEN));
    // a token with no audience at all (as minted before audiences were required) never verifies
    Instant now = clock.instant();
    JWTClaimsSet noAud = new JWTClaimsSet.Builder().subject("alice").claim("sid", "sid-1").jwtID("j")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600))).claim("sst", now.toEpochMilli()).build();
    assertThat(one.verify(sign(header(JWSAlgorithm.HS256).build(), noAud, TestKeys.SECRET), now))
        .isEqualTo(new TokenService.Refused(Reason.INVALID_TOKEN));
  }

  @Test
  void constructWhenStoreGivesAMalformedDeploymentIdThenFails() {
    SseAuthConfig bare = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock).build();
    for (String bad : new String[] {null, "", "has space", "x".repeat(65), "a:b"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TokenService(bare, () -> bad))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("deployment id");
    }
    new TokenService(bare.toBuilder().tokenAudience("configured").build(), () -> null); // unused when configured
  }

  @Test
  void verifyWhenMissingSessionClaimsThenInvalid() throws Exception {
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().claim("sid", null).build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(sign(header(JWSAlgorithm.HS256).build(), validClaims().claim("sst", null).build(), TestKeys.SECRET)))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenTruncatedThenInvalid() {
    String jws = mint();
    assertThat(refusal(jws.substring(0, jws.length() - 5))).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(jws.substring(0, jws.lastIndexOf('.')))).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenOversizedThenInvalidWithoutParsing() throws Exception {
    String big = sign(header(JWSAlgorithm.HS256).build(), validClaims().claim("pad", "x".repeat(3000)).build(), TestKeys.SECRET);
    assertThat(big.length()).isGreaterThan(config.tokenMaxLength());
    assertThat(refusal(big)).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenSessionPastAbsoluteCapThenSessionExpired() throws Exception {
    Instant start = clock.instant().minus(Duration.ofHours(13));
    String jws = sign(header(JWSAlgorithm.HS256).build(), validClaims().claim("sst", start.toEpochMilli()).build(), TestKeys.SECRET);
    assertThat(refusal(jws)).isEqualTo(Reason.SESSION_EXPIRED);
  }

  @Test
  void mintWhenNearAbsoluteCapThenExpiryCapped() {
    Instant start = clock.instant().minus(Duration.ofHours(11).plusMinutes(50));
    var m = tokens.mint(alice, "s", start, null, clock.instant());
    assertThat(m.session().expiresAt()).isEqualTo(Instant.ofEpochSecond(start.plus(Duration.ofHours(12)).getEpochSecond()));
  }

  @Test
  void verifyWhenTicketPresentedAsTokenThenInvalid() {
    assertThat(refusal(Tickets.newTicket())).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Property(tries = 100)
  void compositeIdWhenRealTokenAndAnyPreviousIdThenRoundTrips(
      @ForAll @StringLength(max = 40) @Chars({'_', '~', '.', '-', ' ', 'é', '€', ':', 'a', 'Z', '0'})
      @CharRange(from = 'a', to = 'z') String previousId) {
    String jws = mint();
    String composite = CompositeIds.encode(CompositeIds.toWire(jws), '_', previousId);
    CompositeIds.Parts parts = CompositeIds.parse(composite, '_', 2048);
    assertThat(parts).isNotNull();
    assertThat(parts.token()).isEqualTo(jws);
    assertThat(parts.previousId()).isEqualTo(previousId);
    assertThat(tokens.verify(parts.token(), clock.instant())).isInstanceOf(TokenService.Verified.class);
  }

  @Property(tries = 200)
  void compositeIdWhenArbitraryTextThenParsesOrRejectsWithoutThrowing(@ForAll String anything) {
    CompositeIds.Parts parts = CompositeIds.parse(anything, '_', 2048);
    if (parts != null) {
      assertThat(CompositeIds.encode(CompositeIds.toWire(parts.token()), '_', parts.previousId())).isEqualTo(anything);
    }
  }

  @Test
  void compositeIdWhenMalformedThenNull() {
    assertThat(CompositeIds.parse("", '_', 2048)).isNull();
    assertThat(CompositeIds.parse("_41", '_', 2048)).isNull();
    assertThat(CompositeIds.parse("41", '_', 2048)).isNull();
    assertThat(CompositeIds.parse("a b_41", '_', 2048)).isNull();
    assertThat(CompositeIds.parse("abc_4\n1", '_', 2048)).isNull();
    assertThat(CompositeIds.parse("abc_4\u00001", '_', 2048)).isNull();
    assertThat(CompositeIds.parse("x".repeat(3000) + "_1", '_', 2048)).isNull();
  }
}
