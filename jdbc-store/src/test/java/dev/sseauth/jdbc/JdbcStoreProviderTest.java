package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.internal.ConfigReader;
import dev.sseauth.SseAuth;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.testing.Leaks;
import dev.sseauth.testing.TestKeys;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sseauth.store=jdbc}: found by name, keys validated at startup naming key and value. */
class JdbcStoreProviderTest {
  private static final String SECRET = TestKeys.SECRET_BASE64;
  private static final String USER = "canary_user_zq7";
  private static final String PASSWORD = "hunter2-Zq7";

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
        "sseauth.jdbc.password", PASSWORD)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.jdbc.password")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void createWhenUrlMissingThenFailsNamingKey() {
    assertThatThrownBy(() -> new JdbcStoreProvider().create(context(Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.jdbc.url must be set");
  }

  @Test
  void createWhenNoDriverAcceptsUrlThenFailsNamingKeyWithoutTheUrl() {
    Throwable t = catchThrowable(() -> new JdbcStoreProvider().create(context(Map.of(
        "sseauth.jdbc.url", "jdbc:nosuchdb://" + USER + ":" + PASSWORD + "@host/db?password=" + PASSWORD))));
    assertThat(t).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.url names a database no JDBC driver on the class path accepts");
    Leaks.assertNoneIn(t, PASSWORD, USER, "nosuchdb");
    Throwable notJdbc = catchThrowable(() -> new JdbcStoreProvider().create(context(Map.of(
        "sseauth.jdbc.url", "postgresql://" + USER + ":" + PASSWORD + "@host/db"))));
    assertThat(notJdbc).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.jdbc.url must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/app");
  }

  @Test
  void createWhenUserUnknownToPostgresThenFailsAtStartupWithoutUserOrPassword() {
    // trust authentication still refuses a role that does not exist, and PostgreSQL names the role
    for (Map<String, String> p : List.of(
        Map.of("sseauth.jdbc.url", "jdbc:postgresql://127.0.0.1:" + TestDb.PG_PORT + "/test",
            "sseauth.jdbc.user", USER, "sseauth.jdbc.password", PASSWORD),
        Map.of("sseauth.jdbc.url", "jdbc:postgresql://127.0.0.1:" + TestDb.PG_PORT + "/test?user=" + USER
            + "&password=" + PASSWORD))) {
      Map<String, String> props = new java.util.HashMap<>(p);
      props.put("sseauth.token.secret", SECRET);
      props.put("sseauth.store", "jdbc");
      Throwable t = catchThrowable(() -> SseAuth.create(SseAuthConfig.fromMap(props)));
      assertThat(t).as(p.toString()).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot use the database");
      Leaks.assertNoneIn(t, PASSWORD, USER);
    }
  }

  @Test
  void createWhenH2RefusesTheUrlThenFailsAtStartupWithoutTheUrlsCredentials() {
    // H2 quotes the whole URL when it refuses a relative database path
    String url = "jdbc:h2:relative-" + USER + ";USER=" + USER + ";PASSWORD=" + PASSWORD;
    Throwable t = catchThrowable(() -> new JdbcStoreProvider().create(context(Map.of("sseauth.jdbc.url", url))));
    assertThat(t).isInstanceOf(IllegalStateException.class);
    Leaks.assertNoneIn(t, PASSWORD, USER);
    Throwable built = catchThrowable(() -> JdbcStore.builder().url(url, USER, PASSWORD).build());
    assertThat(built).isInstanceOf(IllegalStateException.class);
    Leaks.assertNoneIn(built, PASSWORD, USER);
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
    Throwable t = catchThrowable(() -> new JdbcStoreProvider().create(context(Map.of(
        "sseauth.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/test",
        "sseauth.jdbc.user", USER, "sseauth.jdbc.password", PASSWORD))));
    assertThat(t).isInstanceOf(IllegalStateException.class);
    Leaks.assertNoneIn(t, PASSWORD, USER);
  }
}
