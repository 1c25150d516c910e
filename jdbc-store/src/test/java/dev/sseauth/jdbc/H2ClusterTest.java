package dev.sseauth.jdbc;

/** Two nodes on one H2 in-memory database (the portable take). */
class H2ClusterTest extends AbstractJdbcClusterTest {
  private final String url = TestDb.h2Url();

  @Override
  protected String url() {
    return url;
  }
}
