package dev.sseauth.servlet.it;

import dev.sseauth.testing.MutableClock;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link MutableClock} that counts its reads, so a test can tell that the stream checker has run. */
public final class CountingClock extends Clock {
  private final MutableClock clock;
  private final AtomicLong reads = new AtomicLong();

  public CountingClock(MutableClock clock) {
    this.clock = clock;
  }

  public long reads() {
    return reads.get();
  }

  @Override
  public Instant instant() {
    reads.incrementAndGet();
    return clock.instant();
  }

  @Override
  public ZoneId getZone() {
    return clock.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
