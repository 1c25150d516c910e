package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.spi.SseAuthStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deployment id lives in one row of {@code <prefix>deployment}: the first node to start creates it,
 * every other node reads it, also when they all start at the same instant (PostgreSQL and H2).
 */
class JdbcDeploymentTest {
  private static String url(String db) {
    return db.equals("postgres") ? TestDb.PG_URL : TestDb.h2Url();
  }

  private static void createTables(String url, String prefix, boolean withDeployment) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      for (String sql : JdbcStore.schema(prefix)) {
        if (withDeployment || !sql.contains(prefix + "deployment")) {
          s.execute(sql);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "h2"})
  void buildWhenEightNodesStartAtOnceThenAllReadOneDeploymentId(String db) throws Exception {
    String url = url(db);
    String prefix = TestDb.uniquePrefix();
    createTables(url, prefix, true);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<SseAuthStore> stores = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<SseAuthStore>> started = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<SseAuthStore> start = () -> {
          go.await();
          return JdbcStore.builder().url(url, null, null).tablePrefix(prefix).threads(1).build();
        };
        started.add(pool.submit(start));
      }
      go.countDown();
      for (Future<SseAuthStore> f : started) {
        stores.add(f.get(30, TimeUnit.SECONDS));
      }
      Set<String> ids = new HashSet<>();
      stores.forEach(s -> ids.add(s.deploymentId()));
      assertThat(ids).hasSize(1);
      assertThat(ids.iterator().next()).matches("[A-Za-z0-9_-]{16}");
      assertThat(TestDb.count(url, "SELECT COUNT(*) FROM " + prefix + "deployment")).isEqualTo(1);
      // a store built later, on other tables, is another deployment
      String otherPrefix = TestDb.uniquePrefix();
      try (SseAuthStore other = JdbcStore.builder().url(url, null, null).tablePrefix(otherPrefix).createSchema(true).build()) {
        assertThat(other.deploymentId()).isNotIn(ids);
      } finally {
        TestDb.dropTables(url, otherPrefix);
      }
    } finally {
      stores.forEach(SseAuthStore::close);
      pool.shutdownNow();
      TestDb.dropTables(url, prefix);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "h2"})
  void buildWhenDeploymentTableMissingThenFailsAtStartupNamingIt(String db) throws Exception {
    String url = url(db);
    String prefix = TestDb.uniquePrefix();
    createTables(url, prefix, false); // the tables of an earlier version
    try {
      assertThatThrownBy(() -> JdbcStore.builder().url(url, null, null).tablePrefix(prefix).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot use the database")
          .satisfies(e -> assertThat(e.getMessage().toLowerCase(java.util.Locale.ROOT)).contains(prefix + "deployment"));
    } finally {
      TestDb.dropTables(url, prefix);
    }
  }
}
