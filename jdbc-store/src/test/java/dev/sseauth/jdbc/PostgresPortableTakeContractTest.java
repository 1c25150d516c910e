package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.jdbc.internal.SqlStore;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContractTest;
import dev.sseauth.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The core's store contract on PostgreSQL with the portable take (select, delete, check the count). */
class PostgresPortableTakeContractTest extends StoreContractTest {
  static final String PREFIX = TestDb.uniquePrefix();

  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    return JdbcStore.builder().url(TestDb.PG_URL, null, null).tablePrefix(PREFIX).createSchema(true)
        .forcePortableTake(true).clock(clock).build();
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
