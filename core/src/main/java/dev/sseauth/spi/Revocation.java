package dev.sseauth.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A revocation: one session (by session id) or every session of a subject that started at or before
 * {@link #revokedAt()}.
 *
 * <p>Immutable and thread-safe. A store keeps a revocation until {@link #keepUntil()}, the instant
 * after which no token it could apply to is valid any more.
 *
 * @param kind what {@link #id()} names
 * @param id the session id or the subject; never null or empty
 * @param revokedAt when the revocation was made; sessions of a subject started after it stay valid
 * @param keepUntil when the store may forget the revocation
 */
public record Revocation(Kind kind, String id, Instant revokedAt, Instant keepUntil) {
  /** What a revocation applies to. */
  public enum Kind {
    /** One session, named by its session id ({@code sid} claim). */
    SESSION,
    /** Every session of a subject ({@code sub} claim) that started at or before {@code revokedAt}. */
    SUBJECT
  }

  /** @throws NullPointerException if any argument is null; @throws IllegalArgumentException if id is empty */
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
   * @param sessionStart when the session started
   */
  public boolean applies(String sessionId, String subject, Instant sessionStart) {
    return switch (kind) {
      case SESSION -> id.equals(sessionId);
      case SUBJECT -> id.equals(subject) && !sessionStart.isAfter(revokedAt);
    };
  }
}
