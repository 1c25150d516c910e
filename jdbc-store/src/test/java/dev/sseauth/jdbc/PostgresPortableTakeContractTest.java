package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.jdbc.internal.ConnectionSource;
import dev.sseauth.jdbc.internal.SqlStore;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContractTest;
import dev.sseauth.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The core's store contract on PostgreSQL with the portable take (select, delete, check the count). */
class PostgresPortableTakeContractTest extends StoreContractTest {
  static final String PREFIX = TestDb.uniquePrefix();

  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(TestDb.PG_URL);
    // the internal store itself: no public setting takes the portable path on PostgreSQL
    return new SqlStore(ConnectionSource.of(ds), clock, new SqlStore.Settings(PREFIX, true,
        JdbcStoreProvider.POLL_INTERVAL_KEY.defaultValue(), JdbcStoreProvider.CLEANUP_INTERVAL_KEY.defaultValue(),
        JdbcStoreProvider.POOL_SIZE_KEY.defaultValue(), 1024, JdbcStoreProvider.TIMEOUT_KEY.defaultValue(), true));
  }

  @Override
  protected SseAuthStore createSecondNode(MutableClock clock) {
    return createStore(clock);
  }

  @Test
  void buildWhenPortableTakeForcedThenReturningIsNotUsed() {
    assertThat(((SqlStore) store).usesReturning()).isFalse();
  }

  @AfterAll
  static void dropTables() {
    TestDb.dropTables(TestDb.PG_URL, PREFIX);
  }
}
