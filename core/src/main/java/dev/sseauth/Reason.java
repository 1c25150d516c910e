package dev.sseauth;

import dev.sseauth.adapter.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
  /** The ticket endpoint was called with a method other than POST. */
  TICKET_METHOD_NOT_ALLOWED(405, "only POST is allowed on the ticket endpoint"),
  /**
   * The server could not parse the request (a malformed request line or header): nothing read from it
   * can be trusted, so it is refused on every path and its connection closed.
   */
  MALFORMED_REQUEST(400, "malformed request"),
  /** The request target is longer than the server reads: refused on every path, connection closed. */
  URI_TOO_LONG(414, "request target too long"),
  /** The request headers are larger than the server reads: refused on every path, connection closed. */
  HEADERS_TOO_LARGE(431, "request headers too large"),
  /** The {@code Origin} header names an origin that is not allowed. */
  ORIGIN_NOT_ALLOWED(403, "origin not allowed"),
  /** The ticket endpoint was called without an authenticated principal. */
  NOT_AUTHENTICATED(401, "not authenticated"),
  /** The subject already has the maximum number of outstanding tickets. */
  TOO_MANY_TICKETS(429, "too many outstanding tickets"),
  /** The store did not answer in time; the request is refused, never allowed. */
  STORE_UNAVAILABLE(503, "authentication store unavailable"),
  /** The identity provider's keys for bearer tokens cannot be fetched ({@link KeysUnavailableException}). */
  KEYS_UNAVAILABLE(503, "bearer token keys unavailable");

  private final int status;
  private final String message;
  private Reply reply;

  Reason(int status, String message) {
    this.status = status;
    this.message = message;
  }

  static {
    for (Reason r : values()) {
      r.reply = r.render();
    }
  }

  /** The HTTP status to send. */
  public int status() {
    return status;
  }

  /** A short plain-text explanation, safe to send to the client. */
  public String message() {
    return message;
  }

  /**
   * The complete refusal an adapter sends: {@link #status()}, {@code Cache-Control: no-store}, the
   * {@linkplain #message() message} as UTF-8 plain text, {@code WWW-Authenticate} on a 401 (RFC 6750
   * §3), {@code Allow} on a 405, and {@code Connection: close} when the request could not be read.
   */
  public Reply reply() {
    return reply;
  }

  /** The {@code WWW-Authenticate} value of a 401, or null for other statuses. */
  String wwwAuthenticate() {
    if (status != 401) {
      return null;
    }
    return this == NO_CREDENTIALS || this == NOT_AUTHENTICATED ? "Bearer" : "Bearer error=\"invalid_token\"";
  }

  private Reply render() {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    List<Reply.Header> headers = new ArrayList<>();
    headers.add(new Reply.Header("Content-Type", "text/plain;charset=UTF-8"));
    headers.add(new Reply.Header("Content-Length", String.valueOf(body.length)));
    headers.add(new Reply.Header("Cache-Control", "no-store"));
    if (wwwAuthenticate() != null) {
      headers.add(new Reply.Header("WWW-Authenticate", wwwAuthenticate()));
    }
    if (this == METHOD_NOT_ALLOWED) {
      headers.add(new Reply.Header("Allow", "GET"));
    } else if (this == TICKET_METHOD_NOT_ALLOWED) {
      headers.add(new Reply.Header("Allow", "POST"));
    }
    if (this == MALFORMED_REQUEST || this == URI_TOO_LONG || this == HEADERS_TOO_LARGE) {
      headers.add(new Reply.Header("Connection", "close"));
    }
    return new Reply(status, headers, body);
  }
}
