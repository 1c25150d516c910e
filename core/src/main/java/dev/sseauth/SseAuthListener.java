package dev.sseauth;

/**
 * What sse-auth does, for metrics and audit: tickets, decisions, streams, rotations, revocations and
 * store failures. Every method has an empty default; implement those you need and pass the listener to
 * {@link SseAuthConfig.Builder#listener}. Without one nothing is measured: no clock is read and no
 * event is built.
 *
 * <p>Called on the thread where the event happens (a request thread, a store's callback thread, the
 * stream checker), so return quickly and never block. A listener that throws is logged (the
 * exception's class only) and ignored: observing never changes an outcome. No method is given a
 * ticket, a token or a secret.
 *
 * <p>Implementations must be thread-safe: events arrive from many threads at once.
 */
public interface SseAuthListener {
  /** The listener that ignores everything: the default. */
  SseAuthListener NONE = new SseAuthListener() {};

  /** How an allowed stream request proved itself. */
  enum Credential {
    /** A ticket, redeemed: a new session starts. */
    TICKET,
    /** A session token in {@code Last-Event-ID}: a session resumes. */
    TOKEN
  }

  /** A ticket was issued. */
  default void ticketIssued() {}

  /**
   * A ticket request was refused.
   *
   * @param reason {@link Reason#NOT_AUTHENTICATED}, {@link Reason#TOO_MANY_TICKETS},
   *     {@link Reason#STORE_UNAVAILABLE} or {@link Reason#TICKET_METHOD_NOT_ALLOWED}; never null
   */
  default void ticketRefused(Reason reason) {}

  /**
   * A stream request was allowed.
   *
   * @param credential how it proved itself; never null
   * @param nanos how long the decision took, store calls included
   */
  default void streamAllowed(Credential credential, long nanos) {}

  /**
   * A stream request was refused; the application never saw it.
   *
   * @param reason why; never null
   * @param nanos how long the decision took, store calls included
   */
  default void streamDenied(Reason reason, long nanos) {}

  /** An allowed stream started: its application wrote an event stream, and sse-auth now tracks it. */
  default void streamOpened() {}

  /**
   * A tracked stream ended.
   *
   * @param reason why sse-auth ended it ({@link Reason#SESSION_REVOKED}, {@link Reason#TOKEN_EXPIRED},
   *     {@link Reason#SESSION_EXPIRED}), or null when the application, the client or a shutdown ended it
   */
  default void streamEnded(Reason reason) {}

  /** A live stream's session token was rotated (a new token went out in its event ids). */
  default void tokenRotated() {}

  /** A revocation arrived from the store (made on this node or another). */
  default void revocationReceived() {}

  /** A store call failed or took longer than {@code sseauth.store.timeout}. */
  default void storeUnavailable() {}
}
