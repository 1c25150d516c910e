package dev.sseauth.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a ticket grants once redeemed: the subject it was issued to, the principal's attributes, the
 * subject's revocations known when it was issued, and the instant after which it must never redeem.
 *
 * <p>Immutable and thread-safe. The ticket itself is never part of a grant: stores key grants by a
 * hash of the ticket.
 *
 * @param subject the subject the ticket was issued to; never null or empty
 * @param attributes the principal's attributes, copied; never null
 * @param issuedAt when the ticket was issued (by the issuing node's clock); informational
 * @param expiresAt the instant from which the ticket no longer redeems; never null
 * @param subjectRevokedAt the subject's latest revocation ({@link RevocationStatus#subjectRevokedAt()})
 *     as the store reported it just before the ticket was stored, or null if none was kept. The session
 *     the ticket starts carries it: any later revocation of the subject, which the store records with a
 *     strictly later instant, voids that session, whatever the node clocks say
 */
public record TicketGrant(String subject, Map<String, String> attributes, Instant issuedAt, Instant expiresAt,
    Instant subjectRevokedAt) {
  /**
   * @throws NullPointerException if any argument but {@code subjectRevokedAt} is null
   * @throws IllegalArgumentException if subject is empty
   */
  public TicketGrant {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (subject.isEmpty()) {
      throw new IllegalArgumentException("subject must not be empty");
    }
    attributes = Map.copyOf(attributes);
  }
}
