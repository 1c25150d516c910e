package dev.sseauth.jdbc;

import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code sseauth.store=jdbc}: found through {@link java.util.ServiceLoader}. Keys (defaults in
 * parentheses): {@value #URL} (required), {@value #USER}, {@value #PASSWORD}, {@value #TABLE_PREFIX}
 * ({@code sseauth_}), {@value #CREATE_SCHEMA} ({@code false}), {@value #POLL_INTERVAL}
 * ({@code 250ms}), {@value #CLEANUP_INTERVAL} ({@code 1m}), {@value #POOL_SIZE} ({@code 4}),
 * {@value #TIMEOUT} ({@code 2s}); {@link #configKeys()} declares each with its range. The JDBC driver
 * must be on the class path. Thread-safe.
 */
public final class JdbcStoreProvider implements StoreProvider {
  /** The JDBC URL. */
  public static final String URL = "sseauth.jdbc.url";
  /** The database user. */
  public static final String USER = "sseauth.jdbc.user";
  /** The database password; never shown in messages. */
  public static final String PASSWORD = "sseauth.jdbc.password";
  /** Prefix of the three table names. */
  public static final String TABLE_PREFIX = "sseauth.jdbc.table-prefix";
  /** Whether the store creates missing tables. */
  public static final String CREATE_SCHEMA = "sseauth.jdbc.create-schema";
  /** How often revocations made on other nodes are polled. */
  public static final String POLL_INTERVAL = "sseauth.jdbc.poll-interval";
  /** How often expired rows are deleted. */
  public static final String CLEANUP_INTERVAL = "sseauth.jdbc.cleanup-interval";
  /** The store's threads (and, with a URL, connections). */
  public static final String POOL_SIZE = "sseauth.jdbc.pool-size";
  /** The query timeout. */
  public static final String TIMEOUT = "sseauth.jdbc.timeout";

  static final ConfigKey<String> URL_KEY = ConfigKey.uri(URL, null, "(?s)jdbc:.*",
      "must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/app",
      "the database; its JDBC driver must be on the class path").defaultText("— (required)");
  static final ConfigKey<String> USER_KEY = ConfigKey.string(USER, null, null, null, "the database user").sensitive();
  static final ConfigKey<String> PASSWORD_KEY = ConfigKey.string(PASSWORD, null, null, null, "the database password")
      .sensitive();
  static final ConfigKey<String> TABLE_PREFIX_KEY = ConfigKey.string(TABLE_PREFIX, "sseauth_", "[a-z][a-z0-9_]{0,31}",
      "must be 1 to 32 of a-z 0-9 _ starting with a letter", "prefix of the three table names");
  static final ConfigKey<Boolean> CREATE_SCHEMA_KEY = ConfigKey.bool(CREATE_SCHEMA, false,
      "whether the store creates missing tables and indexes at startup");
  static final ConfigKey<Duration> POLL_INTERVAL_KEY = ConfigKey.duration(POLL_INTERVAL, Duration.ofMillis(250),
      Duration.ofMillis(10), Duration.ofMinutes(1),
      "how often revocations made on other nodes are read, so that their live streams end here too; on "
      + "PostgreSQL only while its `LISTEN` connection is down (notifications deliver them, a poll every 5 s catches up)");
  static final ConfigKey<Duration> CLEANUP_INTERVAL_KEY = ConfigKey.duration(CLEANUP_INTERVAL, Duration.ofMinutes(1),
      Duration.ofMillis(10), Duration.ofDays(1), "how often expired rows are deleted");
  static final ConfigKey<Integer> POOL_SIZE_KEY = ConfigKey.integer(POOL_SIZE, 4, 1, 64,
      "the store's threads; with a URL each keeps one connection, with a data source each call borrows one");
  static final ConfigKey<Duration> TIMEOUT_KEY = ConfigKey.duration(TIMEOUT, Duration.ofSeconds(2), Duration.ofSeconds(1),
      Duration.ofMinutes(1), "the JDBC query timeout, in whole seconds (rounded up)");

  /** Used by {@link java.util.ServiceLoader}. */
  public JdbcStoreProvider() {}

  @Override
  public String name() {
    return "jdbc";
  }

  /** The URL, user and password (sensitive: they may hold credentials), then durations, numbers and names. */
  @Override
  public List<ConfigKey<?>> configKeys() {
    return List.of(URL_KEY, USER_KEY, PASSWORD_KEY, TABLE_PREFIX_KEY, CREATE_SCHEMA_KEY, POLL_INTERVAL_KEY,
        CLEANUP_INTERVAL_KEY, POOL_SIZE_KEY, TIMEOUT_KEY);
  }

  @Override
  public SseAuthStore create(StoreContext context) {
    return builder(context).build();
  }

  /** Validates every property into a builder; nothing connects yet. */
  static JdbcStore.Builder builder(StoreContext context) {
    Map<String, String> p = context.properties();
    String url = p.get(URL);
    if (url == null || url.isBlank()) {
      throw URL_KEY.error("must be set when sseauth.store is jdbc");
    }
    return JdbcStore.builder().clock(context.clock()).settings(p);
  }
}
