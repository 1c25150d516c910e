package dev.sseauth;

/**
 * Why a request was refused or a stream ended, with the HTTP status an adapter sends for it.
 *
 * <p>The {@linkplain #message() message} is short, plain and safe to send to the client: it never
 * contains a ticket, a token or anything the client sent.
 */
public enum Reason {
  /** Neither a session token nor a ticket was presented. */
  NO_CREDENTIALS(401, "no session token or ticket"),
  /** The ticket is unknown, malformed, already redeemed or expired. */
  INVALID_TICKET(401, "invalid or expired ticket"),
  /** The session token is malformed, forged or not a session token. */
  INVALID_TOKEN(401, "invalid session token"),
  /** The session token has expired. */
  TOKEN_EXPIRED(401, "session token expired"),
  /** The session reached its absolute lifetime cap. */
  SESSION_EXPIRED(401, "session expired"),
  /** The session, or every session of its subject, was revoked. */
  SESSION_REVOKED(401, "session revoked"),
  /** The request carries the ticket parameter more than once. */
  AMBIGUOUS_TICKET(400, "more than one ticket parameter"),
  /** The resume parameter is repeated or holds CR, LF or NUL. */
  BAD_RESUME_ID(400, "invalid resume parameter"),
  /**
   * The URL holds a session token (a client that puts the last event id in the query, such as the
   * event-source-polyfill's {@code lastEventId}): the token is in access logs now, so its session was
   * revoked.
   */
  TOKEN_IN_URL(400, "session token in the URL: the session is revoked; send Last-Event-ID as a header"),
  /** A guarded path was requested with a method other than GET. */
  METHOD_NOT_ALLOWED(405, "only GET is allowed on an event stream"),
  /** The {@code Origin} header names an origin that is not allowed. */
  ORIGIN_NOT_ALLOWED(403, "origin not allowed"),
  /** The ticket endpoint was called without an authenticated principal. */
  NOT_AUTHENTICATED(401, "not authenticated"),
  /** The subject already has the maximum number of outstanding tickets. */
  TOO_MANY_TICKETS(429, "too many outstanding tickets"),
  /** The store did not answer in time; the request is refused, never allowed. */
  STORE_UNAVAILABLE(503, "authentication store unavailable");

  private final int status;
  private final String message;

  Reason(int status, String message) {
    this.status = status;
    this.message = message;
  }

  /** The HTTP status to send. */
  public int status() {
    return status;
  }

  /** A short plain-text explanation, safe to send to the client. */
  public String message() {
    return message;
  }
}
