package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.sseauth.internal.ConfigReader;
import dev.sseauth.testing.OddTargets;
import dev.sseauth.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SseAuthConfigTest {
  private static final String SECRET = TestKeys.SECRET_BASE64;

  private static Map<String, String> with(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("sseauth.token.secret", SECRET);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static void fails(Map<String, String> props, String... fragments) {
    var a = assertThatThrownBy(() -> SseAuthConfig.fromMap(props)).isInstanceOf(IllegalArgumentException.class);
    for (String f : fragments) {
      a.hasMessageContaining(f);
    }
  }

  @Test
  void fromMapWhenOnlySecretThenDefaults() {
    SseAuthConfig c = SseAuthConfig.fromMap(with());
    assertThat(c.ticketTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.tokenTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.tokenRotateAfter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.sessionMaxLifetime()).isEqualTo(Duration.ofHours(12));
    assertThat(c.ticketMaxPerSubject()).isEqualTo(16);
    assertThat(c.ticketParam()).isEqualTo("slt");
    assertThat(c.resumeParam()).isEqualTo("lastEventId");
    assertThat(c.handshakeMode()).isEqualTo(HandshakeMode.CONTINUE);
    assertThat(c.handshakeEvent()).isEqualTo("auth");
    assertThat(c.idSeparator()).isEqualTo('_');
    assertThat(c.storeName()).isEqualTo("memory");
    assertThat(c.origins()).isEmpty();
    assertThat(c.paths()).containsExactly("/**");
    assertThat(c.signingKey().kid()).isEqualTo("k1");
    assertThat(c.tokenFormat()).isEqualTo(TokenFormat.COMPACT);
  }

  @Test
  void fromMapWhenTokenFormatSetThenReadInAnyCaseAndOtherValuesFailNamingTheKey() {
    assertThat(SseAuthConfig.fromMap(with("sseauth.token.format", "jws")).tokenFormat()).isEqualTo(TokenFormat.JWS);
    assertThat(SseAuthConfig.fromMap(with("sseauth.token.format", "COMPACT")).tokenFormat()).isEqualTo(TokenFormat.COMPACT);
    fails(with("sseauth.token.format", "jwt"), "sseauth.token.format must be compact or jws, but was 'jwt'");
    assertThat(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).tokenFormat(TokenFormat.JWS).build().toBuilder()
        .build().tokenFormat()).isEqualTo(TokenFormat.JWS);
  }

  @Test
  void buildWhenCompactFormatAndAnEs256OrRs256SigningKeyThenFailsNamingTheFormatKeyAndJws() throws Exception {
    var ec = new ECKeyGenerator(Curve.P_256).keyID("ec1").algorithm(JWSAlgorithm.ES256).generate();
    var rsa = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("rs1").algorithm(JWSAlgorithm.RS256).generate();
    for (var jwk : List.of(ec, rsa)) {
      SseAuthConfig.Builder b = SseAuthConfig.builder().signingKey(SessionKey.fromJwk(jwk));
      assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("sseauth.token.format is compact")
          .hasMessageContaining("needs an HS256 signing key").hasMessageContaining("'" + jwk.getKeyID() + "'")
          .hasMessageContaining(jwk.getAlgorithm().getName()).hasMessageContaining("sseauth.token.format=jws");
      assertThat(b.tokenFormat(TokenFormat.JWS).build().tokenFormat()).isEqualTo(TokenFormat.JWS);
    }
    // an ES256 or RS256 key that only verifies is fine beside an HS256 signing key
    SseAuthConfig c = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET)
        .verificationKeys(List.of(SessionKey.fromJwk(ec.toPublicJWK()))).build();
    assertThat(c.tokenFormat()).isEqualTo(TokenFormat.COMPACT);
  }

  @Test
  void fromPropertiesWhenEveryKeySetThenTyped() {
    Properties p = new Properties();
    p.putAll(with("sseauth.ticket.ttl", "10s", "sseauth.token.ttl", "2h", "sseauth.token.rotate-after", "15m",
        "sseauth.session.max-lifetime", "1d", "sseauth.handshake.mode", "reconnect", "sseauth.origins",
        "https://a.example, http://localhost:8080", "sseauth.paths", "/events, /feeds/**", "sseauth.store.timeout", "500ms",
        "sseauth.id.separator", "!", "sseauth.token.issuer", "me", "sseauth.token.audience", "you",
        "sseauth.memory.max-entries", "1000", "sseauth.token.clock-skew", "PT5S", "sseauth.handshake.retry", "2s",
        "sseauth.token.format", "jws"));
    p.put("other.key", "ignored");
    SseAuthConfig c = SseAuthConfig.fromProperties(p);
    assertThat(c.ticketTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.tokenTtl()).isEqualTo(Duration.ofHours(2));
    assertThat(c.tokenRotateAfter()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.sessionMaxLifetime()).isEqualTo(Duration.ofDays(1));
    assertThat(c.handshakeMode()).isEqualTo(HandshakeMode.RECONNECT);
    assertThat(c.origins()).isEqualTo(Set.of("https://a.example", "http://localhost:8080"));
    assertThat(c.paths()).containsExactly("/events", "/feeds/**");
    assertThat(c.storeTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.idSeparator()).isEqualTo('!');
    assertThat(c.tokenClockSkew()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.tokenFormat()).isEqualTo(TokenFormat.JWS);
    assertThat(c.storeProperties()).containsEntry("sseauth.memory.max-entries", "1000");
  }

  @Test
  void fromMapWhenUnknownKeyThenFailsNamingIt() {
    // named, and its value not shown: an unknown key may be a misspelt credential key
    var e = assertThatThrownBy(() -> SseAuthConfig.fromMap(with("sseauth.tiket.ttl", "30s")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown configuration key sseauth.tiket.ttl;");
    e.hasMessageNotContaining("30s");
  }

  @Test
  void fromMapWhenTicketTtlZeroThenFailsNamingKeyAndValue() {
    fails(with("sseauth.ticket.ttl", "0s"), "sseauth.ticket.ttl must be between 1s and 10m, but was '0s'");
  }

  @Test
  void fromMapWhenDurationWithoutUnitThenFails() {
    fails(with("sseauth.token.ttl", "3600"), "sseauth.token.ttl", "'3600'");
  }

  @Test
  void fromMapWhenSecretTooShortThenFailsWithoutEchoingIt() {
    Map<String, String> m = with();
    m.put("sseauth.token.secret", "short-secret");
    var e = assertThatThrownBy(() -> SseAuthConfig.fromMap(m)).hasMessageContaining("sseauth.token.secret");
    e.hasMessageNotContaining("short-secret");
  }

  @Test
  void fromMapWhenNoKeyThenFailsNamingTheKeys() {
    assertThatThrownBy(() -> SseAuthConfig.fromMap(Map.of())).hasMessageContaining("sseauth.token.secret");
  }

  @Test
  void fromMapWhenRotateAfterNotBelowTtlThenFails() {
    fails(with("sseauth.token.ttl", "10m", "sseauth.token.rotate-after", "10m"), "sseauth.token.rotate-after", "10m");
  }

  @Test
  void fromMapWhenBadEnumSeparatorOriginOrPathThenFailsNamingKey() {
    fails(with("sseauth.handshake.mode", "fast"), "sseauth.handshake.mode", "fast");
    fails(with("sseauth.id.separator", "a"), "sseauth.id.separator", "'a'");
    fails(with("sseauth.id.separator", "~"), "sseauth.id.separator");
    fails(with("sseauth.origins", "evil.example"), "sseauth.origins", "evil.example");
    fails(with("sseauth.paths", "events"), "sseauth.paths", "events");
    fails(with("sseauth.paths", "/a/*/b"), "sseauth.paths", "/a/*/b");
    fails(with("sseauth.ticket.max-per-subject", "lots"), "sseauth.ticket.max-per-subject", "lots");
    fails(with("sseauth.handshake.event", "message"), "sseauth.handshake.event", "message");
    fails(with("sseauth.ticket.param", "lastEventId"), "sseauth.resume.param");
  }

  @Test
  void fromMapWhenKeyOfAnotherStoreThenFails() {
    fails(with("sseauth.memory.max-entries", "10", "sseauth.store", "other"), "sseauth.memory.max-entries", "sseauth.store");
  }

  @Test
  void createWhenMemoryStorePropertyInvalidThenFailsNamingIt() {
    assertThatThrownBy(() -> SseAuth.create(SseAuthConfig.fromMap(with("sseauth.memory.max-entries", "0"))))
        .hasMessageContaining("sseauth.memory.max-entries").hasMessageContaining("'0'");
  }

  @Test
  void fromMapWhenJwksFileThenSigningKidChoosesAndOthersVerify(@TempDir Path dir) throws Exception {
    var k1 = new ECKeyGenerator(Curve.P_256).keyID("ec-old").algorithm(JWSAlgorithm.ES256).generate();
    var k2 = new ECKeyGenerator(Curve.P_256).keyID("ec-new").algorithm(JWSAlgorithm.ES256).generate();
    Path f = dir.resolve("keys.json");
    Files.writeString(f, new JWKSet(List.of(k1, k2.toPublicJWK())).toString(false));
    Map<String, String> m = new HashMap<>(Map.of("sseauth.token.jwks-file", f.toString(), "sseauth.token.signing-kid", "ec-old",
        "sseauth.token.format", "jws"));
    SseAuthConfig c = SseAuthConfig.fromMap(m);
    assertThat(c.signingKey().kid()).isEqualTo("ec-old");
    assertThat(c.verificationKeys()).extracting(SessionKey::kid).containsExactlyInAnyOrder("ec-old", "ec-new");
    m.put("sseauth.token.signing-kid", "ec-new");
    assertThatThrownBy(() -> SseAuthConfig.fromMap(m)).hasMessageContaining("sseauth.token.signing-kid").hasMessageContaining("ec-new");
  }

  @Test
  void fromEnvironmentThenVariablesMappedAndSystemPropertiesWin() {
    Properties sys = new Properties();
    sys.put("sseauth.token.ttl", "5m");
    Map<String, String> m = SseAuthConfig.fromEnvironment(
        Map.of("SSEAUTH_TOKEN_TTL", "2h", "SSEAUTH_TICKET_MAX_PER_SUBJECT", "4", "PATH", "/usr/bin"), sys);
    assertThat(m).containsEntry("sseauth.token.ttl", "5m").containsEntry("sseauth.ticket.max-per-subject", "4").hasSize(2);
    assertThatThrownBy(() -> SseAuthConfig.fromEnvironment(Map.of("SSEAUTH_NOPE", "1"), new Properties()))
        .hasMessageContaining("SSEAUTH_NOPE");
  }

  @Test
  void guardsWhenPathVariantsThenConservative() {
    SseAuthConfig c = SseAuthConfig.fromMap(with("sseauth.paths", "/events,/feeds/**"));
    for (String p : List.of("/events", "/events/", "/EVENTS", "/events;x=1", "/a/../events", "//events", "/./events",
        "/%65vents", "/feeds", "/feeds/a/b", "/FEEDS/x", "/events%2F", "/x%2F..%2Fevents", "/%2e%2e/events", "/a\\events",
        "/%zz", "/feeds%252Fx")) {
      assertThat(c.guards(p)).as(p).isTrue();
    }
    for (String p : List.of("/", "/event", "/events2", "/events/x", "/api/login", "/feedsx")) {
      assertThat(c.guards(p)).as(p).isFalse();
    }
  }

  @Test
  void guardsWhenAnyRouterReadsTheTargetAsAGuardedPathThenGuarded() {
    List<String> patterns = List.of("/events", "/feeds/**");
    SseAuthConfig c = SseAuthConfig.fromMap(with("sseauth.paths", String.join(",", patterns)));
    List<String> missed = new ArrayList<>();
    for (String target : OddTargets.routed(patterns, OddTargets.allReadings())) {
      int q = target.indexOf('?');
      if (!c.guards(q < 0 ? target : target.substring(0, q))) { // what an adapter holding the raw target passes
        missed.add(target + " (routed by " + OddTargets.routedBy(target, patterns, OddTargets.allReadings()) + ")");
      }
    }
    assertThat(missed).as("targets a router serves from a guarded path but the guard lets through").isEmpty();
    // the readings guard what they read, not everything odd
    for (String p : List.of("//h/other", "http://h/other", "http:/other", "HTTP://h:1/events/x", "//events/x",
        "mailto:/eventsx", "http://h/other#/events")) {
      assertThat(c.guards(p)).as(p).isFalse();
    }
  }

  @Test
  void formatThenReadableByDuration() {
    for (Duration d : List.of(Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofHours(12), Duration.ofDays(2))) {
      assertThat(ConfigReader.duration("k", ConfigReader.format(d))).isEqualTo(d);
    }
  }

  @Test
  void durationWhenABareZeroThenOffForTheKeysThatAllowItAndRefusedByTheOthers() {
    assertThat(SseAuthConfig.fromMap(with("sseauth.heartbeat", "0")).heartbeat()).isZero();
    assertThat(SseAuthConfig.fromMap(with("sseauth.retry.jitter", "0")).retryJitter()).isZero();
    assertThatThrownBy(() -> SseAuthConfig.fromMap(with("sseauth.ticket.ttl", "0")))
        .hasMessageContaining("sseauth.ticket.ttl");
    assertThatThrownBy(() -> SseAuthConfig.fromMap(with("sseauth.retry.jitter", "51")))
        .hasMessageContaining("sseauth.retry.jitter");
  }
}
