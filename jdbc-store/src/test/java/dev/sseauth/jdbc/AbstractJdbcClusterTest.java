package dev.sseauth.jdbc;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreClusterTest;
import java.util.Map;

/** Two nodes, each with its own store, threads and connections, sharing one database. */
abstract class AbstractJdbcClusterTest extends StoreClusterTest {
  /** The JDBC URL of the shared database. */
  protected abstract String url();

  @Override
  protected String uniquePrefix() {
    return TestDb.uniquePrefix();
  }

  @Override
  protected void deleteAll(String prefix) {
    TestDb.dropTables(url(), prefix);
  }

  @Override
  protected SseAuthStore createNodeStore(String prefix) {
    return JdbcStore.builder().url(url(), null, null).tablePrefix(prefix).createSchema(true).build();
  }

  @Override
  protected Map<String, String> storeProperties(String prefix) {
    return Map.of("sseauth.store", "jdbc", "sseauth.jdbc.url", url(), "sseauth.jdbc.table-prefix", prefix,
        "sseauth.jdbc.create-schema", "true", "sseauth.jdbc.poll-interval", "100ms");
  }

  @Override
  protected long storedTickets(String prefix) {
    return TestDb.count(url(), "SELECT COUNT(*) FROM " + prefix + "tickets");
  }
}
