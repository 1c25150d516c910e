package dev.sseauth;

import java.security.Principal;
import java.util.Map;
import java.util.Objects;

/**
 * Who a ticket is issued to and a session belongs to: a subject and string attributes that travel
 * inside the session token (keep them few and short: they make the token longer).
 *
 * <p>Immutable and thread-safe.
 *
 * @param subject the subject; never null or empty
 * @param attributes attributes such as a tenant or role, copied; never null
 */
public record SsePrincipal(String subject, Map<String, String> attributes) implements Principal {
  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the subject is empty
   */
  public SsePrincipal {
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty()) {
      throw new IllegalArgumentException("subject must not be empty");
    }
    attributes = Map.copyOf(attributes);
  }

  /** A principal with no attributes. */
  public static SsePrincipal of(String subject) {
    return new SsePrincipal(subject, Map.of());
  }

  /** The subject. */
  @Override
  public String getName() {
    return subject;
  }
}
