package dev.sseauth.security;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application behind the guard, on every adapter: an SSE endpoint on every path that counts its
 * invocations and records what it saw, then writes one event ({@code id: 1}) and ends the response.
 * Every attack asserts that {@link #runs()} did not move.
 */
final class GuardedApp {
  static final byte[] EVENT = "id: 1\ndata: hello\n\n".getBytes(StandardCharsets.US_ASCII);

  /** What the application saw of one request. */
  record Seen(String method, String uri, String query, String lastEventId) {}

  private final AtomicInteger runs = new AtomicInteger();
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  int runs() {
    return runs.get();
  }

  private void ran(String method, String uri, String query, String lastEventId) {
    runs.incrementAndGet();
    if (seen.size() < 1000) {
      seen.add(new Seen(method, uri, query, lastEventId));
    }
  }

  HttpServlet servlet() {
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ran(req.getMethod(), req.getRequestURI(), req.getQueryString(), req.getHeader("Last-Event-ID"));
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.getOutputStream().write(EVENT);
        resp.getOutputStream().flush();
      }
    };
  }

  /** The Netty application handler; one per channel. */
  ChannelInboundHandlerAdapter nettyHandler() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
          if (msg instanceof HttpRequest r) {
            String uri = r.uri();
            int q = uri.indexOf('?');
            ran(r.method().name(), q < 0 ? uri : uri.substring(0, q), q < 0 ? null : uri.substring(q + 1),
                r.headers().get("Last-Event-ID"));
            boolean keepAlive = HttpUtil.isKeepAlive(r);
            DefaultHttpResponse head = new DefaultHttpResponse(r.protocolVersion(), HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
            HttpUtil.setTransferEncodingChunked(head, true);
            HttpUtil.setKeepAlive(head, keepAlive);
            ctx.write(head);
            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(EVENT)));
            var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
              done.addListener(ChannelFutureListener.CLOSE);
            }
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }
    };
  }
}
