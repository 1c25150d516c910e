package dev.sseauth.redis;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Redis keeps milliseconds; sessions start with sub-millisecond precision. A revocation must still
 * apply to a session that started earlier within the same millisecond.
 */
class RedisRevocationPrecisionTest {
  static final String PREFIX = TestRedis.uniquePrefix("precision");

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteKeys(PREFIX);
  }

  @Test
  void revokeSubjectWhenSessionStartedEarlierInSameMillisecondThenStatusAndMessageRevokeIt() throws Exception {
    Instant sessionStart = Instant.ofEpochMilli(Instant.now().toEpochMilli()).plusNanos(100_000);
    Instant revokedAt = sessionStart.plusNanos(500_000);
    String subject = "precise-" + System.nanoTime();
    List<Revocation> seen = new CopyOnWriteArrayList<>();
    try (SseAuthStore store = RedisStore.builder().uri(TestRedis.URI).keyPrefix(PREFIX).build();
        AutoCloseable sub = store.subscribe(seen::add)) {
      store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, revokedAt, revokedAt.plus(Duration.ofHours(1))))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      RevocationStatus status = store.revocationStatus("sid", subject).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(status.revokes(sessionStart)).isTrue();
      Await.until(Duration.ofSeconds(5), "the revocation is published", () -> !seen.isEmpty());
      assertThat(seen.get(0).applies("sid", subject, sessionStart)).isTrue();
    }
  }
}
