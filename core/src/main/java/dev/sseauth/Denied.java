package dev.sseauth;

import dev.sseauth.adapter.Decision;
import dev.sseauth.adapter.Reply;

/**
 * A refusal, created only by the core. An adapter sends {@link #reply()} as it is and never runs the
 * application.
 *
 * <p>Immutable and thread-safe; one instance per {@link Reason}, so {@code ==} and {@code equals} agree.
 */
public final class Denied implements Decision, TicketOutcome {
  private final Reason reason;

  private Denied(Reason reason) {
    this.reason = reason;
  }

  /** Why; never null. */
  public Reason reason() {
    return reason;
  }

  /** The HTTP status to send. */
  public int status() {
    return reason.status();
  }

  /**
   * The {@code WWW-Authenticate} header value for a 401 (RFC 6750 §3), or null for other statuses.
   */
  public String wwwAuthenticate() {
    return reason.wwwAuthenticate();
  }

  /** The complete response to send: {@link Reason#reply()}. Never null. */
  @Override
  public Reply reply() {
    return reason.reply();
  }

  @Override
  public String toString() {
    return "Denied[reason=" + reason + "]";
  }
}
