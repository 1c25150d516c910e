package dev.sseauth.jdbc;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreOutageTest;

/** The machine's PostgreSQL cut off by a proxy: 503 while it is gone, service resumes by itself. */
class PostgresOutageTest extends StoreOutageTest {
  @Override
  protected String uniquePrefix() {
    return TestDb.uniquePrefix();
  }

  @Override
  protected void deleteAll(String prefix) {
    TestDb.dropTables(TestDb.PG_URL, prefix);
  }

  @Override
  protected int serverPort() {
    return TestDb.PG_PORT;
  }

  @Override
  protected SseAuthStore createStore(int port, String prefix) {
    return JdbcStore.builder().url("jdbc:postgresql://127.0.0.1:" + port + "/test?user=postgres&connectTimeout=2", null, null)
        .tablePrefix(prefix).createSchema(true).build();
  }

  @Override
  protected String storeLogger() {
    return "dev.sseauth.jdbc";
  }
}
