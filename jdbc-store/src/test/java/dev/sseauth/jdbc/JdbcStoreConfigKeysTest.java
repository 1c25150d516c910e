package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.testing.Leaks;
import dev.sseauth.testing.TestKeys;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SQL store declares its keys once; the core reads and checks them from that declaration. */
class JdbcStoreConfigKeysTest {
  private static final String USER = "canary_user_zq7";
  private static final String PASSWORD = "hunter2-Zq7";

  @Test
  void configKeysWhenDeclaredThenUrlUserAndPasswordSensitiveAndDefaultsAsTheBuilders() {
    JdbcStoreProvider provider = new JdbcStoreProvider();
    assertThat(provider.configKeys()).extracting(ConfigKey::name).containsExactly("sseauth.jdbc.url", "sseauth.jdbc.user",
        "sseauth.jdbc.password", "sseauth.jdbc.table-prefix", "sseauth.jdbc.create-schema", "sseauth.jdbc.poll-interval",
        "sseauth.jdbc.cleanup-interval", "sseauth.jdbc.pool-size", "sseauth.jdbc.timeout");
    assertThat(provider.sensitiveKeys()).containsExactlyInAnyOrder("sseauth.jdbc.url", "sseauth.jdbc.user",
        "sseauth.jdbc.password");
    assertThat(provider.configKeys()).extracting(ConfigKey::defaultText).containsExactly("— (required)", null, null,
        "sseauth_", "false", "250ms", "1m", "4", "2s");
  }

  @Test
  void fromMapWhenJdbcUrlInvalidThenFailsWhenReadWithoutTheUrl() {
    Throwable t = catchThrowable(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", TestKeys.SECRET_BASE64,
        "sseauth.store", "jdbc", "sseauth.jdbc.url", "postgresql://" + USER + ":" + PASSWORD + "@host/db")));
    assertThat(t).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.url must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/app");
    Leaks.assertNoneIn(t, PASSWORD, USER);
  }

  @Test
  void createWhenUrlBlankThenFailsAsMissing() {
    assertThatThrownBy(() -> new JdbcStoreProvider().create(new StoreContext(Map.of("sseauth.jdbc.url", "  "),
        Clock.systemUTC())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.url must be set when sseauth.store is jdbc");
  }
}
