package dev.sseauth.micrometer;

import static dev.sseauth.testing.Tickets.await;
import static dev.sseauth.testing.Tickets.handshakeId;
import static dev.sseauth.testing.Tickets.redeem;
import static dev.sseauth.testing.Tickets.resume;
import static dev.sseauth.testing.Tickets.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Denied;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TestKeys;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meters count what a real {@link SseAuth} did. */
class SseAuthMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MutableClock clock = MutableClock.atRealTime();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private SseAuth auth;

  @AfterEach
  void close() {
    if (auth != null) {
      auth.close();
    }
  }

  private SseAuth create(SseAuthMetrics metrics) {
    auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
        .streamCheckInterval(Duration.ofMillis(20)).tokenRotateAfter(Duration.ofMinutes(5))
        .ticketMaxPerSubject(2).listener(metrics).build());
    return auth;
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private long timed(String... tags) {
    return registry.get("sseauth.decisions").tags(tags).timer().count();
  }

  private double active() {
    return registry.get("sseauth.streams.active").gauge().value();
  }

  @Test
  void metersWhenAStreamLivesItsWholeLifeThenEachCountsWhatHappened() throws Exception {
    create(new SseAuthMetrics(registry));
    assertThat(active()).isZero();
    assertThat(count("sseauth.streams.opened")).isZero(); // registered from the start

    String t = ticket(auth, "alice");
    ticket(auth, "alice");
    assertThat(await(auth.issueTicket(SsePrincipal.of("alice")))).isInstanceOf(Denied.class);
    assertThat(count("sseauth.tickets", "outcome", "issued", "reason", "none")).isEqualTo(2);
    assertThat(count("sseauth.tickets", "outcome", "refused", "reason", "too_many_tickets")).isEqualTo(1);

    Allowed a = (Allowed) redeem(auth, t);
    assertThat(redeem(auth, t)).isInstanceOf(Denied.class);
    RecordingOutput out = new RecordingOutput();
    LiveStream live = a.open(out);
    Allowed again = (Allowed) resume(auth, handshakeId(a));
    LiveStream second = again.open(new RecordingOutput());
    assertThat(active()).isEqualTo(2);
    second.close();
    assertThat(timed("outcome", "allowed", "credential", "ticket", "reason", "none")).isEqualTo(1);
    assertThat(timed("outcome", "allowed", "credential", "token", "reason", "none")).isEqualTo(1);
    assertThat(timed("outcome", "denied", "credential", "none", "reason", "invalid_ticket")).isEqualTo(1);
    assertThat(registry.get("sseauth.decisions").timers()).hasSize(3);

    clock.advance(Duration.ofMinutes(5));
    Await.until(WAIT, "the live stream's rotation to be counted", () -> count("sseauth.rotations") == 1);

    await(auth.revokeSession(a.session().sessionId()));
    Await.until(WAIT, "the revocation to be counted", () -> count("sseauth.revocations.received") == 1);
    assertThat(out.ended()).isNotNull();
    live.close(); // already ended: not counted again
    assertThat(count("sseauth.streams.opened")).isEqualTo(2);
    assertThat(count("sseauth.streams.ended", "reason", "closed")).isEqualTo(1);
    assertThat(count("sseauth.streams.ended", "reason", "session_revoked")).isEqualTo(1);
    assertThat(active()).isZero();
    assertThat(count("sseauth.store.failures")).isZero();
  }

  @Test
  void tagsWhenGivenThenOnEveryMeter() throws Exception {
    create(new SseAuthMetrics(registry, Tags.of("instance", "feeds")));
    String t = ticket(auth, "bob");
    ticket(auth, "bob");
    await(auth.issueTicket(SsePrincipal.of("bob"))); // refused: a tagged counter registered late
    ((Allowed) redeem(auth, t)).open(new RecordingOutput()).close();
    redeem(auth, t); // denied: a timer registered late
    assertThat(registry.getMeters()).hasSize(10) // 7 from the start, 3 registered at their first event
        .allMatch(m -> "feeds".equals(m.getId().getTag("instance")), "tagged instance=feeds");
    assertThat(registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName))
        .allMatch(n -> n.startsWith("sseauth."));
  }

  @Test
  void streamsWhenManyOpenAndEndAtOnceThenTheGaugeReturnsToZeroAndTheCountsAdd() throws Exception {
    create(new SseAuthMetrics(registry));
    int threads = 8;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        String subject = "user-" + i;
        runs.add(pool.submit(() -> {
          go.await();
          for (int k = 0; k < each; k++) {
            Allowed a = (Allowed) redeem(auth, ticket(auth, subject));
            a.open(new RecordingOutput()).close();
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> r : runs) {
        r.get(60, TimeUnit.SECONDS); // a failure in a task fails the test
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(count("sseauth.streams.opened")).isEqualTo(threads * each);
    assertThat(count("sseauth.streams.ended", "reason", "closed")).isEqualTo(threads * each);
    assertThat(count("sseauth.tickets", "outcome", "issued", "reason", "none")).isEqualTo(threads * each);
    assertThat(timed("outcome", "allowed", "credential", "ticket", "reason", "none")).isEqualTo(threads * each);
    assertThat(active()).isZero();
  }

  @Test
  void gaugeWhenANewInstanceReplacesAnOldOneOnTheSameRegistryThenItReadsTheNewCount() throws Exception {
    SseAuthMetrics old = new SseAuthMetrics(registry);
    old.streamOpened();
    old.streamOpened();
    create(new SseAuthMetrics(registry)); // sse-auth restarted within the application
    ((Allowed) redeem(auth, ticket(auth, "erin"))).open(new RecordingOutput());
    assertThat(active()).isEqualTo(1);
    assertThat(registry.find("sseauth.streams.active").gauges()).hasSize(1);
    assertThat(count("sseauth.streams.opened")).isEqualTo(3); // the counters add up across instances
  }

  @Test
  void toStringShowsNoCounts() {
    SseAuthMetrics m = new SseAuthMetrics(registry, Tags.of("instance", "x"));
    m.ticketIssued();
    assertThat(m.toString()).startsWith("SseAuthMetrics[").contains("instance").doesNotContain("1.0");
  }
}
