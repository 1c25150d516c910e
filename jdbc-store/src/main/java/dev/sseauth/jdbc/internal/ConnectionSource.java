package dev.sseauth.jdbc.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/** Where the store's threads get connections. Implementations are thread-safe. */
public interface ConnectionSource extends AutoCloseable {

  /** A connection in auto-commit mode for the calling store thread. */
  Connection acquire() throws SQLException;

  /** Gives back a connection from {@link #acquire()}; {@code broken} if a statement on it failed. */
  void release(Connection c, boolean broken);

  /** A connection of the caller's own, held until it closes it (PostgreSQL's {@code LISTEN} needs one). */
  Connection dedicated() throws SQLException;

  @Override
  void close();

  /** Over the application's {@link DataSource} (usually a pool): one borrowed connection per call. */
  static ConnectionSource of(DataSource ds) {
    return new ConnectionSource() {
      @Override
      public Connection acquire() throws SQLException {
        Connection c = ds.getConnection();
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        return c;
      }

      @Override
      public void release(Connection c, boolean broken) {
        try {
          c.close();
        } catch (SQLException e) {
          // the pool deals with it
        }
      }

      @Override
      public Connection dedicated() throws SQLException {
        return acquire();
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Over {@link DriverManager}: each store thread keeps one connection of its own (so a store with
   * {@code n} threads holds at most {@code n} connections). A connection is dropped after a failed
   * statement, and re-checked with {@link Connection#isValid} before use after a second idle or
   * after a statement on another thread failed, so service resumes by itself after an outage.
   */
  static ConnectionSource perThread(String url, Properties info, int validationTimeoutSeconds) {
    return new PerThread(url, info, validationTimeoutSeconds);
  }

  /** See {@link #perThread}. */
  final class PerThread implements ConnectionSource {
    private static final long IDLE_CHECK_NANOS = 1_000_000_000L;

    private final String url;
    private final Properties info;
    private final int validationTimeoutSeconds;
    private final ThreadLocal<Held> held = new ThreadLocal<>();
    private final Set<Connection> all = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    private record Held(Connection connection, long lastUsed, long failuresSeen) {}

    private PerThread(String url, Properties info, int validationTimeoutSeconds) {
      this.url = url;
      this.info = info;
      this.validationTimeoutSeconds = validationTimeoutSeconds;
    }

    @Override
    public Connection acquire() throws SQLException {
      if (closed) {
        throw new SQLException("store closed");
      }
      Held h = held.get();
      if (h != null) {
        boolean suspect = System.nanoTime() - h.lastUsed() > IDLE_CHECK_NANOS || failures.get() != h.failuresSeen();
        if (!suspect || h.connection().isValid(validationTimeoutSeconds)) {
          return h.connection();
        }
        discard(h.connection());
      }
      Connection c = DriverManager.getConnection(url, info);
      all.add(c);
      held.set(new Held(c, System.nanoTime(), failures.get()));
      return c;
    }

    @Override
    public Connection dedicated() throws SQLException {
      if (closed) {
        throw new SQLException("store closed");
      }
      return DriverManager.getConnection(url, info);
    }

    @Override
    public void release(Connection c, boolean broken) {
      if (broken) {
        failures.incrementAndGet();
        discard(c);
      } else {
        held.set(new Held(c, System.nanoTime(), failures.get()));
      }
    }

    private void discard(Connection c) {
      held.remove();
      all.remove(c);
      try {
        c.close();
      } catch (SQLException e) {
        // already unusable
      }
    }

    @Override
    public void close() {
      closed = true;
      for (Connection c : all) {
        try {
          c.close();
        } catch (SQLException e) {
          // closing anyway
        }
      }
      all.clear();
    }
  }
}
