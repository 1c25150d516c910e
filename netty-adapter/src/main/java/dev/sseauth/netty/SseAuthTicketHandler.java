package dev.sseauth.netty;

import dev.sseauth.SseAuth;
import dev.sseauth.netty.internal.TicketEndpoint;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.Objects;

/**
 * The ticket endpoint: answers {@code POST} to {@link dev.sseauth.SseAuthConfig#ticketPath()} (raw path,
 * exact match; the query is ignored) with {@code 200 application/json}
 * {@link dev.sseauth.IssuedTicket#toJson() the ticket as JSON} and {@code Cache-Control: no-store} for the
 * principal its {@link NettyPrincipalResolver} finds; {@code 401} with {@code WWW-Authenticate: Bearer}
 * when there is none, {@code 429} when the subject holds too many tickets, {@code 503} when the store is
 * down, {@code 405} for another method. Every other request passes untouched.
 *
 * <p>Place it after {@code HttpServerCodec} and before {@link SseAuthHandler} (whose default paths,
 * {@code /**}, include the ticket path). It needs no {@code HttpObjectAggregator}: the principal comes
 * from the request line and headers, and the request body, if any, is released unread. Ticket requests
 * are answered in order with the channel's other responses.
 *
 * <p>One instance per channel (it is not {@code @Sharable}); all methods run on the channel's event loop.
 */
public final class SseAuthTicketHandler extends ChannelDuplexHandler {
  private final TicketEndpoint endpoint;

  /**
   * A ticket endpoint that authenticates {@code Authorization: Bearer <JWT>} with the configured
   * {@link dev.sseauth.SseAuthConfig#bearerVerifier()} ({@code sseauth.bearer.*}).
   *
   * @throws NullPointerException if {@code auth} is null
   * @throws IllegalArgumentException if no bearer verifier is configured (then pass a resolver)
   */
  public SseAuthTicketHandler(SseAuth auth) {
    this(auth, defaultResolver(auth));
  }

  /**
   * A ticket endpoint that authenticates with {@code resolver}.
   *
   * @throws NullPointerException if an argument is null
   */
  public SseAuthTicketHandler(SseAuth auth, NettyPrincipalResolver resolver) {
    this.endpoint = new TicketEndpoint(Objects.requireNonNull(auth, "auth"), Objects.requireNonNull(resolver, "resolver"));
  }

  private static NettyPrincipalResolver defaultResolver(SseAuth auth) {
    Objects.requireNonNull(auth, "auth");
    if (auth.config().bearerVerifier() == null) {
      throw new IllegalArgumentException("the ticket endpoint needs sseauth.bearer.secret or sseauth.bearer.jwks-file,"
          + " or a NettyPrincipalResolver");
    }
    return NettyPrincipalResolver.bearer(auth.config().bearerVerifier());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    endpoint.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    endpoint.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    endpoint.destroy(ctx);
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    endpoint.destroy(ctx);
  }
}
