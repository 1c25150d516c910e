package dev.sseauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.spi.TicketGrant;
import dev.sseauth.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryStoreTest {
  private final MutableClock clock = MutableClock.atRealTime();
  private final MemoryStore store = new MemoryStore(clock, 1000);

  private TicketGrant grant(String subject) {
    return new TicketGrant(subject, Map.of(), clock.instant(), clock.instant().plusSeconds(30), null);
  }

  @Test
  void takeTicketWhenLastOfSubjectThenSubjectForgotten() {
    for (int i = 0; i < 100; i++) {
      store.putTicket("h" + i, grant("subject-" + i), 16);
    }
    assertThat(store.subjectsTracked()).isEqualTo(100);
    for (int i = 0; i < 100; i++) {
      assertThat(store.takeTicket("h" + i).toCompletableFuture().join()).isPresent();
    }
    assertThat(store.subjectsTracked()).isZero();
  }

  @Test
  void ticketsExpiredThenSubjectsForgotten() {
    for (int i = 0; i < 50; i++) {
      store.putTicket("e" + i, grant("expiring-" + i), 16);
    }
    clock.advance(Duration.ofSeconds(31));
    assertThat(store.subjectsTracked()).isZero();
  }

  /**
   * Caffeine evicts (size, expiry) on its own threads and calls the eviction listener there, holding
   * its entry lock, while ticket puts run on callers' threads: the two must never wait on each other.
   */
  @Test
  void putTicketWhileOtherThreadsEvictThenNoDeadlock() throws Exception {
    MemoryStore small = new MemoryStore(clock, 64);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        runs.add(pool.submit(() -> {
          for (int i = 0; i < 20_000; i++) {
            small.putTicket("p" + thread + "-" + i, grant("s" + (i % 8)), 1_000);
            if (i % 500 == 0) {
              clock.advance(Duration.ofSeconds(31)); // everything outstanding expires
            }
            if (i % 3 == 0) {
              small.takeTicket("p" + thread + "-" + (i - 1));
            }
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : runs) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS); // a deadlock never finishes
      }
      clock.advance(Duration.ofSeconds(31));
      org.assertj.core.api.Assertions.assertThat(small.subjectsTracked()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void deploymentIdThenRandomPerInstance() {
    MemoryStore other = new MemoryStore(clock, 1000);
    assertThat(store.deploymentId()).matches("[A-Za-z0-9_-]{16}").isNotEqualTo(other.deploymentId());
  }
}
