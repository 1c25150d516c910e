package dev.sseauth.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A revocation: one session (by session id), or every session of a subject whose ticket was issued
 * before it ("log out everywhere").
 *
 * <p>The instant of a subject revocation is an order, not only a time: a store records each subject's
 * revocations with strictly increasing instants ({@link SseAuthStore#revoke}), and a session is voided
 * by every revocation of its subject later than the one its ticket knew when it was issued
 * ({@link TicketGrant#subjectRevokedAt()}). So a redemption racing a revocation, or node clocks that
 * disagree, cannot make a session issued before the revocation outlive it.
 *
 * <p>Immutable and thread-safe. A store keeps a revocation until {@link #keepUntil()}, the instant
 * after which no token it could apply to verifies on any node.
 *
 * @param kind what {@link #id()} names
 * @param id the session id or the subject; never null or empty
 * @param revokedAt when the revocation was made; for a subject, as recorded by the store
 * @param keepUntil when the store may forget the revocation
 */
public record Revocation(Kind kind, String id, Instant revokedAt, Instant keepUntil) {
  /** What a revocation applies to. */
  public enum Kind {
    /** One session, named by its session id ({@code sid} claim). */
    SESSION,
    /** Every session of a subject ({@code sub} claim) whose ticket was issued before the revocation. */
    SUBJECT
  }

  /**
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if id is empty
   */
  public Revocation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(revokedAt, "revokedAt");
    Objects.requireNonNull(keepUntil, "keepUntil");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
  }

  /**
   * Whether this revocation ends the given session.
   *
   * @param sessionId the session's id
   * @param subject the session's subject
   * @param knownAtIssue the subject's latest revocation known when the session's ticket was issued,
   *     or null if none
   */
  public boolean applies(String sessionId, String subject, Instant knownAtIssue) {
    return switch (kind) {
      case SESSION -> id.equals(sessionId);
      case SUBJECT -> id.equals(subject) && RevocationStatus.subjectRevokes(revokedAt, knownAtIssue);
    };
  }

  /** This revocation with another instant, as a store records it. */
  public Revocation at(Instant recordedAt) {
    return new Revocation(kind, id, recordedAt, keepUntil);
  }
}
