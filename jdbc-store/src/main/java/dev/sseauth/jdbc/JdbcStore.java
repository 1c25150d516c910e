package dev.sseauth.jdbc;

import dev.sseauth.internal.ConfigErrors;
import dev.sseauth.internal.ConfigReader;
import dev.sseauth.internal.Redaction;
import dev.sseauth.jdbc.internal.ConnectionSource;
import dev.sseauth.jdbc.internal.SqlStore;
import dev.sseauth.spi.SseAuthStore;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
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

  /** Builds a JDBC store. Each setter validates its value. Not thread-safe. */
  public static final class Builder {
    private DataSource dataSource;
    private String url;
    private Properties info = new Properties();
    private Set<String> credentials = Set.of();
    private String tablePrefix = "sseauth_";
    private boolean createSchema;
    private Duration pollInterval = Duration.ofMillis(250);
    private Duration cleanupInterval = Duration.ofMinutes(1);
    private int threads = 4;
    private int queueSize = 1024;
    private Duration timeout = Duration.ofSeconds(2);
    private Clock clock = Clock.systemUTC();
    private boolean forcePortableTake;

    private Builder() {}

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
      if (url == null || !url.startsWith("jdbc:")) {
        throw ConfigErrors.bad(JdbcStoreProvider.URL, url, "must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/app");
      }
      try {
        Driver d = DriverManager.getDriver(url);
        Objects.requireNonNull(d);
      } catch (SQLException e) {
        throw ConfigErrors.bad(JdbcStoreProvider.URL, url, "names a database no JDBC driver on the class path accepts");
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
      this.credentials = new LinkedHashSet<>(Redaction.uriCredentials(url));
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
      this.pollInterval = range("sseauth.jdbc.poll-interval", interval, Duration.ofMillis(10), Duration.ofMinutes(1));
      return this;
    }

    /** {@code sseauth.jdbc.cleanup-interval}: how often expired rows are deleted, 10ms to 1d; default 1m. */
    public Builder cleanupInterval(Duration interval) {
      this.cleanupInterval = range("sseauth.jdbc.cleanup-interval", interval, Duration.ofMillis(10), Duration.ofDays(1));
      return this;
    }

    /**
     * {@code sseauth.jdbc.pool-size}: the store's threads, 1 to 64, default 4. With a URL each thread
     * keeps one connection; with a data source each call borrows one.
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 64) {
        throw ConfigErrors.bad(JdbcStoreProvider.POOL_SIZE, String.valueOf(threads), "must be between 1 and 64");
      }
      this.threads = threads;
      return this;
    }

    /**
     * How many calls may wait for a store thread, 1 to 100,000, default 1024; beyond that a call fails
     * at once (the request gets 503) instead of waiting behind a slow database.
     */
    public Builder queueSize(int size) {
      if (size < 1 || size > 100_000) {
        throw ConfigErrors.bad("queue size", String.valueOf(size), "must be between 1 and 100000");
      }
      this.queueSize = size;
      return this;
    }

    /** {@code sseauth.jdbc.timeout}: the query timeout (whole seconds, rounded up), 1s to 1m; default 2s. */
    public Builder timeout(Duration timeout) {
      this.timeout = range("sseauth.jdbc.timeout", timeout, Duration.ofSeconds(1), Duration.ofMinutes(1));
      return this;
    }

    /** The clock that decides expiry; the same as the {@code SseAuthConfig}'s. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Takes tickets with the portable transaction even on PostgreSQL; for tests of the fallback. */
    Builder forcePortableTake(boolean force) {
      this.forcePortableTake = force;
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
        throw ConfigErrors.about(JdbcStoreProvider.URL, "must be set (or a DataSource given)");
      }
      try {
        return new SqlStore(source, clock, new SqlStore.Settings(tablePrefix, createSchema, pollInterval,
            cleanupInterval, threads, queueSize, timeout, forcePortableTake));
      } catch (RuntimeException e) {
        throw Redaction.scrub(e, dataSource != null ? Set.of() : credentials);
      }
    }

    static String checkPrefix(String prefix) {
      if (prefix == null || !prefix.matches("[a-z][a-z0-9_]{0,31}")) {
        throw ConfigErrors.bad(JdbcStoreProvider.TABLE_PREFIX, prefix, "must be 1 to 32 of a-z 0-9 _ starting with a letter");
      }
      return prefix;
    }

    private static Duration range(String key, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, key);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw ConfigErrors.bad(key, ConfigReader.format(value),
            "must be between " + ConfigReader.format(min) + " and " + ConfigReader.format(max));
      }
      return value;
    }
  }
}
