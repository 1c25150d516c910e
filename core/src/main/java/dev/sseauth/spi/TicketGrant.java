package dev.sseauth.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a ticket grants once redeemed: the subject it was issued to, the principal's attributes and
 * the instant after which it must never redeem.
 *
 * <p>Immutable and thread-safe. The ticket itself is never part of a grant: stores key grants by a
 * hash of the ticket.
 *
 * @param subject the subject the ticket was issued to; never null or empty
 * @param attributes the principal's attributes, copied; never null
 * @param issuedAt when the ticket was issued; a later revocation of the subject voids it
 * @param expiresAt the instant from which the ticket no longer redeems; never null
 */
public record TicketGrant(String subject, Map<String, String> attributes, Instant issuedAt, Instant expiresAt) {
  /** @throws NullPointerException if any argument is null; @throws IllegalArgumentException if subject is empty */
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
