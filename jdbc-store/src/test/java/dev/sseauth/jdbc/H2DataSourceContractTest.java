package dev.sseauth.jdbc;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContractTest;
import dev.sseauth.testing.MutableClock;
import org.h2.jdbcx.JdbcDataSource;

/** The core's store contract through an application-supplied {@link javax.sql.DataSource} (H2's). */
class H2DataSourceContractTest extends StoreContractTest {
  static final JdbcDataSource DS = new JdbcDataSource();

  static {
    DS.setURL(TestDb.h2Url());
  }

  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    return JdbcStore.builder().dataSource(DS).createSchema(true).clock(clock).build();
  }

  @Override
  protected SseAuthStore createSecondNode(MutableClock clock) {
    return createStore(clock);
  }
}
