package dev.sseauth;

import dev.sseauth.adapter.Reply;
import java.util.function.Supplier;

import dev.sseauth.adapter.StreamRequest;

import dev.sseauth.adapter.Decision;

import dev.sseauth.internal.DefaultSseAuth;
import java.util.Properties;
import java.util.concurrent.CompletionStage;

/**
 * The framework-neutral core of sse-auth: issues tickets, judges stream requests and tracks live
 * streams. Adapters (servlet filter, Netty handler) extract request facts, call it and render the
 * outcome; they decide nothing themselves.
 *
 * <pre>{@code
 * SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(secret).build());
 * auth.issueTicket(SsePrincipal.of("alice"));                 // ticket endpoint
 * auth.decide(StreamRequest.get(query, lastEventId, origin)); // guarded stream
 * }</pre>
 *
 * <p>Thread-safe; create one per application and {@link #close()} it on shutdown. No method blocks:
 * results that need the store complete later, on a store or timer thread, and never exceptionally
 * for client input (a failing store gives {@link Reason#STORE_UNAVAILABLE}).
 */
public interface SseAuth extends AutoCloseable {

  /**
   * Creates an instance, and its store by {@link SseAuthConfig#storeName()} unless one was given.
   *
   * @throws IllegalArgumentException if no store of that name is on the class path, or the store
   *     rejects its properties
   */
  static SseAuth create(SseAuthConfig config) {
    return DefaultSseAuth.create(config);
  }

  /**
   * Shorthand for {@code create(SseAuthConfig.fromProperties(properties))}.
   *
   * @throws IllegalArgumentException on an unknown key or a bad value, naming both
   */
  static SseAuth fromProperties(Properties properties) {
    return create(SseAuthConfig.fromProperties(properties));
  }

  /** The configuration. */
  SseAuthConfig config();

  /**
   * Issues a single-use ticket to an authenticated principal: 256 random bits, of which the store
   * keeps only a hash. Call it from the application's authenticated API only.
   *
   * @param principal who may redeem it; never null
   * @return {@link IssuedTicket}, or {@link Denied} with {@link Reason#TOO_MANY_TICKETS} or
   *     {@link Reason#STORE_UNAVAILABLE}
   */
  CompletionStage<TicketOutcome> issueTicket(SsePrincipal principal);

  /**
   * Answers a request to the ticket endpoint ({@link SseAuthConfig#ticketPath()}), for adapters: another
   * method than {@code POST} gets {@link Reason#TICKET_METHOD_NOT_ALLOWED} and {@code principal} is not
   * asked; no principal (null, or a lookup that fails) gets {@link Reason#NOT_AUTHENTICATED}; a lookup
   * that has not answered within three store timeouts and a second gets {@link Reason#STORE_UNAVAILABLE};
   * otherwise the {@link #issueTicket} outcome. Send the result's {@link Reply} as it is.
   *
   * @param method the request's HTTP method; never null
   * @param principal finds the authenticated caller, completing with null if there is none; never null
   * @return the response; never completes exceptionally
   */
  CompletionStage<Reply> answerTicketRequest(String method, Supplier<? extends CompletionStage<SsePrincipal>> principal);

  /**
   * Judges a request to a guarded stream: a valid session token in {@code Last-Event-ID}, else a
   * ticket in the query, else refused. A redeemed ticket starts a new session.
   *
   * @param request the request's facts; never null
   * @return {@link Allowed} or {@link Denied}; never completes exceptionally
   */
  CompletionStage<Decision> decide(StreamRequest request);

  /**
   * Revokes one session: its tokens stop verifying at once and its live streams end, on every node
   * sharing the store, within about a second.
   *
   * @param sessionId the {@link SessionInfo#sessionId()}; never null
   * @return completes when the store has recorded it; exceptionally if the store fails
   */
  CompletionStage<Void> revokeSession(String sessionId);

  /**
   * Revokes every session of a subject started until now ("log out everywhere"). Sessions started
   * later are unaffected.
   *
   * @param subject the subject; never null
   * @return completes when the store has recorded it; exceptionally if the store fails
   */
  CompletionStage<Void> revokeSubject(String subject);

  /**
   * How many live streams this instance tracks now: opened by {@code Allowed.open} and not yet ended or
   * closed. This node's count only; other nodes sharing the store keep their own.
   */
  int liveStreams();

  /** Ends live-stream tracking and closes the store. Idempotent. */
  @Override
  void close();
}
