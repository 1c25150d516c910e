package dev.sseauth.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The request/response bookkeeping shared by the sse-auth handlers, for one channel. Inbound, each
 * request may be judged asynchronously; while a judgement is pending, auto-read is off and every later
 * inbound message is held, so the application sees requests in order. A judgement either forwards the
 * request (possibly with an attachment the outbound side uses) or answers it; an answered request's
 * content is released and never forwarded. Outbound, responses are matched to requests in order
 * (keep-alive and pipelining), answers are written when their turn comes, and a subclass may take over
 * the writing of a forwarded request's response (see {@link #responseStarted}).
 *
 * <p>Every method runs on the channel's event loop; judgements complete on any thread and are handed
 * back to it. Not thread-safe otherwise; one instance per channel.
 */
public abstract class ExchangeSequencer {
  private static final Logger LOG = System.getLogger("dev.sseauth.netty");

  /** What a judgement decided. */
  public sealed interface Outcome permits Forward, Answer {}

  /** Forward the request to the application; {@code attachment} (may be null) goes with its response. */
  public record Forward(Object attachment) implements Outcome {}

  /** Answer the request with {@code response}, which this class writes or releases exactly once. */
  public record Answer(FullHttpResponse response) implements Outcome {}

  private record Exchange(Object attachment, FullHttpResponse answer, boolean closeAfter) {}

  private enum Out {
    /** No response in progress. */
    IDLE,
    /** A response the subclass does not touch is in progress. */
    PASS,
    /** The subclass rewrites the response in progress. */
    REWRITE,
    /** This class ended the response and closes the channel: the application's further writes are dropped. */
    ENDED
  }

  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private final ArrayDeque<Exchange> exchanges = new ArrayDeque<>();
  private boolean judging;
  private boolean dropBody;
  private boolean restoreAutoRead;
  private boolean destroyed;
  private Out out = Out.IDLE;

  /**
   * Judges a request, on the event loop. The request is held, neither retained nor released by the
   * subclass, until the result completes.
   *
   * @return null to forward the request at once with no attachment, else the outcome
   */
  protected abstract CompletionStage<Outcome> judge(ChannelHandlerContext ctx, HttpRequest request);

  /** Called on the event loop just before {@code request} goes to the application; attachment may be null. */
  protected void beforeForward(ChannelHandlerContext ctx, HttpRequest request, Object attachment) {}

  /**
   * Called when the response to a forwarded request with a non-null attachment starts. Return false to
   * let it pass untouched; return true after writing {@code response} (and its content, if it is a
   * {@link LastHttpContent}) yourself, releasing it, and completing {@code promise}; then every content
   * message of the response goes to {@link #rewriteContent} until its last content.
   */
  protected boolean responseStarted(ChannelHandlerContext ctx, Object attachment, HttpResponse response,
      ChannelPromise promise) {
    return false;
  }

  /** Rewrites one content message ({@link HttpContent} or {@link ByteBuf}); must release it exactly once. */
  protected void rewriteContent(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ctx.write(msg, promise);
  }

  /** The rewritten response ended: by its last content, {@link #endResponse}, or the channel closing. */
  protected void responseEnded(ChannelHandlerContext ctx) {}

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
      CompletionStage<Outcome> stage;
      try {
        stage = judge(ctx, request);
      } catch (RuntimeException | LinkageError e) { // answered 500: never a request left hanging
        stage = CompletableFuture.failedFuture(e);
      }
      if (stage == null) {
        forward(ctx, request, null);
        return;
      }
      judging = true;
      ChannelConfig config = ctx.channel().config();
      if (config.isAutoRead()) {
        config.setAutoRead(false);
        restoreAutoRead = true;
      }
      stage.whenComplete((outcome, error) -> {
        try {
          ctx.executor().execute(() -> judged(ctx, request, outcome, error));
        } catch (RejectedExecutionException e) { // the event loop is shutting down
          ReferenceCountUtil.release(request);
          if (outcome instanceof Answer a) {
            ReferenceCountUtil.release(a.response());
          }
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

  private void forward(ChannelHandlerContext ctx, HttpRequest request, Object attachment) {
    beforeForward(ctx, request, attachment);
    exchanges.add(new Exchange(attachment, null, false));
    ctx.fireChannelRead(request);
  }

  private void judged(ChannelHandlerContext ctx, HttpRequest request, Outcome outcome, Throwable error) {
    if (destroyed) {
      ReferenceCountUtil.release(request);
      if (outcome instanceof Answer a) {
        ReferenceCountUtil.release(a.response());
      }
      return;
    }
    judging = false;
    if (error != null || outcome == null) {
      if (outcome instanceof Answer a) {
        ReferenceCountUtil.release(a.response());
      }
      LOG.log(Level.WARNING, "sse-auth could not judge a request: {0}",
          error == null ? "no outcome" : error.getClass().getName());
      outcome = new Answer(plain(request.protocolVersion(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error"));
    }
    if (outcome instanceof Forward f) {
      forward(ctx, request, f.attachment());
    } else {
      FullHttpResponse response = ((Answer) outcome).response();
      boolean bodyFollows = !(request instanceof LastHttpContent);
      // A client waiting for 100-continue will not send the body it announced: the connection is spent.
      boolean close = !HttpUtil.isKeepAlive(request) || bodyFollows && HttpUtil.is100ContinueExpected(request);
      dropBody = bodyFollows;
      ReferenceCountUtil.release(request);
      HttpUtil.setKeepAlive(response, !close);
      exchanges.add(new Exchange(null, response, close));
      writeAnswers(ctx);
    }
    while (!judging && !held.isEmpty() && !destroyed) {
      read(ctx, held.poll());
    }
    if (!judging && restoreAutoRead) {
      restoreAutoRead = false;
      ctx.channel().config().setAutoRead(true);
    }
    ctx.fireChannelReadComplete();
  }

  // ---- outbound ----

  /** See {@link io.netty.channel.ChannelOutboundHandler#write}. */
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    switch (out) {
      case IDLE -> {
        if (msg instanceof HttpResponse response && !informational(response)) {
          Exchange x = exchanges.poll();
          boolean last = msg instanceof LastHttpContent;
          if (x != null && x.attachment() != null && responseStarted(ctx, x.attachment(), response, promise)) {
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
        boolean last = msg instanceof LastHttpContent;
        ctx.write(msg, promise);
        if (last) {
          finishResponse(ctx);
        }
      }
      case REWRITE -> {
        if (msg instanceof HttpContent || msg instanceof ByteBuf) {
          boolean last = msg instanceof LastHttpContent;
          rewriteContent(ctx, msg, promise);
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

  private static boolean informational(HttpResponse response) {
    int code = response.status().code();
    return code >= 100 && code < 200 && code != 101;
  }

  private void finishResponse(ChannelHandlerContext ctx) {
    Out was = out;
    out = Out.IDLE;
    if (was == Out.REWRITE) {
      responseEnded(ctx);
    }
    writeAnswers(ctx);
  }

  private void writeAnswers(ChannelHandlerContext ctx) {
    boolean wrote = false;
    while (out == Out.IDLE && !exchanges.isEmpty() && exchanges.peek().answer() != null) {
      Exchange x = exchanges.poll();
      wrote = true;
      if (x.closeAfter()) {
        out = Out.ENDED;
        ctx.writeAndFlush(x.answer()).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      ctx.write(x.answer());
    }
    if (wrote) {
      ctx.flush();
    }
  }

  /**
   * Ends the rewritten response in progress: writes the last content and closes the channel (the client
   * reconnects and is judged again). Does nothing if no rewritten response is in progress.
   */
  protected void endResponse(ChannelHandlerContext ctx) {
    if (out != Out.REWRITE) {
      return;
    }
    out = Out.ENDED;
    responseEnded(ctx);
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
    Exchange x;
    while ((x = exchanges.poll()) != null) {
      if (x.answer() != null) {
        ReferenceCountUtil.release(x.answer());
      }
    }
    if (out == Out.REWRITE) {
      out = Out.ENDED;
      responseEnded(ctx);
    }
    if (restoreAutoRead) {
      restoreAutoRead = false;
      ctx.channel().config().setAutoRead(true);
    }
  }

  // ---- rendering ----

  /** A plain-text response with {@code Cache-Control: no-store} and a content length. */
  public static FullHttpResponse plain(HttpVersion version, HttpResponseStatus status, String text) {
    return full(version, status, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** A response with {@code Cache-Control: no-store} and a content length. */
  public static FullHttpResponse full(HttpVersion version, HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse r = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    HttpUtil.setContentLength(r, body.length);
    return r;
  }
}
