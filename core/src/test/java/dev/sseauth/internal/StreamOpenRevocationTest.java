package dev.sseauth.internal;

import static dev.sseauth.testing.Tickets.await;
import static dev.sseauth.testing.Tickets.handshakeId;
import static dev.sseauth.testing.Tickets.redeem;
import static dev.sseauth.testing.Tickets.resume;
import static dev.sseauth.testing.Tickets.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.ForwardingStore;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stream opening after its decision: revocations announced since the decision's lookup are checked in
 * memory, and the store is asked again only when the announcements cannot tell (a resync, or more than
 * the node keeps). The store counts its revocation lookups; the test announces revocations through the
 * node's listener, recorded in the store or not.
 */
class StreamOpenRevocationTest {
  private final MutableClock clock = MutableClock.atRealTime();
  private ObservedStore store;
  private SseAuth auth;

  /** A memory store that counts revocation lookups and can stop announcing what it records. */
  static final class ObservedStore extends ForwardingStore {
    final AtomicInteger lookups = new AtomicInteger();
    volatile boolean deaf;
    volatile RevocationListener listener;

    ObservedStore(MemoryStore inner) {
      super(inner);
    }

    @Override
    public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
      lookups.incrementAndGet();
      return super.revocationStatus(sessionId, subject);
    }

    @Override
    public AutoCloseable subscribe(RevocationListener l) {
      listener = l;
      return super.subscribe(new RevocationListener() {
        @Override
        public void revoked(Revocation r) {
          if (!deaf) {
            l.revoked(r);
          }
        }

        @Override
        public void resync() {
          l.resync();
        }
      });
    }
  }

  @BeforeEach
  void start() {
    store = new ObservedStore(new MemoryStore(clock, 100_000));
    auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
        .streamCheckInterval(Duration.ofMillis(20)).store(store).build());
  }

  @AfterEach
  void stop() {
    auth.close();
  }

  /** A first connection's decision, or a reconnect's with the token of an earlier one. */
  private Allowed decide(String subject, boolean reconnect) {
    Allowed first = (Allowed) redeem(auth, ticket(auth, subject));
    return reconnect ? (Allowed) resume(auth, handshakeId(first) + "41") : first;
  }

  private Revocation session(Allowed a) {
    Instant now = clock.instant();
    return new Revocation(Revocation.Kind.SESSION, a.session().sessionId(), now, now.plusSeconds(3600));
  }

  private Revocation subject(String subject) {
    Instant now = clock.instant();
    return new Revocation(Revocation.Kind.SUBJECT, subject, now, now.plusSeconds(3600));
  }

  @Test
  void openWhenNothingAnnouncedSinceDecisionThenStoreNotAsked() {
    for (boolean reconnect : new boolean[] {false, true}) {
      Allowed a = decide("alice", reconnect);
      int before = store.lookups.get();
      RecordingOutput out = new RecordingOutput();
      try (LiveStream s = a.open(out)) {
        assertThat(store.lookups.get()).as("lookups at open").isEqualTo(before);
        assertThat(out.ended()).isNull();
      }
    }
  }

  @Test
  void openWhenOnlyOtherSessionsRevokedSinceDecisionThenStreamsOnAndStoreNotAsked() {
    for (boolean reconnect : new boolean[] {false, true}) {
      Allowed a = decide("alice", reconnect);
      Allowed other = decide("bob", false);
      await(auth.revokeSession(other.session().sessionId()));
      await(auth.revokeSubject("carol"));
      int before = store.lookups.get();
      RecordingOutput out = new RecordingOutput();
      try (LiveStream s = a.open(out)) {
        assertThat(store.lookups.get()).as("lookups at open").isEqualTo(before);
        assertThat(out.ended()).isNull();
      }
    }
  }

  /**
   * The revocation is announced but not recorded in the store: were the memory check to miss it, a
   * lookup would find nothing and the stream would go on.
   */
  @Test
  void openWhenRevocationAnnouncedBetweenDecisionAndOpenThenEndedAtOnceFromMemory() {
    for (boolean reconnect : new boolean[] {false, true}) {
      for (Function<Allowed, Revocation> revocation : java.util.List.<Function<Allowed, Revocation>>of(
          this::session, a -> subject(a.principal().subject()))) {
        Allowed a = decide("alice", reconnect);
        store.listener.revoked(revocation.apply(a));
        store.listener.revoked(subject("someone-else")); // after it, so not the latest announcement
        int before = store.lookups.get();
        RecordingOutput out = new RecordingOutput();
        try (LiveStream s = a.open(out)) {
          assertThat(out.ended()).as("ended during open").isEqualTo(Reason.SESSION_REVOKED);
          assertThat(store.lookups.get()).as("lookups at open").isEqualTo(before);
        }
        assertThat(auth.liveStreams()).isZero();
      }
    }
  }

  @Test
  void openWhenSubjectRevocationAnnouncedIsOneTheTicketKnewThenStreamsOn() {
    await(auth.revokeSubject("alice")); // before the ticket: the session's ticket knows it
    Allowed a = decide("alice", false);
    RecordingOutput out = new RecordingOutput();
    Revocation known = new Revocation(Revocation.Kind.SUBJECT, "alice", Instant.EPOCH, clock.instant().plusSeconds(60));
    store.listener.revoked(known); // announced late (a slow feed): no later than what the ticket knew
    try (LiveStream s = a.open(out)) {
      assertThat(out.ended()).isNull();
    }
  }

  @Test
  void openWhenResyncSinceDecisionThenStoreAskedAndUnannouncedRevocationEndsStream() {
    Allowed a = decide("alice", true);
    store.deaf = true;
    await(auth.revokeSession(a.session().sessionId())); // recorded, never announced
    store.listener.resync();
    int before = store.lookups.get();
    RecordingOutput out = new RecordingOutput();
    a.open(out);
    assertThat(store.lookups.get()).as("lookups at open").isEqualTo(before + 1);
    Await.until(Duration.ofSeconds(5), "the stream ends", () -> out.ended() != null);
    assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
  }

  @Test
  void openWhenMoreAnnouncementsSinceDecisionThanKeptThenStoreAsked() {
    Allowed a = decide("alice", false);
    await(auth.revokeSession(a.session().sessionId())); // recorded and announced, then pushed out of the log
    for (int i = 0; i < RecentRevocations.CAPACITY; i++) {
      store.listener.revoked(subject("other-" + i));
    }
    int before = store.lookups.get();
    RecordingOutput out = new RecordingOutput();
    a.open(out);
    assertThat(store.lookups.get()).as("lookups at open").isEqualTo(before + 1);
    Await.until(Duration.ofSeconds(5), "the stream ends", () -> out.ended() != null);
    assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
  }

  @Test
  void openWhenAsManyAnnouncementsAsKeptThenStillCheckedInMemory() {
    Allowed a = decide("alice", false);
    store.listener.revoked(session(a)); // announced only: no lookup could find it
    for (int i = 1; i < RecentRevocations.CAPACITY; i++) {
      store.listener.revoked(subject("other-" + i));
    }
    int before = store.lookups.get();
    RecordingOutput out = new RecordingOutput();
    a.open(out);
    assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
    assertThat(store.lookups.get()).isEqualTo(before);
  }

  /**
   * Open and the announcement race on two threads, many times: whichever comes first, the stream ends.
   * The store never records the revocation, so neither a lookup nor a later check can rescue a miss.
   */
  @Test
  void openWhileRevocationAnnouncedConcurrentlyThenStreamAlwaysEnds() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 300; i++) {
        Allowed a = decide("racer-" + i, i % 2 == 0);
        Revocation r = i % 3 == 0 ? subject("racer-" + i) : session(a);
        RecordingOutput out = new RecordingOutput();
        CyclicBarrier go = new CyclicBarrier(2);
        Future<LiveStream> opened = pool.submit(() -> {
          go.await();
          return a.open(out);
        });
        Future<?> announced = pool.submit(() -> {
          go.await();
          store.listener.revoked(r);
          return null;
        });
        announced.get(10, TimeUnit.SECONDS);
        opened.get(10, TimeUnit.SECONDS).close();
        assertThat(out.ended()).as("trial %d", i).isEqualTo(Reason.SESSION_REVOKED);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
