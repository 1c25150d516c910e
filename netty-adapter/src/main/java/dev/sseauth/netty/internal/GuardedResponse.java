package dev.sseauth.netty.internal;

import dev.sseauth.Reason;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.adapter.Reply;
import dev.sseauth.adapter.StreamOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * One guarded event stream in progress on a channel: the response head changed as the core says, the
 * handshake before any application byte, every application content message passed through the core's
 * {@link LiveStream}, and the core's {@link StreamOutput} for rotation and ending. Event-loop confined;
 * {@link #execute} and {@link #end} may be called from any thread. Calls after {@link #close()} are
 * ignored (tasks) or fail (writes).
 */
final class GuardedResponse implements StreamOutput {
  private final ChannelHandlerContext ctx;
  private final boolean closeAtEnd;
  private final Runnable end;
  private LiveStream stream;
  private boolean closed;

  private GuardedResponse(ChannelHandlerContext ctx, boolean closeAtEnd, Runnable end) {
    this.ctx = ctx;
    this.closeAtEnd = closeAtEnd;
    this.end = end;
  }

  /**
   * Starts the stream with the application's {@code response}: writes its head with
   * {@link Allowed#streamHeaders} applied and the framing of its version (chunked; close-delimited in
   * HTTP/1.0, which has no chunking), then the handshake, then, for a {@link FullHttpResponse}, its
   * content rewritten. Releases {@code response} once and completes {@code promise}.
   *
   * @param requestVersion the request's protocol version; HTTP/1.0 (of the request or the response) means
   *     a close-delimited stream
   * @param end ends the response on the event loop when the core says the stream is over
   */
  static GuardedResponse start(ChannelHandlerContext ctx, Allowed allowed, HttpVersion requestVersion,
      HttpResponse response, ChannelPromise promise, Runnable end) {
    boolean full = response instanceof FullHttpResponse;
    HttpResponse head = full
        ? new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers())
        : response;
    for (Reply.Header h : allowed.streamHeaders(false)) {
      if (h.value() == null) {
        head.headers().remove(h.name());
      } else {
        head.headers().set(h.name(), h.value());
      }
    }
    boolean closeAtEnd = requestVersion.equals(HttpVersion.HTTP_1_0) || response.protocolVersion().equals(HttpVersion.HTTP_1_0);
    if (closeAtEnd) {
      HttpUtil.setKeepAlive(head, false); // no chunking in HTTP/1.0: the end of the stream is the end of the connection
    } else {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    ctx.write(head, full ? ctx.newPromise() : promise);
    byte[] handshake = allowed.handshake();
    if (handshake.length > 0) {
      ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(handshake)));
    }
    GuardedResponse g = new GuardedResponse(ctx, closeAtEnd, end);
    g.stream = allowed.open(g);
    if (full) {
      g.content(response, promise);
    }
    return g;
  }

  /** Whether the connection closes when the stream ends (HTTP/1.0). */
  boolean closeAtEnd() {
    return closeAtEnd;
  }

  /** Rewrites one content message ({@link HttpContent} or {@link ByteBuf}) and releases it exactly once. */
  void content(Object msg, ChannelPromise promise) {
    ByteBuf rewritten = null;
    try {
      ByteBuf in = msg instanceof ByteBufHolder h ? h.content() : (ByteBuf) msg;
      int len = in.readableBytes();
      rewritten = ctx.alloc().buffer(len + 16);
      if (len > 0) {
        byte[] bytes;
        int off;
        if (in.hasArray()) {
          bytes = in.array();
          off = in.arrayOffset() + in.readerIndex();
        } else {
          bytes = ByteBufUtil.getBytes(in);
          off = 0;
        }
        stream.write(bytes, off, len, new ByteBufOutputStream(rewritten));
      }
    } catch (IOException | RuntimeException e) {
      ReferenceCountUtil.release(rewritten);
      ReferenceCountUtil.release(msg);
      promise.tryFailure(e);
      return;
    }
    Object result;
    if (msg instanceof LastHttpContent last) {
      result = new DefaultLastHttpContent(rewritten, last.trailingHeaders());
    } else if (msg instanceof HttpContent) {
      result = new DefaultHttpContent(rewritten);
    } else {
      result = rewritten;
    }
    ReferenceCountUtil.release(msg);
    ctx.write(result, promise);
  }

  /** The response ended: stops the core's tracking. Idempotent. */
  void close() {
    if (!closed) {
      closed = true;
      stream.close();
    }
  }

  @Override
  public void execute(Runnable task) {
    try {
      ctx.executor().execute(() -> {
        if (!closed) {
          task.run();
        }
      });
    } catch (RejectedExecutionException e) {
      // the event loop is shutting down and the channel with it
    }
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    if (closed || !ctx.channel().isActive()) {
      throw new IOException("the response has ended");
    }
    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
  }

  @Override
  public void end(Reason reason) {
    execute(end);
  }
}
