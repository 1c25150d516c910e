package dev.sseauth.jdbc;

import dev.sseauth.jdbc.internal.ConnectionSource;
import dev.sseauth.jdbc.internal.SqlStore;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreSupport;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Builds the SQL {@link SseAuthStore} for a cluster of sse-auth nodes sharing one database, over
 * plain JDBC: the application's {@link DataSource} (a pool such as HikariCP) or a JDBC URL.
 *
 * <pre>{@code
 * SseAuthStore store = JdbcStore.builder().dataSource(pool).createSchema(true).build();
 * SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(secret).store(store).build());
 * }</pre>
 *
 * <p>The tables are documented in {@code dev/sseauth/jdbc/schema.sql} inside this jar (see
 * {@link #schema(String)}); create them with your migration tool, or let the store create them
 * with {@link Builder#createSchema(boolean)}. A ticket is taken with {@code DELETE ... RETURNING}
 * on PostgreSQL and elsewhere with a select, then a delete whose row count is checked, in one
 * transaction; either way at most one caller on any node gets it. Every blocking call runs on the
 * store's own threads ({@link Builder#threads(int)}), never the caller's. Revocations reach the live
 * streams of other nodes by polling an events table ({@link Builder#pollInterval(Duration)}).
 *
 * <p>The store reads the database when built and fails at once if it cannot. After that, a failing
 * database fails store calls (the core answers 503) and service resumes by itself when it returns.
 */
public final class JdbcStore {
  private JdbcStore() {}

  /** A builder with the defaults; a data source or URL must be given. */
  public static Builder builder() {
    return new Builder();
  }

  /** The statements of the documented schema, for a table prefix such as {@code sseauth_}. */
  public static List<String> schema(String tablePrefix) {
    return SqlStore.schema(Builder.checkPrefix(tablePrefix));
  }

  /**
   * Builds a JDBC store. Each setter of a configuration key validates its value against the key's
   * declaration (its range, its pattern; null is refused) and throws {@link IllegalArgumentException}
   * naming the key, and the value unless it may hold a credential. Not thread-safe.
   */
  public static final class Builder {
    private DataSource dataSource;
    private String url;
    private Properties info = new Properties();
    private Set<String> credentials = Set.of();
    private String tablePrefix = JdbcStoreProvider.TABLE_PREFIX_KEY.defaultValue();
    private boolean createSchema = JdbcStoreProvider.CREATE_SCHEMA_KEY.defaultValue();
    private Duration pollInterval = JdbcStoreProvider.POLL_INTERVAL_KEY.defaultValue();
    private Duration cleanupInterval = JdbcStoreProvider.CLEANUP_INTERVAL_KEY.defaultValue();
    private int threads = JdbcStoreProvider.POOL_SIZE_KEY.defaultValue();
    private int queueSize = 1024;
    private Duration timeout = JdbcStoreProvider.TIMEOUT_KEY.defaultValue();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Applies the {@code sseauth.jdbc.*} settings {@code properties} holds (the keys of
     * {@link JdbcStoreProvider}, as {@code SseAuthConfig.storeProperties()} gives them); the others keep
     * their values. A URL there is connected to only if no {@link #dataSource} is given: a framework
     * that supplies the application's data source passes the same settings.
     *
     * @throws IllegalArgumentException on a bad value, naming the key, and the value unless it may hold a
     *     credential
     */
    public Builder settings(Map<String, String> properties) {
      String u = properties.get(JdbcStoreProvider.URL);
      if (u != null && !u.isBlank()) {
        url(JdbcStoreProvider.URL_KEY.parse(u), JdbcStoreProvider.USER_KEY.read(properties),
            JdbcStoreProvider.PASSWORD_KEY.read(properties));
      }
      return tablePrefix(JdbcStoreProvider.TABLE_PREFIX_KEY.read(properties))
          .createSchema(JdbcStoreProvider.CREATE_SCHEMA_KEY.read(properties))
          .pollInterval(JdbcStoreProvider.POLL_INTERVAL_KEY.read(properties))
          .cleanupInterval(JdbcStoreProvider.CLEANUP_INTERVAL_KEY.read(properties))
          .threads(JdbcStoreProvider.POOL_SIZE_KEY.read(properties))
          .timeout(JdbcStoreProvider.TIMEOUT_KEY.read(properties));
    }

    /** Borrows a connection per call from the application's data source (which it keeps owning). */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * {@code sseauth.jdbc.url}, {@code .user}, {@code .password}: connects through
     * {@link DriverManager}, one connection per store thread. The driver must be on the class path.
     *
     * @param user the user, or null; never shown in messages
     * @param password the password, or null; never shown in messages
     * @throws IllegalArgumentException if no driver on the class path accepts the URL; the message names
     *     the key, never the URL
     */
    public Builder url(String url, String user, String password) {
      JdbcStoreProvider.URL_KEY.check(url);
      try {
        Driver d = DriverManager.getDriver(url);
        Objects.requireNonNull(d);
      } catch (SQLException e) {
        throw JdbcStoreProvider.URL_KEY.invalid(url, "names a database no JDBC driver on the class path accepts");
      }
      Properties p = new Properties();
      if (user != null && !user.isEmpty()) {
        p.setProperty("user", user);
      }
      if (password != null && !password.isEmpty()) {
        p.setProperty("password", password);
      }
      this.url = url;
      this.info = p;
      this.credentials = new LinkedHashSet<>(StoreSupport.uriCredentials(url));
      if (user != null) {
        credentials.add(user);
      }
      if (password != null) {
        credentials.add(password);
      }
      return this;
    }

    /** {@code sseauth.jdbc.table-prefix}: 1 to 32 of {@code a-z 0-9 _}, starting with a letter; default {@code sseauth_}. */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = checkPrefix(prefix);
      return this;
    }

    /** {@code sseauth.jdbc.create-schema}: create missing tables and indexes when built; default false. */
    public Builder createSchema(boolean create) {
      this.createSchema = create;
      return this;
    }

    /**
     * {@code sseauth.jdbc.poll-interval}: how often the store looks for revocations made on other
     * nodes, 10ms to 1m; default 250ms, so live streams on every node end within a second.
     */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = JdbcStoreProvider.POLL_INTERVAL_KEY.check(interval);
      return this;
    }

    /** {@code sseauth.jdbc.cleanup-interval}: how often expired rows are deleted, 10ms to 1d; default 1m. */
    public Builder cleanupInterval(Duration interval) {
      this.cleanupInterval = JdbcStoreProvider.CLEANUP_INTERVAL_KEY.check(interval);
      return this;
    }

    /**
     * {@code sseauth.jdbc.pool-size}: the store's threads, 1 to 64, default 4. With a URL each thread
     * keeps one connection; with a data source each call borrows one.
     */
    public Builder threads(int threads) {
      this.threads = JdbcStoreProvider.POOL_SIZE_KEY.check(threads);
      return this;
    }

    /**
     * How many calls may wait for a store thread, 1 to 100,000, default 1024; beyond that a call fails
     * at once (the request gets 503) instead of waiting behind a slow database.
     */
    public Builder queueSize(int size) {
      if (size < 1 || size > 100_000) {
        throw new IllegalArgumentException("queue size must be between 1 and 100000, but was " + size);
      }
      this.queueSize = size;
      return this;
    }

    /** {@code sseauth.jdbc.timeout}: the query timeout (whole seconds, rounded up), 1s to 1m; default 2s. */
    public Builder timeout(Duration timeout) {
      this.timeout = JdbcStoreProvider.TIMEOUT_KEY.check(timeout);
      return this;
    }

    /** The clock that decides expiry; the same as the {@code SseAuthConfig}'s. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the store: creates the schema if asked and reads the database once. Thread-safe; close
     * it (or the {@code SseAuth} it was given to) to stop its threads and close its connections.
     *
     * @throws IllegalArgumentException if neither a data source nor a URL was given
     * @throws IllegalStateException if the database cannot be used now (unreachable, tables missing);
     *     neither its message nor its causes' hold the URL, the user or the password given to
     *     {@link #url}
     */
    public SseAuthStore build() {
      ConnectionSource source;
      if (dataSource != null) {
        source = ConnectionSource.of(dataSource);
      } else if (url != null) {
        source = ConnectionSource.perThread(url, info, (int) Math.max(1, timeout.toSeconds()));
      } else {
        throw JdbcStoreProvider.URL_KEY.error("must be set (or a DataSource given)");
      }
      try {
        return new SqlStore(source, clock, new SqlStore.Settings(tablePrefix, createSchema, pollInterval,
            cleanupInterval, threads, queueSize, timeout, false));
      } catch (RuntimeException e) {
        throw StoreSupport.scrub(e, dataSource != null ? Set.of() : credentials);
      }
    }

    static String checkPrefix(String prefix) {
      return JdbcStoreProvider.TABLE_PREFIX_KEY.check(prefix);
    }
  }
}
