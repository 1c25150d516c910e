package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Expired rows are deleted by the store's periodic cleanup, judged by the store's clock. */
class JdbcCleanupTest {

  @Test
  void cleanupWhenTicketsAndRevocationsExpireThenRowsDeleted() throws Exception {
    String url = TestDb.h2Url();
    MutableClock clock = MutableClock.atRealTime();
    try (SseAuthStore store = JdbcStore.builder().url(url, null, null).createSchema(true)
        .cleanupInterval(Duration.ofMillis(20)).clock(clock).build()) {
      Instant now = clock.instant();
      store.putTicket("h1", new TicketGrant("s", Map.of(), now, now.plusSeconds(30), null), 16).toCompletableFuture().get(5, TimeUnit.SECONDS);
      store.putTicket("h2", new TicketGrant("s", Map.of(), now, now.plusSeconds(90), null), 16).toCompletableFuture().get(5, TimeUnit.SECONDS);
      store.revoke(new Revocation(Revocation.Kind.SESSION, "sid", now, now.plusSeconds(60))).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(TestDb.count(url, "SELECT COUNT(*) FROM sseauth_tickets")).isEqualTo(2);

      clock.advance(Duration.ofSeconds(31));
      Await.until(Duration.ofSeconds(5), "the expired ticket is deleted",
          () -> TestDb.count(url, "SELECT COUNT(*) FROM sseauth_tickets") == 1);
      assertThat(TestDb.count(url, "SELECT COUNT(*) FROM sseauth_revocations")).isEqualTo(1);

      clock.advance(Duration.ofMinutes(11));
      Await.until(Duration.ofSeconds(5), "everything expired is deleted",
          () -> TestDb.count(url, "SELECT COUNT(*) FROM sseauth_tickets") == 0
              && TestDb.count(url, "SELECT COUNT(*) FROM sseauth_revocations") == 0
              && TestDb.count(url, "SELECT COUNT(*) FROM sseauth_revocation_events") == 0);
    }
  }

  @Test
  void schemaWhenPrefixGivenThenEveryTableAndIndexUsesIt() {
    List<String> sql = JdbcStore.schema("app1_");
    assertThat(sql).hasSize(8); // 4 tables, 4 indexes
    assertThat(sql).allMatch(s -> s.contains("app1_") && !s.contains("sseauth_"));
  }
}
