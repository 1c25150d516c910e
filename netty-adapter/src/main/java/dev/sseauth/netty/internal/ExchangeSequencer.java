package dev.sseauth.netty.internal;

import dev.sseauth.SessionInfo;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The state of {@code SseAuthHandler} on one channel: matches requests to responses, in order.
 *
 * <p>Inbound, each request is judged ({@link RequestJudge}); while a judgement is pending, auto-read is
 * off and every later inbound message is held, so the application sees requests in order. A request is
 * then forwarded ({@link Exchange.Passed}, {@link Exchange.Guarded}: the application's view of it and the
 * channel attributes are set first) or answered here ({@link Exchange.Answered}, {@link Exchange.Failed}:
 * the request and its content are released and never forwarded).
 *
 * <p>Outbound, responses are matched to the {@link Exchange}s in order (keep-alive, pipelining): the
 * handler's answers are rendered and written when their turn comes; the response to a guarded request
 * becomes a {@link GuardedResponse} when {@link Allowed#rewrites} says so; every other response passes.
 *
 * <p>Every method runs on the channel's event loop; judgements complete on any thread and are handed
 * back to it. One instance per channel.
 */
public final class ExchangeSequencer {
  private static final Logger LOG = System.getLogger("dev.sseauth.netty");

  private enum Out {
    /** No response in progress. */
    IDLE,
    /** A response that passes untouched is in progress. */
    PASS,
    /** A {@link GuardedResponse} is in progress ({@link #current}). */
    REWRITE,
    /** This class ended the response and closes the channel: the application's further writes are dropped. */
    ENDED
  }

  private final RequestJudge judge;
  private final AttributeKey<SsePrincipal> principalKey;
  private final AttributeKey<SessionInfo> sessionKey;
  /** Inbound messages read while a judgement was pending, in order. */
  private final LazyQueue<Object> held = new LazyQueue<>();
  /** Judged requests whose response has not started yet, in order. */
  private final LazyQueue<Exchange> exchanges = new LazyQueue<>();
  /** Room for the id prefixes of one content message, learned from this channel's streams; 0 until then. */
  private int idRoom;
  private boolean judging;
  private boolean dropBody;
  private boolean restoreAutoRead;
  private boolean destroyed;
  private Out out = Out.IDLE;
  private GuardedResponse current;

  public ExchangeSequencer(RequestJudge judge, AttributeKey<SsePrincipal> principalKey, AttributeKey<SessionInfo> sessionKey) {
    this.judge = judge;
    this.principalKey = principalKey;
    this.sessionKey = sessionKey;
  }

  // ---- inbound ----

  /** See {@link io.netty.channel.ChannelInboundHandler#channelRead}. */
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (destroyed) {
      ReferenceCountUtil.release(msg);
    } else if (judging || !held.isEmpty()) {
      held.add(msg);
    } else {
      read(ctx, msg);
    }
  }

  private void read(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      dropBody = false;
      CompletionStage<Exchange> stage;
      try {
        stage = judge.judge(request);
      } catch (RuntimeException | LinkageError e) { // never a request left hanging
        stage = CompletableFuture.failedFuture(e);
      }
      if (stage instanceof CompletableFuture<Exchange> done && done.isDone()) {
        settle(ctx, request, done.handle(ExchangeSequencer::orFailed).join());
        return;
      }
      judging = true;
      ChannelConfig config = ctx.channel().config();
      if (config.isAutoRead()) {
        config.setAutoRead(false);
        restoreAutoRead = true;
      }
      stage.whenComplete((exchange, error) -> {
        Exchange x = orFailed(exchange, error);
        try {
          ctx.executor().execute(() -> judged(ctx, request, x));
        } catch (RejectedExecutionException e) { // the event loop is shutting down
          ReferenceCountUtil.release(request);
        }
      });
      return;
    }
    if (dropBody && msg instanceof HttpContent) {
      if (msg instanceof LastHttpContent) {
        dropBody = false;
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static Exchange orFailed(Exchange exchange, Throwable error) {
    if (error == null && exchange != null) {
      return exchange;
    }
    LOG.log(Level.WARNING, "sse-auth could not judge a request, closing its connection: {0}",
        error == null ? "no outcome" : error.getClass().getName());
    return new Exchange.Failed();
  }

  private void judged(ChannelHandlerContext ctx, HttpRequest request, Exchange exchange) {
    if (destroyed) {
      ReferenceCountUtil.release(request);
      return;
    }
    judging = false;
    settle(ctx, request, exchange);
    while (!judging && !held.isEmpty() && !destroyed) {
      read(ctx, held.poll());
    }
    if (!judging && restoreAutoRead) {
      restoreAutoRead = false;
      ctx.channel().config().setAutoRead(true);
    }
    ctx.fireChannelReadComplete();
  }

  /** Forwards a judged request to the application, or answers it here. */
  private void settle(ChannelHandlerContext ctx, HttpRequest request, Exchange exchange) {
    if (exchange instanceof Exchange.Guarded g) {
      Allowed a = g.allowed();
      request.setUri(g.target().withQuery(a.appQuery()));
      if (a.appLastEventId() == null) {
        request.headers().remove(Reply.Header.LAST_EVENT_ID);
      } else {
        request.headers().set(Reply.Header.LAST_EVENT_ID, a.appLastEventId());
      }
      ctx.channel().attr(principalKey).set(a.principal());
      ctx.channel().attr(sessionKey).set(a.session());
    } else if (exchange instanceof Exchange.Passed) {
      ctx.channel().attr(principalKey).set(null);
      ctx.channel().attr(sessionKey).set(null);
    } else { // Answered, Failed
      dropBody = !(request instanceof LastHttpContent);
      ReferenceCountUtil.release(request);
      exchanges.add(exchange);
      writeAnswers(ctx);
      return;
    }
    exchanges.add(exchange);
    ctx.fireChannelRead(request);
  }

  // ---- outbound ----

  /** See {@link io.netty.channel.ChannelOutboundHandler#write}. */
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean last = msg instanceof LastHttpContent;
    switch (out) {
      case IDLE -> {
        if (msg instanceof HttpResponse response && !informational(response)) {
          if (exchanges.poll() instanceof Exchange.Guarded g
              && g.allowed().rewrites(response.status().code(), mimeType(response))) {
            current = GuardedResponse.start(ctx, g.allowed(), g.version(), response, promise, idRoom,
                () -> endResponse(ctx));
            out = Out.REWRITE;
          } else {
            ctx.write(msg, promise);
            out = Out.PASS;
          }
          if (last) {
            finishResponse(ctx);
          }
        } else {
          ctx.write(msg, promise);
        }
      }
      case PASS -> {
        ctx.write(msg, promise);
        if (last) {
          finishResponse(ctx);
        }
      }
      case REWRITE -> {
        if (msg instanceof HttpContent || msg instanceof ByteBuf) {
          current.content(msg, promise);
          if (last) {
            finishResponse(ctx);
          }
        } else {
          ctx.write(msg, promise);
        }
      }
      case ENDED -> {
        if (msg instanceof HttpObject || msg instanceof ByteBuf) {
          ReferenceCountUtil.release(msg);
          promise.tryFailure(new ClosedChannelException());
        } else {
          ctx.write(msg, promise);
        }
      }
      default -> throw new IllegalStateException(out.name());
    }
  }

  private static String mimeType(HttpResponse response) {
    CharSequence type = HttpUtil.getMimeType(response);
    return type == null ? null : type.toString();
  }

  /** An interim response (100 Continue and the like) precedes the response to the same request. */
  private static boolean informational(HttpResponse response) {
    return response.status().codeClass() == HttpStatusClass.INFORMATIONAL
        && !response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS);
  }

  private void finishResponse(ChannelHandlerContext ctx) {
    Out was = out;
    out = Out.IDLE;
    if (was == Out.REWRITE && endStream().closeAtEnd()) {
      // HTTP/1.0: the end of the stream is the end of the connection, once what went before is sent
      out = Out.ENDED;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    writeAnswers(ctx);
  }

  /** The guarded stream ended: by its last content, {@link #endResponse}, or the channel going. */
  private GuardedResponse endStream() {
    GuardedResponse g = current;
    current = null;
    g.close();
    idRoom = g.idRoom(); // the next stream on this channel (a reconnect kept alive) starts with it
    return g;
  }

  /** Writes the handler's answers at the head of the queue, as long as no response is in progress. */
  private void writeAnswers(ChannelHandlerContext ctx) {
    boolean wrote = false;
    while (out == Out.IDLE && !exchanges.isEmpty()) {
      Exchange x = exchanges.peek();
      if (x instanceof Exchange.Answered a) {
        exchanges.poll();
        wrote = true;
        if (a.closeAfter()) {
          out = Out.ENDED;
          ctx.writeAndFlush(Replies.render(a.reply(), a.version(), true)).addListener(ChannelFutureListener.CLOSE);
          return;
        }
        ctx.write(Replies.render(a.reply(), a.version(), false));
      } else if (x instanceof Exchange.Failed) {
        exchanges.poll();
        out = Out.ENDED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE); // after what went before
        return;
      } else {
        break;
      }
    }
    if (wrote) {
      ctx.flush();
    }
  }

  /**
   * Ends the guarded stream in progress, on the core's word (expiry, revocation): writes the last content
   * and closes the channel, so the client reconnects and is judged again. Does nothing if no guarded
   * stream is in progress.
   */
  private void endResponse(ChannelHandlerContext ctx) {
    if (out != Out.REWRITE) {
      return;
    }
    out = Out.ENDED;
    endStream();
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
  }

  // ---- lifecycle ----

  /** The channel closed or the handler was removed: release everything held. Idempotent. */
  public void destroy(ChannelHandlerContext ctx) {
    if (destroyed) {
      return;
    }
    destroyed = true;
    Object msg;
    while ((msg = held.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
    exchanges.clear();
    if (out == Out.REWRITE) {
      out = Out.ENDED;
      if (endStream().closeAtEnd()) {
        ctx.channel().close();
      }
    }
    if (restoreAutoRead) {
      restoreAutoRead = false;
      ctx.channel().config().setAutoRead(true);
    }
  }
}
