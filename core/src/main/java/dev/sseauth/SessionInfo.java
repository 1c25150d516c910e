package dev.sseauth;

import java.time.Instant;
import java.util.Objects;

/**
 * The verified claims of a session token: whose session it is and how long it lasts. Holds no token.
 *
 * <p>Immutable and thread-safe.
 *
 * @param principal the session's subject and attributes
 * @param sessionId the id shared by every token of this session across rotations ({@code sid})
 * @param sessionStart when the ticket was redeemed; the absolute cap counts from here
 * @param expiresAt when the current token expires
 */
public record SessionInfo(SsePrincipal principal, String sessionId, Instant sessionStart, Instant expiresAt) {
  /** @throws NullPointerException if an argument is null */
  public SessionInfo {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(sessionStart, "sessionStart");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
