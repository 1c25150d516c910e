package dev.sseauth.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says yes at most once per interval, across threads: for a log line that a lasting fault would otherwise
 * repeat on every request. The first call says yes. Thread-safe.
 */
final class OncePer {
  private final long intervalNanos;
  private final AtomicLong last;

  OncePer(Duration interval) {
    this.intervalNanos = interval.toNanos();
    this.last = new AtomicLong(System.nanoTime() - intervalNanos);
  }

  /** Whether the interval has passed since the last yes; if so, this call is the yes. */
  boolean due() {
    long l = last.get();
    long now = System.nanoTime();
    return now - l >= intervalNanos && last.compareAndSet(l, now);
  }
}
