package dev.sseauth.jdbc;

/** Two nodes on the machine's PostgreSQL (DELETE ... RETURNING). */
class PostgresClusterTest extends AbstractJdbcClusterTest {
  @Override
  protected String url() {
    return TestDb.PG_URL;
  }
}
