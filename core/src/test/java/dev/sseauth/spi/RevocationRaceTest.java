package dev.sseauth.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.sseauth.testing.Tickets.redeem;
import static dev.sseauth.testing.Tickets.resume;
import static dev.sseauth.testing.Tickets.ticket;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.Denied;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.SkewedClock;
import dev.sseauth.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Log out everywhere" in an impolite world: two nodes whose clocks disagree by up to the configured
 * skew, many threads issuing, redeeming and rotating while one node revokes the subject. No session
 * whose ticket was issued before the revocation may verify, or stream, after it; no session whose
 * ticket was asked for after it may be refused. Every store module extends this with its own nodes.
 */
public abstract class RevocationRaceTest {
  private static final byte[] SECRET = TestKeys.SECRET;
  private static final Duration SKEW = Duration.ofSeconds(30);
  private static final int TRIALS = 20;
  private static final int THREADS = 4;
  private static final int OPS_PER_THREAD = 8;

  protected String prefix;
  private MutableClock base;
  private final List<SseAuth> nodes = new ArrayList<>();

  /** A key or table prefix no other test run uses. */
  protected abstract String uniquePrefix();

  /** Removes what the test stored under {@code prefix}. */
  protected abstract void deleteAll(String prefix);

  /** One node's store on the shared backing store, under {@code prefix}, deciding expiry by {@code clock}. */
  protected abstract SseAuthStore createNodeStore(String prefix, Clock clock);

  @BeforeEach
  void start() {
    prefix = uniquePrefix();
    base = MutableClock.atRealTime();
  }

  @AfterEach
  void stop() {
    nodes.forEach(SseAuth::close);
    deleteAll(prefix);
  }

  private SseAuth node(Duration offset, UnaryOperator<SseAuthConfig.Builder> tweak) {
    Clock clock = new SkewedClock(base, offset);
    SseAuth node = SseAuth.create(tweak.apply(SseAuthConfig.builder()
        .tokenSecret(SECRET)
        .clock(clock)
        .tokenClockSkew(SKEW)
        .storeTimeout(Duration.ofSeconds(10)) // a loaded machine must not turn these tests into outage tests
        .ticketTtl(Duration.ofMinutes(10))
        .ticketMaxPerSubject(1000)
        .streamCheckInterval(Duration.ofMillis(20))
        .store(createNodeStore(prefix, clock))).build());
    nodes.add(node);
    return node;
  }

  private static <T> T get(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Every composite id the browser would have been sent: the handshake's, then any rotation's. */
  private static List<String> ids(Allowed allowed, RecordingOutput out) {
    List<String> ids = new ArrayList<>();
    String text = new String(allowed.handshake(), StandardCharsets.UTF_8) + out.written();
    for (String line : text.split("\n")) {
      if (line.startsWith("id: ")) {
        ids.add(line.substring(4));
      }
    }
    assertThat(ids).isNotEmpty();
    return ids;
  }

  /** A ticket and what became of it. */
  private record Attempt(String ticket, boolean issuedBefore, boolean askedAfter, Allowed allowed,
      RecordingOutput out, LiveStream stream) {}

  @ParameterizedTest(name = "node B''s clock {0} s off node A''s")
  @ValueSource(ints = {30, -30})
  void revokeSubjectWhileTwoNodesIssueRedeemAndRotateThenNoEarlierSessionOutlivesIt(int offsetSeconds)
      throws Exception {
    UnaryOperator<SseAuthConfig.Builder> rotating = b -> b.tokenRotateAfter(Duration.ofSeconds(1));
    SseAuth[] both = {node(Duration.ZERO, rotating), node(Duration.ofSeconds(offsetSeconds), rotating)};
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    int voided = 0;
    try {
      for (int trial = 0; trial < TRIALS; trial++) {
        voided += trial(pool, both, "racer-" + offsetSeconds + "-" + trial);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(voided).as("sessions and tickets issued before a revocation, all voided").isPositive();
  }

  /** One trial; returns how many attempts were issued before the revocation (all checked voided). */
  private int trial(ExecutorService pool, SseAuth[] both, String subject) throws Exception {
    AtomicBoolean revokeCalled = new AtomicBoolean();
    AtomicBoolean revokeDone = new AtomicBoolean();
    AtomicInteger issued = new AtomicInteger();
    List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());
    int revokeAfter = ThreadLocalRandom.current().nextInt(THREADS * OPS_PER_THREAD * 3 / 4);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      running.add(pool.submit(() -> {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < OPS_PER_THREAD; i++) {
          boolean askedAfter = revokeDone.get();
          String ticket = ticket(both[rnd.nextInt(2)], subject);
          boolean issuedBefore = !revokeCalled.get();
          issued.incrementAndGet();
          if (rnd.nextBoolean()) {
            base.advance(Duration.ofSeconds(1)); // tokens come due for rotation on both nodes' sweepers
          }
          if (rnd.nextInt(4) == 0) { // redeemed only after the revocation
            attempts.add(new Attempt(ticket, issuedBefore, askedAfter, null, null, null));
            continue;
          }
          Decision d = redeem(both[rnd.nextInt(2)], ticket);
          if (d instanceof Allowed allowed) {
            RecordingOutput out = new RecordingOutput();
            attempts.add(new Attempt(ticket, issuedBefore, askedAfter, allowed, out, allowed.open(out)));
          } else {
            assertThat(((Denied) d).reason()).isEqualTo(Reason.INVALID_TICKET);
            assertThat(askedAfter).as("a ticket asked for after the revocation is never refused").isFalse();
          }
        }
        return null;
      }));
    }
    running.add(pool.submit(() -> {
      Await.until(Duration.ofSeconds(30), "workers under way", () -> issued.get() >= revokeAfter);
      revokeCalled.set(true);
      get(both[ThreadLocalRandom.current().nextInt(2)].revokeSubject(subject));
      revokeDone.set(true);
      return null;
    }));
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }

    int voided = 0;
    try {
      for (Attempt a : attempts) {
        if (a.allowed() == null) {
          if (a.askedAfter()) {
            assertThat(redeem(both[0], a.ticket())).as("a ticket asked for after the revocation").isInstanceOf(Allowed.class);
          } else if (a.issuedBefore()) {
            voided++;
            assertThat(redeem(both[1], a.ticket())).as("a ticket issued before the revocation").isInstanceOf(Denied.class);
          }
          continue;
        }
        if (a.issuedBefore()) {
          voided++;
          Await.until(Duration.ofSeconds(1), "the stream of a session issued before the revocation ends",
              () -> a.out().ended() != null);
          assertThat(a.out().ended()).isEqualTo(Reason.SESSION_REVOKED);
          for (String id : ids(a.allowed(), a.out())) {
            for (SseAuth node : both) {
              assertThat(resume(node, id)).as("a token of a session issued before the revocation")
                  .isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.SESSION_REVOKED));
            }
          }
        } else if (a.askedAfter()) {
          assertThat(a.out().ended()).as("a session asked for after the revocation keeps streaming").isNull();
          List<String> ids = ids(a.allowed(), a.out());
          for (SseAuth node : both) {
            assertThat(resume(node, ids.get(ids.size() - 1))).isInstanceOf(Allowed.class);
          }
        }
      }
    } finally {
      for (Attempt a : attempts) {
        if (a.stream() != null) {
          a.stream().close();
        }
      }
    }
    return voided;
  }

  @ParameterizedTest(name = "node B''s clock {0} s off node A''s")
  @ValueSource(ints = {30, 5, -5, -30})
  void revokeSubjectWhenNodeClocksDisagreeThenEarlierSessionsAndTicketsOfEitherNodeAreVoid(int offsetSeconds)
      throws Exception {
    SseAuth a = node(Duration.ZERO, b -> b);
    SseAuth b = node(Duration.ofSeconds(offsetSeconds), c -> c);
    Allowed redeemedOnB = (Allowed) redeem(b, ticket(b, "erin"));
    Allowed redeemedOnA = (Allowed) redeem(a, ticket(b, "erin"));
    String unredeemed = ticket(b, "erin");
    RecordingOutput outB = new RecordingOutput();
    RecordingOutput outA = new RecordingOutput();
    try (LiveStream sb = redeemedOnB.open(outB); LiveStream sa = redeemedOnA.open(outA)) {
      base.advance(Duration.ofSeconds(1));
      get(a.revokeSubject("erin"));
      Await.until(Duration.ofSeconds(1), "both streams end", () -> outA.ended() != null && outB.ended() != null);
      for (SseAuth node : List.of(a, b)) {
        assertThat(resume(node, ids(redeemedOnB, outB).get(0))).isInstanceOf(Denied.class);
        assertThat(resume(node, ids(redeemedOnA, outA).get(0))).isInstanceOf(Denied.class);
      }
      assertThat(redeem(a, unredeemed)).isInstanceOf(Denied.class);
      // no dead window: a user who logs in again at once, on the node whose clock is behind or ahead, streams
      Allowed again = (Allowed) redeem(a, ticket(b, "erin"));
      for (SseAuth node : List.of(a, b)) {
        assertThat(resume(node, ids(again, new RecordingOutput()).get(0))).isInstanceOf(Allowed.class);
      }
    }
  }

  @ParameterizedTest(name = "node B''s clock {0} s off node A''s")
  @ValueSource(ints = {30, -30})
  void revokeSubjectThenRecordOutlastsEveryTokenItVoidsOnEitherNode(int offsetSeconds) throws Exception {
    Duration ttl = Duration.ofMinutes(2);
    SseAuth a = node(Duration.ZERO, c -> c.tokenTtl(ttl).tokenRotateAfter(Duration.ofMinutes(1)));
    SseAuth b = node(Duration.ofSeconds(offsetSeconds), c -> c.tokenTtl(ttl).tokenRotateAfter(Duration.ofMinutes(1)));
    Allowed onB = (Allowed) redeem(b, ticket(b, "fred"));
    String id = ids(onB, new RecordingOutput()).get(0);
    get(a.revokeSubject("fred"));
    // The token expires a TTL after B minted it, by B's clock; a node accepts it until one skew past that.
    // Walk the shared time to the last millisecond at which either node would still accept it.
    Duration lastAcceptedOnA = ttl.plus(SKEW).plusSeconds(offsetSeconds).minusMillis(1);
    Duration lastAcceptedOnB = ttl.plus(SKEW).minusMillis(1);
    Duration last = lastAcceptedOnA.compareTo(lastAcceptedOnB) > 0 ? lastAcceptedOnA : lastAcceptedOnB;
    base.advance(last);
    for (SseAuth node : List.of(a, b)) {
      Decision d = resume(node, id);
      assertThat(d).as("the token on a node that could still accept it").isInstanceOf(Denied.class);
    }
    SseAuth accepting = lastAcceptedOnA.compareTo(lastAcceptedOnB) >= 0 ? a : b;
    assertThat(((Denied) resume(accepting, id)).reason()).isEqualTo(Reason.SESSION_REVOKED);
  }
}
