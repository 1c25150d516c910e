package dev.sseauth.adapter;

import dev.sseauth.SessionInfo;

import dev.sseauth.SsePrincipal;

import dev.sseauth.internal.StreamGrant;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A stream request that may proceed. The adapter:
 *
 * <ol>
 *   <li>shows the application {@link #session()}'s principal, a {@code Last-Event-ID} header holding
 *       only {@link #previousId()} (absent when empty) and the query {@link #appQuery()} with the
 *       ticket and resume parameters removed;
 *   <li>writes {@link #handshake()} first; if {@link #endAfterHandshake()} it then ends the response
 *       without running the application;
 *   <li>otherwise calls {@link #open(StreamOutput)} once the response is known to be an event stream
 *       and passes every byte the application writes through the returned {@link LiveStream}.
 * </ol>
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows no token.
 */
public final class Allowed implements Decision {
  private final SessionInfo session;
  private final String previousId;
  private final String appQuery;
  private final byte[] handshake;
  private final boolean endAfterHandshake;
  private final StreamGrant grant;

  /** For sse-auth's own use: applications receive instances from {@link SseAuth#decide}. */
  public Allowed(SessionInfo session, String previousId, String appQuery, byte[] handshake,
      boolean endAfterHandshake, StreamGrant grant) {
    this.session = Objects.requireNonNull(session, "session");
    this.previousId = Objects.requireNonNull(previousId, "previousId");
    this.appQuery = appQuery;
    this.handshake = handshake.clone();
    this.endAfterHandshake = endAfterHandshake;
    this.grant = Objects.requireNonNull(grant, "grant");
  }

  /** The verified session; never null. */
  public SessionInfo session() {
    return session;
  }

  /** The principal of the session; never null. */
  public SsePrincipal principal() {
    return session.principal();
  }

  /** The application's own previous event id to resume after; empty (never null) if there is none. */
  public String previousId() {
    return previousId;
  }

  /** The query string the application sees (still percent-encoded), or null if nothing is left. */
  public String appQuery() {
    return appQuery;
  }

  /** The bytes to write before anything else; empty if there are none. A fresh copy. */
  public byte[] handshake() {
    return handshake.clone();
  }

  /** Whether the adapter ends the response after the handshake (reconnect mode, ticket redeemed). */
  public boolean endAfterHandshake() {
    return endAfterHandshake;
  }

  /**
   * Starts tracking the live stream: id rewriting, token rotation, expiry and revocation. Call once
   * per response, after writing the handshake, and close the result when the response ends.
   *
   * @param output how the stream writes its own events and ends the response; never null
   * @return the live stream; its {@code write} must be called under the same serialisation as
   *     {@code output}'s tasks
   */
  public LiveStream open(StreamOutput output) {
    return grant.open(Objects.requireNonNull(output, "output"));
  }

  @Override
  public String toString() {
    return "Allowed[subject=" + session.principal().subject() + ", previousId=" + previousId
        + ", handshakeBytes=" + handshake.length + "]";
  }

  /** The handshake as text, for logging-free diagnostics in tests. Contains a token: never log it. */
  String handshakeText() {
    return new String(handshake, StandardCharsets.UTF_8);
  }
}
