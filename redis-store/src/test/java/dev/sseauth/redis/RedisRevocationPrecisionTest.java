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
 * The store keeps milliseconds; the core asks with sub-millisecond instants. A subject revocation is
 * recorded rounded up, announced with the instant the status reports, and a second one in the same
 * millisecond is recorded strictly later, so a session that knew the first is still revoked.
 */
class RedisRevocationPrecisionTest {
  static final String PREFIX = TestRedis.uniquePrefix("precision");

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteKeys(PREFIX);
  }

  @Test
  void revokeSubjectWhenSubMillisecondInstantThenRecordedRoundedUpAndSecondStrictlyLater() throws Exception {
    Instant asked = Instant.ofEpochMilli(Instant.now().toEpochMilli()).plusNanos(100_000);
    String subject = "precise-" + System.nanoTime();
    List<Revocation> seen = new CopyOnWriteArrayList<>();
    try (SseAuthStore store = RedisStore.builder().uri(TestRedis.URI).keyPrefix(PREFIX).build();
        AutoCloseable sub = store.subscribe(seen::add)) {
      store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, asked, asked.plus(Duration.ofHours(1))))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      Instant first = store.revocationStatus("sid", subject).toCompletableFuture().get(5, TimeUnit.SECONDS)
          .subjectRevokedAt();
      assertThat(first).isEqualTo(Instant.ofEpochMilli(asked.toEpochMilli() + 1));
      store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, asked, asked.plus(Duration.ofHours(1))))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      RevocationStatus status = store.revocationStatus("sid", subject).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(status.subjectRevokedAt()).isEqualTo(first.plusMillis(1));
      assertThat(status.revokes(first)).isTrue();
      Await.until(Duration.ofSeconds(5), "both revocations are published", () -> seen.size() == 2);
      assertThat(seen).extracting(Revocation::revokedAt).containsExactlyInAnyOrder(first, first.plusMillis(1));
      Revocation second = seen.stream().filter(r -> r.revokedAt().isAfter(first)).findFirst().orElseThrow();
      assertThat(second.applies("sid", subject, first)).isTrue();
      assertThat(second.applies("sid", subject, second.revokedAt())).isFalse();
    }
  }
}
