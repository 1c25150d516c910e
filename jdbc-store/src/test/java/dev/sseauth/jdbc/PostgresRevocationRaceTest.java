package dev.sseauth.jdbc;

import dev.sseauth.spi.RevocationRaceTest;
import dev.sseauth.spi.SseAuthStore;
import java.time.Clock;
import java.time.Duration;

/** The revocation races on two nodes, each with its own store, threads and clock, on the machine's PostgreSQL. */
class PostgresRevocationRaceTest extends RevocationRaceTest {
  @Override
  protected String uniquePrefix() {
    return TestDb.uniquePrefix();
  }

  @Override
  protected void deleteAll(String prefix) {
    TestDb.dropTables(TestDb.PG_URL, prefix);
  }

  @Override
  protected SseAuthStore createNodeStore(String prefix, Clock clock) {
    return JdbcStore.builder().url(TestDb.PG_URL, null, null).tablePrefix(prefix).createSchema(true)
        .pollInterval(Duration.ofMillis(100)).clock(clock).build();
  }
}
