package dev.sseauth.netty;

import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.netty.internal.StreamGuard;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import java.util.Objects;

/**
 * Guards the event streams of a Netty HTTP server with sse-auth. Place it after {@code HttpServerCodec}
 * (and after {@link SseAuthTicketHandler}) and before the application's handlers:
 *
 * <pre>{@code
 * ch.pipeline().addLast(new HttpServerCodec(),
 *     new SseAuthTicketHandler(auth),
 *     new SseAuthHandler(auth),
 *     new MyEventStreamHandler());
 * }</pre>
 *
 * <p>Inbound, a request to a path {@linkplain dev.sseauth.SseAuthConfig#guards(String) guarded} by the
 * configuration is judged by {@link SseAuth#decide}, asynchronously: meanwhile auto-read is off and later
 * messages wait, so the event loop never blocks and the application sees requests in order. A refused
 * request is answered here (the status of its {@link dev.sseauth.Reason}, {@code WWW-Authenticate} for a
 * 401, {@code Cache-Control: no-store}) and never reaches the application; its content is released. A
 * request Netty could not decode (a malformed request line, a header over the decoder's limits) is
 * refused on every path with 400, 414 or 431 and the connection closed, since its headers cannot be
 * trusted to have been read in full. An
 * allowed request reaches the application with the ticket and resume parameters removed from its URI,
 * {@code Last-Event-ID} holding only the application's previous id (absent when there is none), and the
 * channel attributes {@link #PRINCIPAL} and {@link #SESSION} set. Other requests pass untouched, with
 * both attributes cleared.
 *
 * <p>Outbound, when the application answers an allowed request with {@code 200} and
 * {@code Content-Type: text/event-stream}, this handler removes {@code Content-Length}, sets
 * {@code Cache-Control: no-store} and chunked encoding, writes the sse-auth handshake first, then passes
 * every {@code HttpContent} or {@code ByteBuf} the application writes through the core's id rewriter
 * (each original buffer is released once). The token is rotated in place on the channel's event loop;
 * on expiry or revocation the response ends and the channel closes, so the client reconnects and is
 * judged again. Every other response passes untouched. Keep-alive and pipelined requests are matched
 * to their responses in order.
 *
 * <p>One instance per channel (it is not {@code @Sharable}); all methods run on the channel's event loop.
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

  private final StreamGuard guard;

  /**
   * @param auth the application's sse-auth instance, shared by every channel; never null
   * @throws NullPointerException if {@code auth} is null
   */
  public SseAuthHandler(SseAuth auth) {
    this.guard = new StreamGuard(Objects.requireNonNull(auth, "auth"), PRINCIPAL, SESSION);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    guard.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    guard.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    guard.destroy(ctx);
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    guard.destroy(ctx);
  }
}
