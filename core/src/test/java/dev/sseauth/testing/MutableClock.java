package dev.sseauth.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The test clock: tests move it by hand ({@link #advance}, {@link #set}) instead of sleeping. A clock made
 * with {@link #MutableClock(Instant)} or {@link #atRealTime()} stands still between moves; one made with
 * {@link #flowing()} follows real time plus what the test added (for a screen a person watches, where
 * seconds should tick while rotation and expiry still come from {@link #advance}). Every
 * {@link #instant()} is counted ({@link #reads()}), so a test can tell that a component that reads the
 * time (such as the stream checker) has run since it moved the clock. {@link SkewedClock} is a view of
 * one at a fixed offset. Thread-safe.
 */
public final class MutableClock extends Clock {
  /** Where time comes from before the offset: fixed at the start, or the system clock. */
  private final Clock source;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);
  private final AtomicLong reads = new AtomicLong();

  /** A clock that stands at {@code start} until moved. */
  public MutableClock(Instant start) {
    this(Clock.fixed(start, ZoneOffset.UTC));
  }

  private MutableClock(Clock source) {
    this.source = source;
  }

  /** A clock that stands at the current real time, truncated to whole seconds, until moved. */
  public static MutableClock atRealTime() {
    return new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  }

  /** A clock at real time that keeps flowing with it; {@link #advance} and {@link #set} move it on top. */
  public static MutableClock flowing() {
    return new MutableClock(Clock.systemUTC());
  }

  /** Moves the clock forward by {@code d} (backward if negative). */
  public void advance(Duration d) {
    offset.updateAndGet(o -> o.plus(d));
  }

  /** Moves the clock to {@code t} (a flowing clock flows on from there). */
  public void set(Instant t) {
    offset.set(Duration.between(source.instant(), t));
  }

  /** How many times {@link #instant()} has been called (by the code under test or anyone else). */
  public long reads() {
    return reads.get();
  }

  @Override
  public Instant instant() {
    reads.incrementAndGet();
    return source.instant().plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
