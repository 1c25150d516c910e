package dev.sseauth.internal;

import dev.sseauth.spi.Revocation;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The revocations this node's store announced lately, numbered in the order they arrived, so that a
 * stream opening after its decision can tell, in memory, whether a revocation announced since the
 * decision's store lookup applies to it.
 *
 * <p>The decision takes a {@link #mark()} before its lookup. Any revocation the store records after the
 * lookup is announced after it, so with a higher number; the stream, once listed among the live streams,
 * asks {@link #since} about everything numbered after the mark. Announcements that arrive later find the
 * stream listed. The log keeps the last {@link #CAPACITY} announcements; a resync (the store may have
 * missed announcing some) or an overflow since the mark makes the answer {@link Since#UNKNOWN}, and the
 * caller looks the session up in the store instead.
 *
 * <p>Thread-safe. The sequence is advanced and read with atomic read-modify-writes, so that "list the
 * stream, then read the sequence" on one side and "advance the sequence, then walk the listed streams"
 * on the other cannot both miss each other.
 */
final class RecentRevocations {
  /** What {@link #since} found. */
  enum Since {
    /** No announcement since the mark applies to the session. */
    NOTHING,
    /** An announcement since the mark revokes the session. */
    REVOKED,
    /** The log cannot tell (a resync, or more announcements than it keeps): look the session up. */
    UNKNOWN
  }

  /** How many announcements are kept: a power of two. */
  static final int CAPACITY = 1024;
  private static final int MASK = CAPACITY - 1;

  private final AtomicLong sequence = new AtomicLong();
  /** Guarded by {@code this}. */
  private final Revocation[] log = new Revocation[CAPACITY];
  /** The number of the latest resync; guarded by {@code this}. */
  private long lastResync;

  /** The number of the latest announcement: take it before the store lookup a stream's decision rests on. */
  long mark() {
    return sequence.get();
  }

  /** The store announced a revocation: record it before ending the streams it applies to. */
  synchronized void announced(Revocation r) {
    long n = sequence.get() + 1;
    log[(int) (n & MASK)] = r;
    sequence.incrementAndGet();
  }

  /** The store may have missed announcements: record that before looking up the live streams again. */
  synchronized void resynced() {
    long n = sequence.get() + 1;
    log[(int) (n & MASK)] = null;
    lastResync = n;
    sequence.incrementAndGet();
  }

  /**
   * Whether an announcement numbered after {@code mark} revokes the session. Call it after the stream is
   * listed among the live streams.
   *
   * @param knownRevocation the subject's latest revocation known when the session's ticket was issued;
   *     null if none
   */
  Since since(long mark, String sessionId, String subject, Instant knownRevocation) {
    // a read-modify-write, not a read: ordered with the announcer's, whichever comes first (class doc)
    if (sequence.getAndAdd(0) == mark) {
      return Since.NOTHING;
    }
    synchronized (this) {
      long now = sequence.get();
      if (lastResync > mark || now - mark > CAPACITY) {
        return Since.UNKNOWN;
      }
      for (long n = mark + 1; n <= now; n++) {
        if (log[(int) (n & MASK)].applies(sessionId, subject, knownRevocation)) {
          return Since.REVOKED;
        }
      }
      return Since.NOTHING;
    }
  }
}
