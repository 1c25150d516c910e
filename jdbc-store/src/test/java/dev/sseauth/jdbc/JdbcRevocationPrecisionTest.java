package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The tables keep milliseconds; sessions start with sub-millisecond precision. A revocation must
 * still apply to a session that started earlier within the same millisecond.
 */
class JdbcRevocationPrecisionTest {

  @Test
  void revokeSubjectWhenSessionStartedEarlierInSameMillisecondThenStatusAndEventRevokeIt() throws Exception {
    Instant sessionStart = Instant.ofEpochMilli(Instant.now().toEpochMilli()).plusNanos(100_000);
    Instant revokedAt = sessionStart.plusNanos(500_000);
    List<Revocation> seen = new CopyOnWriteArrayList<>();
    try (SseAuthStore store = JdbcStore.builder().url(TestDb.h2Url(), null, null).createSchema(true)
        .pollInterval(Duration.ofMillis(20)).build();
        AutoCloseable sub = store.subscribe(seen::add)) {
      store.revoke(new Revocation(Revocation.Kind.SUBJECT, "alice", revokedAt, revokedAt.plus(Duration.ofHours(1))))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      RevocationStatus status = store.revocationStatus("sid", "alice").toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(status.revokes(sessionStart)).isTrue();
      Await.until(Duration.ofSeconds(5), "the revocation is polled", () -> !seen.isEmpty());
      assertThat(seen.get(0).applies("sid", "alice", sessionStart)).isTrue();
    }
  }
}
