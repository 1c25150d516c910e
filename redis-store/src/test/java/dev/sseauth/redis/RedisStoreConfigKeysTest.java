package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.spi.ConfigKey;
import dev.sseauth.testing.TestKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Redis store declares its keys once; the core reads and checks them from that declaration. */
class RedisStoreConfigKeysTest {
  @Test
  void configKeysWhenDeclaredThenOnlyTheUriSensitiveAndDefaultsAsTheBuilders() {
    RedisStoreProvider provider = new RedisStoreProvider();
    assertThat(provider.configKeys()).extracting(ConfigKey::name)
        .containsExactly("sseauth.redis.uri", "sseauth.redis.key-prefix", "sseauth.redis.timeout");
    assertThat(provider.sensitiveKeys()).containsExactly("sseauth.redis.uri");
    assertThat(provider.configKeys()).extracting(ConfigKey::defaultText)
        .containsExactly("redis://127.0.0.1:6379", "sseauth:", "2s");
    assertThat(provider.configKeys().get(2).range()).isEqualTo("10ms to 1m");
  }

  @Test
  void fromMapWhenRedisValueInvalidThenFailsWhenReadNamingKeyAndValue() {
    assertThatThrownBy(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
        "sseauth.store", "redis", "sseauth.redis.timeout", "5ms")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.redis.timeout must be between 10ms and 1m, but was '5ms'");
  }
}
