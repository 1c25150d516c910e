package dev.sseauth.netty;

import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.netty.internal.ExchangeSequencer;
import dev.sseauth.netty.internal.RequestJudge;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * sse-auth for a Netty HTTP server: serves the ticket endpoint and guards the event streams, one instance
 * per channel. Place it after {@code HttpServerCodec} (and after a content compressor, if any) and before
 * the application's handlers:
 *
 * <pre>{@code
 * ch.pipeline().addLast(new HttpServerCodec(),
 *     new SseAuthHandler(auth),            // or new SseAuthHandler(auth, resolver)
 *     new MyEventStreamHandler());
 * }</pre>
 *
 * <p>Inbound, every HTTP answer comes from the core ({@link dev.sseauth.adapter.Reply}); this handler
 * renders it and holds no HTTP rule of its own:
 * <ul>
 *   <li>A request Netty could not decode (a malformed request line; a request line or headers over the
 *       decoder's limits) is refused on every path with the core's {@link dev.sseauth.Reason#MALFORMED_REQUEST},
 *       {@link dev.sseauth.Reason#URI_TOO_LONG} or {@link dev.sseauth.Reason#HEADERS_TOO_LARGE} reply,
 *       and the connection is closed after it: its headers cannot be trusted to have been read in full.
 *   <li>A request to {@link dev.sseauth.SseAuthConfig#ticketPath()} (raw path, exact match; the query is
 *       ignored) is answered by {@link SseAuth#answerTicketRequest} for the principal the
 *       {@link NettyPrincipalResolver} finds: the ticket, or the core's refusal (another method than
 *       {@code POST}, no principal, too many tickets, the store unavailable). The body is never read; no
 *       {@code HttpObjectAggregator} is needed.
 *   <li>A request to a path {@linkplain dev.sseauth.SseAuthConfig#guards(String) guarded} by the
 *       configuration is judged by {@link SseAuth#decide}. A refusal, or the handshake alone in reconnect
 *       mode, is sent as the decision's {@link dev.sseauth.adapter.Decision#reply() reply} and the request
 *       never reaches the application. An allowed request reaches it with the ticket and resume parameters
 *       removed from its URI, {@code Last-Event-ID} holding only the application's previous id (absent
 *       when there is none), and the channel attributes {@link #PRINCIPAL} and {@link #SESSION} set.
 *   <li>Every other request passes untouched, with both attributes cleared.
 * </ul>
 * Judging is asynchronous: while a judgement is pending, auto-read is off and later messages are held,
 * so the event loop never blocks and the application sees requests in order. Responses leave in request
 * order too: an answer of this handler to a pipelined keep-alive request waits for the application's
 * responses to the requests before it. The content of a request answered here is released, never
 * forwarded; a request that is not kept alive, or whose announced body will not come (it expects
 * {@code 100-continue}), closes the connection after its answer. Should a judgement fail (an
 * {@code SseAuth} other than the core's, whose stages never fail), the request is not forwarded and the
 * connection closes in its turn.
 *
 * <p>Outbound, when the application answers an allowed request with a response that
 * {@link dev.sseauth.adapter.Allowed#rewrites} (an event stream), this handler
 * applies {@link dev.sseauth.adapter.Allowed#streamHeaders} to its head and frames it as chunked (in
 * HTTP/1.0, which has no chunking, close-delimited: the connection closes when the stream ends), writes
 * the sse-auth handshake first, then passes every {@code HttpContent} or {@code ByteBuf} the application
 * writes through the core's id rewriter; each buffer the application writes is released exactly once.
 * The token is rotated in place, and on expiry or revocation the response is ended and the channel
 * closed, always on the channel's event loop, so the client reconnects and is judged again; later writes
 * of the application are released and fail. Every other response (another status or another type)
 * passes untouched, with no handshake.
 *
 * <p>One instance per channel (it is not {@code @Sharable}); all methods run on the channel's event loop.
 * Closing the channel or removing the handler releases every message it holds and stops the stream's
 * tracking.
 */
public final class SseAuthHandler extends ChannelDuplexHandler {
  /**
   * The principal of the allowed stream request most recently passed to the application on this channel;
   * null after a request that was not judged.
   */
  public static final AttributeKey<SsePrincipal> PRINCIPAL = AttributeKey.valueOf(SseAuthHandler.class, "principal");

  /**
   * The verified session (principal, session id, start and expiry) of the allowed stream request most
   * recently passed to the application on this channel; null after a request that was not judged.
   */
  public static final AttributeKey<SessionInfo> SESSION = AttributeKey.valueOf(SseAuthHandler.class, "session");

  private static final NettyPrincipalResolver NOBODY = request -> CompletableFuture.completedFuture(null);

  private final ExchangeSequencer exchanges;

  /**
   * A handler whose ticket endpoint authenticates {@code Authorization: Bearer <JWT>} with the configured
   * {@link dev.sseauth.SseAuthConfig#bearerVerifier()} ({@code sseauth.bearer.*}). With no verifier
   * configured, every ticket request is refused ({@link dev.sseauth.Reason#NOT_AUTHENTICATED}):
   * a server whose tickets are issued elsewhere still guards its streams with this handler, and a missing
   * setting fails closed. To issue tickets on another authentication, pass a resolver.
   *
   * @param auth the application's sse-auth instance, shared by every channel; never null
   * @throws NullPointerException if {@code auth} is null
   */
  public SseAuthHandler(SseAuth auth) {
    this(auth, bearerOrNobody(Objects.requireNonNull(auth, "auth")));
  }

  /**
   * A handler whose ticket endpoint issues tickets to the principal {@code resolver} finds.
   *
   * @param auth the application's sse-auth instance, shared by every channel; never null
   * @param resolver who is asking for a ticket; never null
   * @throws NullPointerException if an argument is null
   */
  public SseAuthHandler(SseAuth auth, NettyPrincipalResolver resolver) {
    this.exchanges = new ExchangeSequencer(new RequestJudge(Objects.requireNonNull(auth, "auth"),
        Objects.requireNonNull(resolver, "resolver")), PRINCIPAL, SESSION);
  }

  private static NettyPrincipalResolver bearerOrNobody(SseAuth auth) {
    return auth.config().bearerVerifier() == null ? NOBODY : NettyPrincipalResolver.bearer(auth.config().bearerVerifier());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    exchanges.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    exchanges.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    exchanges.destroy(ctx);
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    exchanges.destroy(ctx);
  }
}
