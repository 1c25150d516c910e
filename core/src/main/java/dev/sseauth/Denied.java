package dev.sseauth;

import dev.sseauth.adapter.Decision;

import java.util.Objects;

/**
 * A refusal. The adapter sends {@link Reason#status()} with {@code Cache-Control: no-store}, adds
 * {@link #wwwAuthenticate()} when it is not null, and never runs the application.
 *
 * @param reason why; never null
 */
public record Denied(Reason reason) implements Decision, TicketOutcome {
  /** @throws NullPointerException if reason is null */
  public Denied {
    Objects.requireNonNull(reason, "reason");
  }

  /** The HTTP status to send. */
  public int status() {
    return reason.status();
  }

  /** The {@code Allow} header value for a 405 ({@code GET}: streams are only read), or null otherwise. */
  public String allow() {
    return reason == Reason.METHOD_NOT_ALLOWED ? "GET" : null;
  }

  /**
   * The {@code WWW-Authenticate} header value for a 401 (RFC 6750 §3), or null for other statuses.
   */
  public String wwwAuthenticate() {
    if (reason.status() != 401) {
      return null;
    }
    return reason == Reason.NO_CREDENTIALS || reason == Reason.NOT_AUTHENTICATED
        ? "Bearer"
        : "Bearer error=\"invalid_token\"";
  }
}
