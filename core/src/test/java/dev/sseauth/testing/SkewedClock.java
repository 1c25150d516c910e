package dev.sseauth.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * One node's clock: a shared base clock (usually a {@link MutableClock} the test advances) plus this
 * node's fixed offset, so that several nodes move together while disagreeing by a set amount.
 */
public final class SkewedClock extends Clock {
  private final Clock base;
  private final Duration offset;

  public SkewedClock(Clock base, Duration offset) {
    this.base = base;
    this.offset = offset;
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "SkewedClock[" + offset + "]";
  }
}
