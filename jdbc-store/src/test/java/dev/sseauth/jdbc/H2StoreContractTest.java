package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.jdbc.internal.SqlStore;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContractTest;
import dev.sseauth.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The core's store contract on H2 in memory, which has no DELETE ... RETURNING: the portable take. */
class H2StoreContractTest extends StoreContractTest {
  static final String URL = TestDb.h2Url();

  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    return JdbcStore.builder().url(URL, null, null).createSchema(true).clock(clock).build();
  }

  @Override
  protected SseAuthStore createSecondNode(MutableClock clock) {
    return createStore(clock);
  }

  @Test
  void buildWhenH2ThenTakesWithThePortableTransaction() {
    assertThat(((SqlStore) store).usesReturning()).isFalse();
  }
}
