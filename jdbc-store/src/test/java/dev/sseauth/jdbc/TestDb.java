package dev.sseauth.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The machine's PostgreSQL (started by {@code .ci/run}), H2 in memory, and per-test table prefixes. */
final class TestDb {
  static final int PG_PORT = 5432;
  static final String PG_URL = "jdbc:postgresql://127.0.0.1:" + PG_PORT + "/test?user=postgres";

  private TestDb() {}

  /** A table prefix no other test run uses. */
  static String uniquePrefix() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
  }

  /** A fresh H2 in-memory database shared by every connection of this JVM. */
  static String h2Url() {
    return "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  static void dropTables(String url, String prefix) {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      for (String t : new String[] {"tickets", "revocations", "revocation_events", "deployment"}) {
        s.execute("DROP TABLE IF EXISTS " + prefix + t);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static long count(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
