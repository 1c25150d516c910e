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

  @Test
  void deploymentIdThenRandomPerInstance() {
    MemoryStore other = new MemoryStore(clock, 1000);
    assertThat(store.deploymentId()).matches("[A-Za-z0-9_-]{16}").isNotEqualTo(other.deploymentId());
  }
}
