package dev.sseauth.netty.internal;

import dev.sseauth.Reason;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.adapter.Reply;
import dev.sseauth.adapter.StreamOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
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
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.RejectedExecutionException;

/**
 * One guarded event stream in progress on a channel: the response head changed as the core says, the
 * handshake before any application byte, every application content message passed through the core's
 * {@link LiveStream}, and the core's {@link StreamOutput} for rotation and ending. Event-loop confined;
 * {@link #execute} and {@link #end} may be called from any thread. Calls after {@link #close()} are
 * ignored (tasks) or fail (writes).
 *
 * <p>A content message is rewritten into one buffer sized up front for its bytes and one id prefix (the
 * longest write the rewriter made of its own so far on the channel: the prefix, with a few bytes before
 * it), so a message with one event never grows its buffer; the rewriter writes into it through an
 * output stream kept per event-loop thread, not one per message.
 */
final class GuardedResponse implements StreamOutput {
  /** Room for one id prefix before the channel has seen one: a default-size token's, and some. */
  static final int DEFAULT_ID_ROOM = 320;

  private static final FastThreadLocal<Rewriting> REWRITING = new FastThreadLocal<>() {
    @Override
    protected Rewriting initialValue() {
      return new Rewriting();
    }
  };

  private final ChannelHandlerContext ctx;
  private final boolean closeAtEnd;
  private final Runnable end;
  private LiveStream stream;
  private boolean closed;
  /** The longest write of the rewriter's own bytes seen on the channel; 0 until one. */
  private int idRoom;

  private GuardedResponse(ChannelHandlerContext ctx, boolean closeAtEnd, int idRoom, Runnable end) {
    this.ctx = ctx;
    this.closeAtEnd = closeAtEnd;
    this.idRoom = idRoom;
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
   * @param idRoom what {@link #idRoom()} said at the end of the channel's previous stream; 0 if none
   * @param end ends the response on the event loop when the core says the stream is over
   */
  static GuardedResponse start(ChannelHandlerContext ctx, Allowed allowed, HttpVersion requestVersion,
      HttpResponse response, ChannelPromise promise, int idRoom, Runnable end) {
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
    for (Reply.Header h : allowed.streamHeaderDefaults()) {
      if (!head.headers().contains(h.name())) {
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
    GuardedResponse g = new GuardedResponse(ctx, closeAtEnd, idRoom, end);
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

  /** The room for one id prefix learned so far on the channel; 0 if none was written yet. */
  int idRoom() {
    return idRoom;
  }

  /** Rewrites one content message ({@link HttpContent} or {@link ByteBuf}) and releases it exactly once. */
  void content(Object msg, ChannelPromise promise) {
    ByteBuf rewritten = null;
    Rewriting r = null;
    try {
      ByteBuf in = msg instanceof ByteBufHolder h ? h.content() : (ByteBuf) msg;
      int len = in.readableBytes();
      if (len == 0) {
        rewritten = Unpooled.EMPTY_BUFFER;
      } else {
        rewritten = ctx.alloc().buffer(len + (idRoom > 0 ? idRoom : DEFAULT_ID_ROOM));
        r = REWRITING.get();
        byte[] bytes;
        int off;
        if (in.hasArray()) {
          bytes = in.array();
          off = in.arrayOffset() + in.readerIndex();
        } else {
          bytes = r.copy(in, len);
          off = 0;
        }
        r.start(rewritten, bytes);
        stream.write(bytes, off, len, r);
        if (r.longestOwn > idRoom) {
          idRoom = r.longestOwn;
        }
      }
    } catch (IOException | RuntimeException e) {
      ReferenceCountUtil.release(rewritten);
      ReferenceCountUtil.release(msg);
      promise.tryFailure(e);
      return;
    } finally {
      if (r != null) {
        r.finish();
      }
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

  /**
   * One event-loop thread's means of rewriting: the output stream into the message's buffer, which notes
   * the longest write of bytes that are not the input's (an id prefix), and a copy of a direct input
   * kept for the next message when small. Used by one {@link #content} call at a time.
   */
  static final class Rewriting extends OutputStream {
    /** Inputs up to this size are copied into an array kept for the next one. */
    static final int KEEP = 16 * 1024;
    private static final byte[] NONE = new byte[0];

    private ByteBuf target;
    private byte[] input = NONE;
    private byte[] copy = NONE;
    int longestOwn;

    /** A copy of the readable bytes of {@code in}, in an array of at least {@code len} bytes. */
    byte[] copy(ByteBuf in, int len) {
      byte[] c = copy;
      if (c.length < len) {
        c = new byte[len];
        if (len <= KEEP) {
          copy = c;
        }
      }
      in.getBytes(in.readerIndex(), c, 0, len);
      return c;
    }

    void start(ByteBuf target, byte[] input) {
      this.target = target;
      this.input = input;
      this.longestOwn = 0;
    }

    void finish() {
      target = null;
      input = NONE;
    }

    @Override
    public void write(int b) {
      target.writeByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (b != input && len > longestOwn) {
        longestOwn = len;
      }
      target.writeBytes(b, off, len);
    }
  }
}
