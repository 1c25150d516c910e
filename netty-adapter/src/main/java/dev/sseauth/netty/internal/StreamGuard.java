package dev.sseauth.netty.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.Denied;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.StreamOutput;
import dev.sseauth.adapter.StreamRequest;
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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The logic of {@code SseAuthHandler} for one channel: judges guarded requests with the core, renders
 * refusals, shows the application the cleaned request, and passes an allowed event stream's bytes through
 * the core's {@link LiveStream}. Event-loop confined.
 */
public final class StreamGuard extends ExchangeSequencer {
  private static final String LAST_EVENT_ID = "Last-Event-ID";

  private final SseAuth auth;
  private final SseAuthConfig config;
  private final AttributeKey<SsePrincipal> principalKey;
  private final AttributeKey<SessionInfo> sessionKey;
  private Output current;

  private record Grant(Allowed allowed, RequestTarget target) {}

  public StreamGuard(SseAuth auth, AttributeKey<SsePrincipal> principalKey, AttributeKey<SessionInfo> sessionKey) {
    this.auth = auth;
    this.config = auth.config();
    this.principalKey = principalKey;
    this.sessionKey = sessionKey;
  }

  @Override
  protected CompletionStage<Outcome> judge(ChannelHandlerContext ctx, HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      // Netty could not parse the request (a malformed line, a header past its limit): its path and
      // headers are not what the client sent, so nothing judged on them can stand. Refuse it, on any
      // path, and close: the decoder discards the rest of the connection.
      Throwable cause = request.decoderResult().cause();
      HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
          ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
          : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG : HttpResponseStatus.BAD_REQUEST;
      HttpUtil.setKeepAlive(request, false);
      return CompletableFuture.completedFuture(new Answer(plain(request.protocolVersion(), status, "malformed request")));
    }
    RequestTarget target = RequestTarget.parse(request.uri());
    if (!config.guards(target.withoutQuery())) {
      return null;
    }
    HttpVersion version = request.protocolVersion();
    StreamRequest facts = new StreamRequest(request.method().name(), target.rawQuery(),
        StreamRequest.utf8Header(request.headers().get(LAST_EVENT_ID)), request.headers().get(HttpHeaderNames.ORIGIN));
    return auth.decide(facts).thenApply(decision -> {
      if (decision instanceof Denied denied) {
        return new Answer(refusal(version, denied));
      }
      Allowed allowed = (Allowed) decision;
      if (allowed.endAfterHandshake()) {
        return new Answer(full(version, HttpResponseStatus.OK, "text/event-stream", allowed.handshake()));
      }
      return new Forward(new Grant(allowed, target));
    });
  }

  /** The response to a refused stream request. */
  public static FullHttpResponse refusal(HttpVersion version, Denied denied) {
    FullHttpResponse r = plain(version, HttpResponseStatus.valueOf(denied.status()), denied.reason().message());
    if (denied.wwwAuthenticate() != null) {
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, denied.wwwAuthenticate());
    }
    if (denied.allow() != null) {
      r.headers().set(HttpHeaderNames.ALLOW, denied.allow());
    }
    return r;
  }

  @Override
  protected void beforeForward(ChannelHandlerContext ctx, HttpRequest request, Object attachment) {
    if (attachment instanceof Grant g) {
      Allowed a = g.allowed();
      request.setUri(g.target().withQuery(a.appQuery()));
      if (a.previousId().isEmpty()) {
        request.headers().remove(LAST_EVENT_ID);
      } else {
        request.headers().set(LAST_EVENT_ID, a.previousId());
      }
      ctx.channel().attr(principalKey).set(a.principal());
      ctx.channel().attr(sessionKey).set(a.session());
    } else {
      ctx.channel().attr(principalKey).set(null);
      ctx.channel().attr(sessionKey).set(null);
    }
  }

  @Override
  protected boolean responseStarted(ChannelHandlerContext ctx, Object attachment, HttpResponse response,
      ChannelPromise promise) {
    if (!(attachment instanceof Grant g) || response.status().code() != 200 || !isEventStream(response)) {
      return false;
    }
    HttpResponse head = response instanceof FullHttpResponse
        ? new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers())
        : response;
    head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    // The stream carries session tokens: no cache may keep it.
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    boolean closeAtEnd = response.protocolVersion().equals(HttpVersion.HTTP_1_0);
    if (closeAtEnd) {
      HttpUtil.setKeepAlive(head, false); // no chunking in HTTP/1.0: the end of the stream is the end of the connection
    } else {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    boolean full = response instanceof FullHttpResponse;
    ctx.write(head, full ? ctx.newPromise() : promise);
    byte[] handshake = g.allowed().handshake();
    if (handshake.length > 0) {
      ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(handshake)));
    }
    Output output = new Output(ctx, closeAtEnd);
    current = output;
    output.stream = g.allowed().open(output);
    if (full) {
      rewriteContent(ctx, response, promise);
    }
    return true;
  }

  private static boolean isEventStream(HttpResponse response) {
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type == null) {
      return false;
    }
    int semi = type.indexOf(';');
    return (semi < 0 ? type : type.substring(0, semi)).trim().equalsIgnoreCase("text/event-stream");
  }

  @Override
  protected void rewriteContent(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
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
        current.stream.write(bytes, off, len, new ByteBufOutputStream(rewritten));
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

  @Override
  protected void responseEnded(ChannelHandlerContext ctx) {
    Output o = current;
    current = null;
    if (o != null) {
      o.stream.close();
      if (o.closeAtEnd) {
        ctx.channel().close();
      }
    }
  }

  /** The core's view of one rewritten response; calls after the response ended are ignored. */
  private final class Output implements StreamOutput {
    private final ChannelHandlerContext ctx;
    private final boolean closeAtEnd;
    private LiveStream stream;

    Output(ChannelHandlerContext ctx, boolean closeAtEnd) {
      this.ctx = ctx;
      this.closeAtEnd = closeAtEnd;
    }

    @Override
    public void execute(Runnable task) {
      try {
        ctx.executor().execute(() -> {
          if (current == this) {
            task.run();
          }
        });
      } catch (RejectedExecutionException e) {
        // the event loop is shutting down and the channel with it
      }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
      if (current != this || !ctx.channel().isActive()) {
        throw new IOException("the response has ended");
      }
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    }

    @Override
    public void end(Reason reason) {
      execute(() -> endResponse(ctx));
    }
  }
}
