package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerTokenVerifierTest {
  private final MutableClock clock = MutableClock.atRealTime();

  private String hs(JWTClaimsSet claims, byte[] secret) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret));
    return "Bearer " + jwt.serialize();
  }

  private JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().subject("alice").claim("tenant", "t1")
        .expirationTime(Date.from(clock.instant().plusSeconds(300)));
  }

  @Test
  void verifyWhenValidHs256ThenPrincipalWithAttributeClaims() throws Exception {
    BearerTokenVerifier v = BearerTokenVerifier.hmac(TestKeys.SECRET, null, null, List.of("tenant"), clock);
    assertThat(v.verify(hs(claims().build(), TestKeys.SECRET))).contains(new SsePrincipal("alice", Map.of("tenant", "t1")));
  }

  @Test
  void verifyWhenExpiredForgedMissingOrMalformedThenEmpty() throws Exception {
    BearerTokenVerifier v = BearerTokenVerifier.hmac(TestKeys.SECRET, "iss", "aud", List.of(), clock);
    String good = hs(claims().issuer("iss").audience("aud").build(), TestKeys.SECRET);
    assertThat(v.verify(good)).isPresent();
    assertThat(v.verify(hs(claims().issuer("iss").audience("aud").build(), "x".repeat(40).getBytes()))).isEmpty();
    assertThat(v.verify(hs(claims().issuer("other").audience("aud").build(), TestKeys.SECRET))).isEmpty();
    assertThat(v.verify(hs(claims().issuer("iss").audience("aud").subject(null).build(), TestKeys.SECRET))).isEmpty();
    assertThat(v.verify(null)).isEmpty();
    assertThat(v.verify("Basic abc")).isEmpty();
    assertThat(v.verify("Bearer not.a.jwt")).isEmpty();
    clock.advance(Duration.ofMinutes(10));
    assertThat(v.verify(good)).isEmpty();
  }

  @Test
  void verifyWhenJwkSetThenRs256AcceptedAndHsWithPublicKeyRejected() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").algorithm(JWSAlgorithm.RS256).generate();
    BearerTokenVerifier v = BearerTokenVerifier.jwkSet(new JWKSet(rsa.toPublicJWK()).toString(), null, null, List.of(), clock);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").build(), claims().build());
    jwt.sign(new RSASSASigner(rsa));
    assertThat(v.verify("Bearer " + jwt.serialize())).isPresent();
    assertThat(v.verify(hs(claims().build(), rsa.toRSAPublicKey().getEncoded()))).isEmpty();
  }

  @Test
  void configFromPropertiesThenBearerExpiryFollowsConfiguredClock() throws Exception {
    String bearerSecret = "the application's own access-token secret, UTF-8"; // the issuer's format, not ours
    SseAuthConfig c = SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
        "sseauth.bearer.secret", bearerSecret)).toBuilder().clock(clock).build();
    String token = hs(claims().build(), bearerSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(c.bearerVerifier().verify(token)).isPresent();
    clock.advance(Duration.ofMinutes(10));
    assertThat(c.bearerVerifier().verify(token)).isEmpty();
  }

  @Test
  void hmacWhenSecretShortThenFails() {
    assertThatThrownBy(() -> BearerTokenVerifier.hmac(new byte[16], null, null, List.of(), clock))
        .hasMessageContaining("sseauth.bearer.secret");
  }
}
