package dev.sseauth.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.Await;
import dev.sseauth.testing.LogCapture;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watchdog's judgement, with the connections played by functions: what it must not take for a
 * deaf connection, and how often it speaks. Real time, short intervals; every wait has a deadline.
 */
class PubSubWatchdogTest {
  private static final Duration INTERVAL = Duration.ofMillis(10);
  private static final Duration DEADLINE = Duration.ofMillis(50);

  private final AtomicInteger published = new AtomicInteger();
  private final AtomicInteger checks = new AtomicInteger();
  private final AtomicInteger reconnects = new AtomicInteger();
  private final AtomicReference<PubSubWatchdog> watchdog = new AtomicReference<>();
  private final LogCapture log = new LogCapture("dev.sseauth.redis");

  @AfterEach
  void stop() {
    if (watchdog.get() != null) {
      watchdog.get().close();
    }
    log.close();
  }

  /** A watchdog whose heartbeats go to {@code publish}, on a connection that is {@code open}. */
  private PubSubWatchdog start(Function<String, CompletionStage<?>> publish, AtomicBoolean open, Runnable reconnect) {
    watchdog.set(new PubSubWatchdog(INTERVAL, DEADLINE, beat -> {
      published.incrementAndGet();
      return publish.apply(beat);
    }, () -> {
      checks.incrementAndGet();
      return open.get();
    }, () -> {
      reconnects.incrementAndGet();
      reconnect.run();
    }));
    return watchdog.get();
  }

  /** Published and heard at once, as on a healthy link. */
  private CompletionStage<?> echo(String beat) {
    PubSubWatchdog w = watchdog.get();
    if (w != null) {
      w.heard(beat);
    }
    return CompletableFuture.completedFuture(1L);
  }

  private static CompletionStage<?> accepted(String beat) {
    return CompletableFuture.completedFuture(1L);
  }

  private void awaitHeartbeats(int n) {
    int from = published.get();
    Await.until(Duration.ofSeconds(10), n + " more heartbeats", () -> published.get() >= from + n);
  }

  private void awaitChecks(int n) {
    int from = checks.get();
    Await.until(Duration.ofSeconds(10), n + " more checks", () -> checks.get() >= from + n);
  }

  private long warnings() {
    return log.at(Level.WARNING).size();
  }

  @Test
  void heartbeatsHeardThenNeverReconnectsAndLogsNothing() {
    start(this::echo, new AtomicBoolean(true), () -> {});
    awaitHeartbeats(30); // six deadlines
    assertThat(reconnects).hasValue(0);
    assertThat(log.records()).isEmpty();
  }

  @Test
  void publishFailsThenNeverReconnects() {
    // the command link is down: nothing is proven either way, and the client reconnects by itself
    start(beat -> CompletableFuture.failedFuture(new IllegalStateException("disconnected")), new AtomicBoolean(true), () -> {});
    awaitHeartbeats(30);
    assertThat(reconnects).hasValue(0);
    assertThat(log.records()).isEmpty();
  }

  @Test
  void connectionClosedThenLeavesReconnectingToTheClient() {
    AtomicBoolean open = new AtomicBoolean(false);
    start(PubSubWatchdogTest::accepted, open, () -> {});
    awaitHeartbeats(30);
    assertThat(reconnects).as("the client is reconnecting it; it subscribes again by itself").hasValue(0);
    open.set(true); // connected, yet still deaf
    Await.until(Duration.ofSeconds(10), "a repair once the connection says it is open", () -> reconnects.get() > 0);
  }

  @Test
  void publishNeverAnsweredThenWaitsForItAndNeverReconnects() {
    // a heartbeat the server has not accepted yet proves nothing; the next waits for it
    start(beat -> new CompletableFuture<>(), new AtomicBoolean(true), () -> {});
    Await.until(Duration.ofSeconds(10), "the first heartbeat", () -> published.get() == 1);
    awaitChecks(30);
    assertThat(reconnects).hasValue(0);
    assertThat(published).as("no heartbeat piles up behind an unanswered one").hasValue(1);
  }

  @Test
  void deafThenReconnectsOnceWithOneWarning() {
    AtomicBoolean deaf = new AtomicBoolean(true);
    start(beat -> deaf.get() ? accepted(beat) : echo(beat), new AtomicBoolean(true), () -> deaf.set(false));
    Await.until(Duration.ofSeconds(10), "a repair", () -> reconnects.get() == 1);
    awaitHeartbeats(30);
    assertThat(reconnects).as("heard again after the repair").hasValue(1);
    assertThat(warnings()).isEqualTo(1);
    assertThat(log.at(Level.WARNING).get(0).getMessage()).contains("pub/sub connection");
  }

  @Test
  void reconnectKeepsFailingThenRetriesAndLogsTwoLinesOnlyUntilHeardAgain() {
    AtomicBoolean broken = new AtomicBoolean(true);
    AtomicBoolean deaf = new AtomicBoolean(true);
    start(beat -> deaf.get() ? accepted(beat) : echo(beat), new AtomicBoolean(true), () -> {
      if (broken.get()) {
        throw new IllegalStateException("refused");
      }
      deaf.set(false);
    });
    Await.until(Duration.ofSeconds(10), "five attempts", () -> reconnects.get() >= 5);
    assertThat(warnings()).as("one line for the deaf connection, one for the failing repair").isEqualTo(2);

    broken.set(false);
    int attempts = reconnects.get();
    Await.until(Duration.ofSeconds(10), "heard again", () -> !deaf.get());
    awaitHeartbeats(30);
    assertThat(reconnects.get()).isLessThanOrEqualTo(attempts + 1);
    assertThat(warnings()).isEqualTo(2);

    deaf.set(true); // a new incident is reported again
    Await.until(Duration.ofSeconds(10), "the new incident's line", () -> warnings() == 3);
  }

  @Test
  void closeThenItsThreadEnds() {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    PubSubWatchdog w = start(this::echo, new AtomicBoolean(true), () -> {});
    awaitHeartbeats(3);
    w.close();
    Await.until(Duration.ofSeconds(10), "the watchdog's thread ends", () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> !before.contains(t) && t.getName().startsWith("sse-auth-redis") && t.isAlive()));
  }
}
