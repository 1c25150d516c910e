package dev.sseauth.jdbc;

import dev.sseauth.internal.ConfigErrors;
import dev.sseauth.internal.ConfigReader;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sseauth.store=jdbc}: found through {@link java.util.ServiceLoader}. Keys (defaults in
 * parentheses): {@value #URL} (required), {@value #USER}, {@value #PASSWORD}, {@value #TABLE_PREFIX}
 * ({@code sseauth_}), {@value #CREATE_SCHEMA} ({@code false}), {@value #POLL_INTERVAL}
 * ({@code 250ms}), {@value #CLEANUP_INTERVAL} ({@code 1m}), {@value #POOL_SIZE} ({@code 4}),
 * {@value #TIMEOUT} ({@code 2s}). The JDBC driver must be on the class path. Thread-safe.
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

  /** Used by {@link java.util.ServiceLoader}. */
  public JdbcStoreProvider() {}

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public Set<String> propertyKeys() {
    return Set.of(URL, USER, PASSWORD, TABLE_PREFIX, CREATE_SCHEMA, POLL_INTERVAL, CLEANUP_INTERVAL, POOL_SIZE, TIMEOUT);
  }

  /** The URL, user and password may hold credentials; the other keys are durations, numbers and names. */
  @Override
  public Set<String> sensitiveKeys() {
    return Set.of(URL, USER, PASSWORD);
  }

  @Override
  public SseAuthStore create(StoreContext context) {
    return builder(context).build();
  }

  /** Validates every property into a builder; nothing connects yet. */
  static JdbcStore.Builder builder(StoreContext context) {
    Map<String, String> p = context.properties();
    JdbcStore.Builder b = JdbcStore.builder().clock(context.clock());
    String url = p.get(URL);
    if (url == null || url.isBlank()) {
      throw ConfigErrors.about(URL, "must be set when sseauth.store is jdbc");
    }
    b.url(url.trim(), p.get(USER), p.get(PASSWORD));
    if (p.containsKey(TABLE_PREFIX)) {
      b.tablePrefix(p.get(TABLE_PREFIX).trim());
    }
    if (p.containsKey(CREATE_SCHEMA)) {
      String v = p.get(CREATE_SCHEMA).trim().toLowerCase(Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) {
        throw ConfigErrors.bad(CREATE_SCHEMA, p.get(CREATE_SCHEMA), "must be true or false");
      }
      b.createSchema(v.equals("true"));
    }
    if (p.containsKey(POLL_INTERVAL)) {
      b.pollInterval(ConfigReader.duration(POLL_INTERVAL, p.get(POLL_INTERVAL).trim()));
    }
    if (p.containsKey(CLEANUP_INTERVAL)) {
      b.cleanupInterval(ConfigReader.duration(CLEANUP_INTERVAL, p.get(CLEANUP_INTERVAL).trim()));
    }
    if (p.containsKey(POOL_SIZE)) {
      String v = p.get(POOL_SIZE).trim();
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw ConfigErrors.bad(POOL_SIZE, v, "must be a whole number");
      }
      b.threads(n);
    }
    if (p.containsKey(TIMEOUT)) {
      b.timeout(ConfigReader.duration(TIMEOUT, p.get(TIMEOUT).trim()));
    }
    return b;
  }
}
