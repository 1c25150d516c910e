package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.jdbc.internal.SqlStore;
import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Revocations between two nodes on the machine's PostgreSQL through {@code LISTEN}/{@code NOTIFY}: with the
 * polled catch-up a minute apart, only a notification can deliver them within the test's wait.
 */
class PostgresNotifyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final String prefix = TestDb.uniquePrefix();
  private SseAuthStore a;
  private SseAuthStore b;

  @AfterEach
  void stop() {
    for (SseAuthStore s : new SseAuthStore[] {a, b}) {
      if (s != null) {
        s.close();
      }
    }
    TestDb.dropTables(TestDb.PG_URL, prefix);
  }

  private SseAuthStore node() {
    return JdbcStore.builder().url(TestDb.PG_URL, null, null).tablePrefix(prefix).createSchema(true)
        .pollInterval(Duration.ofMinutes(1)).build();
  }

  private static Revocation subject(String id) {
    Instant now = Instant.now();
    return new Revocation(Revocation.Kind.SUBJECT, id, now, now.plus(Duration.ofHours(1)));
  }

  @Test
  void revokeWhenAnotherNodeListensThenItHearsAtOnceAndAfterItsListeningConnectionIsCutItCatchesUp() throws Exception {
    a = node();
    b = node();
    List<Revocation> heard = new CopyOnWriteArrayList<>();
    b.subscribe(new RevocationListener() {
      @Override
      public void revoked(Revocation r) {
        heard.add(r);
      }

      @Override
      public void resync() {}
    });
    Await.until(WAIT, "node b to listen", () -> ((SqlStore) b).listening());
    a.revoke(subject("alice")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    Await.until(WAIT, "node b to hear of alice's revocation", () -> heard.stream().anyMatch(r -> r.id().equals("alice")));

    // the database ends node b's listening connection (a failover, an idle-connection killer)
    try (Connection admin = DriverManager.getConnection(TestDb.PG_URL);
        ResultSet rs = admin.createStatement().executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            + "WHERE query = 'LISTEN " + prefix + "revocations' AND pid <> pg_backend_pid()")) {
      assertThat(rs.next()).as("node a's or b's LISTEN connection").isTrue();
    }
    a.revoke(subject("bob")).toCompletableFuture().get(5, TimeUnit.SECONDS); // perhaps while b does not listen
    Await.until(WAIT, "node b to hear of bob's too, by notification or by its catch-up once it listens again",
        () -> heard.stream().anyMatch(r -> r.id().equals("bob")));
    Await.until(WAIT, "node b to listen again", () -> ((SqlStore) b).listening());
    a.revoke(subject("carol")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    Await.until(WAIT, "and then carol's at once", () -> heard.stream().anyMatch(r -> r.id().equals("carol")));
  }
}
