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

  /** Whether a session of this subject that started at {@code sessionStart} is revoked. */
  public boolean revokes(Instant sessionStart) {
    return sessionRevoked || (subjectRevokedAt != null && !sessionStart.isAfter(subjectRevokedAt));
  }
}
