package dev.sseauth.spi;

import java.time.Instant;

/**
 * What a store knows about the revocation of one session and its subject.
 *
 * @param sessionRevoked whether the session id was revoked
 * @param subjectRevokedAt the latest revocation of the subject, or null if none is kept
 */
public record RevocationStatus(boolean sessionRevoked, Instant subjectRevokedAt) {
  /** Nothing revoked. */
  public static final RevocationStatus NONE = new RevocationStatus(false, null);

  /**
   * Whether a session is revoked, given the subject's latest revocation that was known when its ticket
   * was issued ({@link TicketGrant#subjectRevokedAt()}, carried by every token of the session).
   *
   * @param knownAtIssue that revocation, or null if none was known
   */
  public boolean revokes(Instant knownAtIssue) {
    return sessionRevoked || subjectRevokes(subjectRevokedAt, knownAtIssue);
  }

  /**
   * Whether the subject revocation recorded at {@code revokedAt} (null: none) voids a session whose
   * ticket was issued knowing {@code knownAtIssue} (null: none). Revocation instants of one subject
   * strictly increase in the store, so this is an order, not a comparison of node clocks.
   */
  static boolean subjectRevokes(Instant revokedAt, Instant knownAtIssue) {
    return revokedAt != null && (knownAtIssue == null || knownAtIssue.isBefore(revokedAt));
  }
}
