package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sseauth.spi.ConfigKey;
import dev.sseauth.testing.Leaks;
import dev.sseauth.testing.TestKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The core's key table ({@link SseAuthConfig#keys()}) drives the reader, the builder's defaults and
 * validation, and the environment-variable names: what the table says is what configuration does.
 */
class ConfigKeyTableTest {
  private static final String CANARY = "CANARY-hunter2-Zq7";

  private static Map<String, String> with(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("sseauth.token.secret", TestKeys.SECRET_BASE64);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static List<Object> values(SseAuthConfig c) {
    return List.of(c.paths(), c.ticketPath(), c.ticketParam(), c.ticketTtl(), c.ticketMaxPerSubject(), c.resumeParam(),
        c.tokenTtl(), c.tokenRotateAfter(), c.tokenClockSkew(), c.tokenMaxLength(), c.sessionMaxLifetime(),
        c.handshakeMode(), c.handshakeEvent(), c.rotationEvent(), c.handshakeRetry(), c.idSeparator(), c.origins(),
        c.storeName(), c.storeTimeout(), c.streamCheckInterval(), c.signingKey().kid(),
        String.valueOf(c.tokenIssuer()), String.valueOf(c.tokenAudience()), c.tokenFormat());
  }

  @Test
  void keysWhenListedThenEachOnceUnderThePrefixWithOneLineDoc() {
    Set<String> names = new HashSet<>();
    for (ConfigKey<?> k : SseAuthConfig.keys()) {
      assertThat(names.add(k.name())).as(k.name() + " listed once").isTrue();
      assertThat(k.name()).startsWith("sseauth.");
      assertThat(k.doc()).as(k.name()).isNotBlank().doesNotContain("\n").doesNotContain("|");
    }
    assertThat(names).contains("sseauth.token.secret", "sseauth.ticket.ttl", "sseauth.paths", "sseauth.store",
        "sseauth.bearer.attribute-claims");
  }

  @Test
  void fromMapWhenEveryDefaultWrittenOutThenSameAsTheBuildersDefaults() {
    Map<String, String> written = with();
    for (ConfigKey<?> k : SseAuthConfig.keys()) {
      if (k.defaultValue() != null && !format(k).isEmpty()) { // an empty list is the same as the key absent
        written.put(k.name(), format(k));
      }
    }
    assertThat(values(SseAuthConfig.fromMap(written))).isEqualTo(values(SseAuthConfig.fromMap(with())));
    assertThat(values(SseAuthConfig.fromMap(with())))
        .isEqualTo(values(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build()));
  }

  private static <T> String format(ConfigKey<T> k) {
    return k.format(k.defaultValue());
  }

  @Test
  void fromMapWhenDurationOrNumberBeyondItsRangeThenFailsWithTheTablesRange() {
    for (ConfigKey<?> k : SseAuthConfig.keys()) {
      String tooBig = switch (k.type()) {
        case DURATION -> "3650d";
        case INTEGER -> "2000000000";
        default -> null;
      };
      if (tooBig == null) {
        continue;
      }
      String range = k.range().replace(" to ", " and ");
      assertThatThrownBy(() -> SseAuthConfig.fromMap(with(k.name(), tooBig))).as(k.name())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(k.name() + " must be between " + range + ", but was '" + tooBig + "'");
    }
  }

  @Test
  void builderWhenValueBeyondTheTablesRangeThenSameMessageAsProperties() {
    assertThatThrownBy(() -> SseAuthConfig.builder().ticketTtl(Duration.ZERO))
        .hasMessage("sseauth.ticket.ttl must be between 1s and 10m, but was '0s'");
    assertThatThrownBy(() -> SseAuthConfig.builder().storeTimeout(Duration.ofMillis(5)))
        .hasMessage("sseauth.store.timeout must be between 10ms and 1m, but was '5ms'");
    assertThatThrownBy(() -> SseAuthConfig.builder().tokenMaxLength(100))
        .hasMessage("sseauth.token.max-length must be between 256 and 8192, but was '100'");
    assertThatThrownBy(() -> SseAuthConfig.builder().ticketParam("a b"))
        .hasMessage("sseauth.ticket.param must be 1 to 64 of A-Z a-z 0-9 _ . -, but was 'a b'");
    assertThatThrownBy(() -> SseAuthConfig.builder().handshakeEvent("message")).hasMessageContaining("sseauth.handshake.event");
    assertThatThrownBy(() -> SseAuthConfig.builder().idSeparator('.')).hasMessageContaining("sseauth.id.separator");
    assertThatThrownBy(() -> SseAuthConfig.builder().origins(Set.of("ftp://x"))).hasMessageContaining("sseauth.origins");
    assertThatThrownBy(() -> SseAuthConfig.builder().store("Redis")).hasMessageContaining("sseauth.store");
    assertThatThrownBy(() -> SseAuthConfig.builder().ticketTtl(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.ticket.ttl");
  }

  @Test
  void fromEnvironmentWhenEveryKeyThenItsVariableSetsIt() {
    Map<String, String> env = new HashMap<>();
    for (ConfigKey<?> k : SseAuthConfig.keys()) {
      env.put(k.name().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), "v-" + k.name());
    }
    env.put("SSEAUTH_MEMORY_MAX_ENTRIES", "v-sseauth.memory.max-entries");
    Map<String, String> keys = SseAuthConfig.fromEnvironment(env, new Properties());
    assertThat(keys).hasSize(env.size());
    keys.forEach((k, v) -> assertThat(v).isEqualTo("v-" + k));
  }

  @Test
  void fromMapWhenSensitiveKeyInvalidThenNamesItWithoutItsValue() {
    List<ConfigKey<?>> sensitive = SseAuthConfig.keys().stream().filter(ConfigKey::isSensitive).toList();
    assertThat(sensitive).extracting(ConfigKey::name).containsExactlyInAnyOrder("sseauth.token.secret", "sseauth.bearer.secret",
        "sseauth.bearer.jwks-uri"); // a URL may hold a user and password
    for (ConfigKey<?> k : sensitive) {
      Throwable t = catchThrowable(() -> SseAuthConfig.fromMap(with(k.name(), CANARY)));
      assertThat(t).as(k.name()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(k.name());
      Leaks.assertNoneIn(t, CANARY);
    }
  }

  @Test
  void fromMapWhenStoreKeyInvalidThenFailsWhenRead() {
    assertThatThrownBy(() -> SseAuthConfig.fromMap(with("sseauth.memory.max-entries", "lots")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.memory.max-entries must be a whole number, but was 'lots'");
  }
}
