package dev.sseauth.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SseAuthStore} passes. A store module extends it and creates its store;
 * published in the core's test-jar. Keys are random per test, so a shared server needs no cleanup.
 */
public abstract class StoreContractTest {
  protected MutableClock clock;
  protected SseAuthStore store;

  /** A new store deciding expiry by {@code clock}. */
  protected abstract SseAuthStore createStore(MutableClock clock);

  /**
   * A second store on the same backing storage (another node), or null if the store is node-local.
   * Nodes share the clock.
   */
  protected SseAuthStore createSecondNode(MutableClock clock) {
    return null;
  }

  @BeforeEach
  void setUpStore() {
    clock = MutableClock.atRealTime();
    store = createStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected static String key() {
    return UUID.randomUUID().toString();
  }

  protected TicketGrant grant(String subject, Duration ttl) {
    Instant now = clock.instant();
    return new TicketGrant(subject, Map.of("tenant", "t1"), now, now.plus(ttl), null);
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void takeTicketWhenStoredThenReturnsGrantOnce() throws Exception {
    String k = key();
    TicketGrant g = grant("alice-" + k, Duration.ofSeconds(30));
    assertThat(get(store.putTicket(k, g, 16))).isTrue();
    Optional<TicketGrant> first = get(store.takeTicket(k));
    assertThat(first).isPresent();
    assertThat(first.get().subject()).isEqualTo(g.subject());
    assertThat(first.get().attributes()).isEqualTo(Map.of("tenant", "t1"));
    assertThat(first.get().issuedAt().toEpochMilli()).isEqualTo(g.issuedAt().toEpochMilli());
    assertThat(first.get().expiresAt().toEpochMilli()).isEqualTo(g.expiresAt().toEpochMilli());
    assertThat(get(store.takeTicket(k))).isEmpty();
  }

  @Test
  void takeTicketWhenUnknownThenEmpty() throws Exception {
    assertThat(get(store.takeTicket(key()))).isEmpty();
  }

  @Test
  void takeTicketWhenExpiredByClockThenEmpty() throws Exception {
    String k = key();
    assertThat(get(store.putTicket(k, grant("bob-" + k, Duration.ofSeconds(30)), 16))).isTrue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(get(store.takeTicket(k))).isEmpty();
  }

  @Test
  void takeTicketJustBeforeExpiryThenReturnsGrant() throws Exception {
    String k = key();
    assertThat(get(store.putTicket(k, grant("carol-" + k, Duration.ofSeconds(30)), 16))).isTrue();
    clock.advance(Duration.ofSeconds(29));
    assertThat(get(store.takeTicket(k))).isPresent();
  }

  @Test
  void putTicketWhenSubjectAtLimitThenRefusedUntilOneIsTaken() throws Exception {
    String subject = "flood-" + key();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String k = key();
      keys.add(k);
      assertThat(get(store.putTicket(k, grant(subject, Duration.ofSeconds(30)), 3))).isTrue();
    }
    assertThat(get(store.putTicket(key(), grant(subject, Duration.ofSeconds(30)), 3))).isFalse();
    assertThat(get(store.putTicket(key(), grant("other-" + key(), Duration.ofSeconds(30)), 3))).isTrue();
    assertThat(get(store.takeTicket(keys.get(0)))).isPresent();
    assertThat(get(store.putTicket(key(), grant(subject, Duration.ofSeconds(30)), 3))).isTrue();
  }

  @Test
  void putTicketWhenEarlierTicketsExpiredThenAccepted() throws Exception {
    String subject = "expiring-" + key();
    for (int i = 0; i < 2; i++) {
      assertThat(get(store.putTicket(key(), grant(subject, Duration.ofSeconds(30)), 2))).isTrue();
    }
    assertThat(get(store.putTicket(key(), grant(subject, Duration.ofSeconds(30)), 2))).isFalse();
    clock.advance(Duration.ofSeconds(31));
    assertThat(get(store.putTicket(key(), grant(subject, Duration.ofSeconds(30)), 2))).isTrue();
  }

  @Test
  void takeTicketWhenRacedByManyThreadsThenExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 200; round++) {
        String k = key();
        assertThat(get(store.putTicket(k, grant("race-" + k, Duration.ofSeconds(30)), 16))).isTrue();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Optional<TicketGrant>>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          results.add(pool.submit(() -> {
            start.await();
            return get(store.takeTicket(k));
          }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Optional<TicketGrant>> f : results) {
          winners += f.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0;
        }
        assertThat(winners).as("winners in round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void revocationStatusWhenNothingRevokedThenNone() throws Exception {
    RevocationStatus s = get(store.revocationStatus("sid-" + key(), "sub-" + key()));
    assertThat(s.sessionRevoked()).isFalse();
    assertThat(s.subjectRevokedAt()).isNull();
  }

  @Test
  void revokeSessionThenStatusShowsItUntilKeepUntil() throws Exception {
    String sid = "sid-" + key();
    Instant now = clock.instant();
    get(store.revoke(new Revocation(Revocation.Kind.SESSION, sid, now, now.plus(Duration.ofHours(1)))));
    assertThat(get(store.revocationStatus(sid, "sub-" + key())).sessionRevoked()).isTrue();
    assertThat(get(store.revocationStatus("sid-" + key(), "sub-" + key())).sessionRevoked()).isFalse();
  }

  @Test
  void revokeSubjectThenStatusCarriesRevocationTime() throws Exception {
    String subject = "sub-" + key();
    Instant now = clock.instant();
    get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, now, now.plus(Duration.ofHours(1)))));
    RevocationStatus s = get(store.revocationStatus("sid-" + key(), subject));
    assertThat(s.sessionRevoked()).isFalse();
    assertThat(s.subjectRevokedAt()).isNotNull();
    assertThat(s.subjectRevokedAt().toEpochMilli()).isEqualTo(now.toEpochMilli());
    // a session whose ticket knew no revocation, or an earlier one, is revoked; one whose ticket knew this one is not
    assertThat(s.revokes(null)).isTrue();
    assertThat(s.revokes(now.minusSeconds(1))).isTrue();
    assertThat(s.revokes(s.subjectRevokedAt())).isFalse();
  }

  @Test
  void revokeSubjectWhenSameOrEarlierInstantThenRecordedStrictlyLater() throws Exception {
    String subject = "sub-" + key();
    List<Revocation> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = store.subscribe(seen::add)) {
      Instant now = clock.instant();
      Instant keep = now.plus(Duration.ofHours(1));
      get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, now, keep)));
      Instant first = get(store.revocationStatus("", subject)).subjectRevokedAt();
      // another node, its clock behind, revokes the same subject: a session that knew the first must end too
      get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, now.minusSeconds(10), keep)));
      Instant second = get(store.revocationStatus("", subject)).subjectRevokedAt();
      get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, second, keep)));
      Instant third = get(store.revocationStatus("", subject)).subjectRevokedAt();
      assertThat(second).isAfter(first);
      assertThat(third).isAfter(second);
      assertThat(get(store.revocationStatus("", subject)).revokes(first)).isTrue();
      Await.until(Duration.ofSeconds(5), "three revocations delivered",
          () -> seen.stream().filter(r -> r.id().equals(subject)).count() == 3);
      // listeners hear the instants the store recorded, not the ones asked for
      assertThat(seen.stream().filter(r -> r.id().equals(subject)).map(Revocation::revokedAt))
          .containsExactlyInAnyOrder(first, second, third);
    }
  }

  /**
   * Stores keep milliseconds; the core asks with sub-millisecond instants. A subject revocation is
   * recorded rounded up and announced with the instant the status reports; a second one in the same
   * millisecond is recorded strictly later, so a session that knew the first is still revoked.
   */
  @Test
  void revokeSubjectWhenSubMillisecondInstantThenRecordedRoundedUpAndSecondStrictlyLater() throws Exception {
    Instant asked = Instant.ofEpochMilli(clock.instant().toEpochMilli()).plusNanos(100_000);
    String subject = "precise-" + key();
    List<Revocation> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = store.subscribe(seen::add)) {
      get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, asked, asked.plus(Duration.ofHours(1)))));
      Instant first = get(store.revocationStatus("sid", subject)).subjectRevokedAt();
      assertThat(first).isEqualTo(Instant.ofEpochMilli(asked.toEpochMilli() + 1));
      get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, asked, asked.plus(Duration.ofHours(1)))));
      RevocationStatus status = get(store.revocationStatus("sid", subject));
      assertThat(status.subjectRevokedAt()).isEqualTo(first.plusMillis(1));
      assertThat(status.revokes(first)).isTrue();
      Await.until(Duration.ofSeconds(5), "both revocations are announced",
          () -> seen.stream().filter(r -> r.id().equals(subject)).count() == 2);
      assertThat(seen.stream().filter(r -> r.id().equals(subject)).map(Revocation::revokedAt))
          .containsExactlyInAnyOrder(first, first.plusMillis(1));
      Revocation second = seen.stream().filter(r -> r.revokedAt().isAfter(first)).findFirst().orElseThrow();
      assertThat(second.applies("sid", subject, first)).isTrue();
      assertThat(second.applies("sid", subject, second.revokedAt())).isFalse();
    }
  }

  @Test
  void revokeWhenShorterKeepUntilThenLongerIsKept() throws Exception {
    String subject = "sub-" + key();
    Instant now = clock.instant();
    get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, now, now.plus(Duration.ofHours(2)))));
    get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, now, now.plus(Duration.ofMinutes(1)))));
    clock.advance(Duration.ofMinutes(30));
    assertThat(get(store.revocationStatus("", subject)).subjectRevokedAt()).isNotNull();
  }

  @Test
  void revokeSubjectTwiceThenLatestTimeWins() throws Exception {
    String subject = "sub-" + key();
    Instant now = clock.instant();
    get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, now, now.plus(Duration.ofHours(1)))));
    Instant later = now.plusSeconds(60);
    get(store.revoke(new Revocation(Revocation.Kind.SUBJECT, subject, later, later.plus(Duration.ofHours(1)))));
    assertThat(get(store.revocationStatus("s", subject)).subjectRevokedAt().toEpochMilli()).isEqualTo(later.toEpochMilli());
  }

  @Test
  void subscribeThenRevocationsReachListenerUntilClosed() throws Exception {
    List<Revocation> seen = new CopyOnWriteArrayList<>();
    AutoCloseable sub = store.subscribe(seen::add);
    String sid = "sid-" + key();
    Instant now = clock.instant();
    get(store.revoke(new Revocation(Revocation.Kind.SESSION, sid, now, now.plus(Duration.ofHours(1)))));
    Await.until(Duration.ofSeconds(5), "revocation delivered", () -> seen.stream().anyMatch(r -> r.id().equals(sid)));
    Revocation r = seen.stream().filter(x -> x.id().equals(sid)).findFirst().orElseThrow();
    assertThat(r.kind()).isEqualTo(Revocation.Kind.SESSION);
    sub.close();
    String sid2 = "sid-" + key();
    get(store.revoke(new Revocation(Revocation.Kind.SESSION, sid2, now, now.plus(Duration.ofHours(1)))));
    // the second revocation is recorded; a listener that was removed no longer hears of it
    assertThat(get(store.revocationStatus(sid2, "x")).sessionRevoked()).isTrue();
    assertThat(seen).noneMatch(x -> x.id().equals(sid2));
  }

  @Test
  void deploymentIdThenWellFormedStableAndTheSameOnEveryNode() {
    String id = store.deploymentId();
    assertThat(id).as("at least 96 random bits, at most 64 characters of A-Z a-z 0-9 - _").matches("[A-Za-z0-9_-]{16,64}");
    assertThat(store.deploymentId()).isEqualTo(id);
    SseAuthStore other = createSecondNode(clock);
    if (other != null) {
      try {
        assertThat(other.deploymentId()).as("a second node of the same store").isEqualTo(id);
      } finally {
        other.close();
      }
    }
  }

  @Test
  void secondNodeWhenTicketPutOnFirstThenRedeemsOnceAcrossNodes() throws Exception {
    SseAuthStore other = createSecondNode(clock);
    if (other == null) {
      return; // a node-local store has no second node
    }
    try {
      AtomicInteger winners = new AtomicInteger();
      for (int i = 0; i < 200; i++) {
        String k = key();
        assertThat(get(store.putTicket(k, grant("n-" + k, Duration.ofSeconds(30)), 16))).isTrue();
        var a = store.takeTicket(k).toCompletableFuture();
        var b = other.takeTicket(k).toCompletableFuture();
        int w = (a.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0) + (b.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0);
        assertThat(w).isEqualTo(1);
        winners.addAndGet(w);
      }
      assertThat(winners.get()).isEqualTo(200);
      List<Revocation> seen = new CopyOnWriteArrayList<>();
      try (AutoCloseable sub = other.subscribe(seen::add)) {
        String sid = "sid-" + key();
        Instant now = clock.instant();
        get(store.revoke(new Revocation(Revocation.Kind.SESSION, sid, now, now.plus(Duration.ofHours(1)))));
        Await.until(Duration.ofSeconds(2), "revocation reaches the other node", () -> seen.stream().anyMatch(r -> r.id().equals(sid)));
        assertThat(get(other.revocationStatus(sid, "x")).sessionRevoked()).isTrue();
      }
    } finally {
      other.close();
    }
  }
}
