package dev.sseauth.adapter;

import dev.sseauth.SessionInfo;

import dev.sseauth.SsePrincipal;

import dev.sseauth.internal.StreamGrant;
import java.util.List;
import java.util.Objects;

/**
 * A stream request that may proceed, created only by the core. The adapter:
 *
 * <ol>
 *   <li>sends {@link #reply()} instead, if it is not null (reconnect mode: the handshake alone), and
 *       stops;
 *   <li>shows the application {@link #session()}'s principal, a {@link Reply.Header#LAST_EVENT_ID}
 *       header holding {@link #appLastEventId()} (removed when null) and the query {@link #appQuery()}
 *       with the ticket and resume parameters removed;
 *   <li>when the application's response starts, asks {@link #rewrites(int, String)}; if so, applies
 *       {@link #streamHeaders(boolean)}, writes {@link #handshake()} before any application byte, calls
 *       {@link #open(StreamOutput)} and passes every byte the application writes through the returned
 *       {@link LiveStream}. Any other response passes untouched.
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

  private static final List<Reply.Header> STREAM_HEADERS = List.of(
      new Reply.Header("Cache-Control", "no-store"), new Reply.Header("Content-Length", null));
  private static final List<Reply.Header> STREAM_HEADERS_CLOSE = List.of(
      new Reply.Header("Cache-Control", "no-store"), new Reply.Header("Content-Length", null),
      new Reply.Header("Connection", "close"));

  private static final List<Reply.Header> STREAM_HEADER_DEFAULTS = List.of(
      new Reply.Header("X-Accel-Buffering", "no"));

  private final Reply reply;

  private Allowed(SessionInfo session, String previousId, String appQuery, byte[] handshake,
      boolean endAfterHandshake, StreamGrant grant) {
    this.session = Objects.requireNonNull(session, "session");
    this.previousId = Objects.requireNonNull(previousId, "previousId");
    this.appQuery = appQuery;
    this.handshake = handshake.clone();
    this.endAfterHandshake = endAfterHandshake;
    this.grant = Objects.requireNonNull(grant, "grant");
    this.reply = endAfterHandshake
        ? new Reply(200, List.of(new Reply.Header("Content-Type", EVENT_STREAM),
            new Reply.Header("Content-Length", String.valueOf(handshake.length)),
            new Reply.Header("Cache-Control", "no-store")), handshake)
        : null;
  }

  private static final String EVENT_STREAM = "text/event-stream";

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
   * The handshake alone as a complete event-stream response, when {@link #endAfterHandshake()}: the
   * application does not run. Null otherwise.
   */
  @Override
  public Reply reply() {
    return reply;
  }

  /**
   * The value of {@link Reply.Header#LAST_EVENT_ID} the application sees: its own previous id, or null
   * when the header is to be removed (there is none).
   */
  public String appLastEventId() {
    return previousId.isEmpty() ? null : previousId;
  }

  /**
   * Whether the application's response is an event stream that sse-auth rewrites: status 200 and media
   * type {@code text/event-stream} (any parameters, any case). Every other response passes untouched,
   * with no handshake: an {@code EventSource} fails on any other status or type anyway.
   *
   * @param status the response status
   * @param contentType the {@code Content-Type} header, or null if none is set
   */
  public boolean rewrites(int status, String contentType) {
    if (status != 200 || contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().equalsIgnoreCase(EVENT_STREAM);
  }

  /**
   * The header changes to make when a rewritten stream starts, in order: set each header whose value is
   * not null, remove each whose value is null. The stream carries session tokens (no cache may keep it)
   * and its length is unknown.
   *
   * @param closeConnection whether the client must not send another request on this connection (the
   *     adapter cannot close it itself when sse-auth ends the stream while the application's thread
   *     still holds the request: a request sent on it would wait for that thread); adds
   *     {@code Connection: close}
   * @return the changes; never null
   */
  public List<Reply.Header> streamHeaders(boolean closeConnection) {
    return closeConnection ? STREAM_HEADERS_CLOSE : STREAM_HEADERS;
  }

  /**
   * The headers to add when a rewritten stream starts, each only if the application has not set it:
   * {@code X-Accel-Buffering: no}, so that nginx (and proxies that follow it) pass every event on at once
   * instead of buffering the stream.
   *
   * @return the headers; never null
   */
  public List<Reply.Header> streamHeaderDefaults() {
    return STREAM_HEADER_DEFAULTS;
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
}
