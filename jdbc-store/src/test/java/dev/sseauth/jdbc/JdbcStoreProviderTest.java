package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.internal.ConfigReader;
import dev.sseauth.spi.StoreContext;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sseauth.store=jdbc}: found by name, keys validated at startup naming key and value. */
class JdbcStoreProviderTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static StoreContext context(Map<String, String> p) {
    return new StoreContext(p, Clock.systemUTC());
  }

  @Test
  void providersWhenJdbcModuleOnClassPathThenFoundByName() {
    assertThat(ConfigReader.providers().get("jdbc")).isInstanceOf(JdbcStoreProvider.class);
    assertThat(ConfigReader.allKeys()).contains("sseauth.jdbc.url", "sseauth.jdbc.user", "sseauth.jdbc.password",
        "sseauth.jdbc.table-prefix", "sseauth.jdbc.create-schema", "sseauth.jdbc.poll-interval", "sseauth.jdbc.pool-size");
  }

  @Test
  void fromMapWhenJdbcPasswordSetButStoreIsMemoryThenFailsWithValueHidden() {
    assertThatThrownBy(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", SECRET,
        "sseauth.jdbc.password", "hunter2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.jdbc.password")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void createWhenUrlMissingThenFailsNamingKey() {
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.jdbc.url must be set");
  }

  @Test
  void createWhenNoDriverAcceptsUrlThenFailsNamingKeyWithoutPassword() {
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of(
        "sseauth.jdbc.url", "jdbc:nosuchdb://host/db?password=hunter2"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.jdbc.url")
        .hasMessageContaining("jdbc:nosuchdb://host/db?password=***")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void createWhenValuesInvalidThenFailsNamingKeyAndValue() {
    String url = TestDb.h2Url();
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of("sseauth.jdbc.url", url,
        "sseauth.jdbc.table-prefix", "x; DROP TABLE users"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.table-prefix must be 1 to 32 of a-z 0-9 _ starting with a letter, but was 'x; DROP TABLE users'");
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of("sseauth.jdbc.url", url,
        "sseauth.jdbc.poll-interval", "5m"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.poll-interval must be between 10ms and 1m, but was '5m'");
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of("sseauth.jdbc.url", url,
        "sseauth.jdbc.pool-size", "many"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.pool-size must be a whole number, but was 'many'");
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of("sseauth.jdbc.url", url,
        "sseauth.jdbc.create-schema", "yes"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.create-schema must be true or false, but was 'yes'");
  }

  @Test
  void createWhenTablesMissingAndNotCreatedThenFailsAtStartup() {
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of("sseauth.jdbc.url", TestDb.h2Url()))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot use the database");
  }

  @Test
  void createWhenDatabaseUnreachableThenFailsAtStartupWithoutPassword() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of(
        "sseauth.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/test",
        "sseauth.jdbc.user", "postgres", "sseauth.jdbc.password", "hunter2"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("hunter2");
  }
}
