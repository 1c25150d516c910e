package dev.sseauth.benchmarks.load;

import dev.sseauth.SseAuth;
import dev.sseauth.netty.SseAuthHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty 4.2 HTTP server serving the load endpoint in one {@link Variant} (see {@link LoadServer} for
 * the endpoints); the boss and worker groups at Netty's defaults, a backlog of 4,096 as the other servers.
 */
final class NettyLoadServer implements AutoCloseable {
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
  private final AtomicInteger held = new AtomicInteger();
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final SseAuth auth;
  private final Channel channel;

  NettyLoadServer(Variant variant) throws InterruptedException {
    auth = variant == Variant.SSEAUTH ? LoadServer.sseAuth() : null;
    channel = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch); // removed again when it closes
            ChannelPipeline p = ch.pipeline();
            p.addLast(new HttpServerCodec());
            switch (variant) {
              case SSEAUTH -> p.addLast(new SseAuthHandler(auth));
              case JWT_QUERY -> p.addLast(new JwtQueryHandler());
              case UNGUARDED -> { }
            }
            p.addLast(new App(held, auth, connections));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    boss.shutdownGracefully();
    workers.shutdownGracefully().syncUninterruptibly();
    if (auth != null) {
      auth.close();
    }
  }

  /** The application: N events, each flushed, then the response ends (or stays open with {@code hold=1}). */
  static final class App extends ChannelInboundHandlerAdapter {
    private final AtomicInteger held;
    private final SseAuth auth;
    private final ChannelGroup connections;
    private int total;
    private int sent;
    private boolean streaming;
    private boolean hold;
    private boolean holding;
    private boolean keepAlive;

    App(AtomicInteger held, SseAuth auth, ChannelGroup connections) {
      this.held = held;
      this.auth = auth;
      this.connections = connections;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest req) {
          QueryStringDecoder d = new QueryStringDecoder(req.uri());
          keepAlive = HttpUtil.isKeepAlive(req);
          if (d.path().equals("/events")) {
            start(ctx, d.rawQuery());
          } else if (d.path().equals("/admin/heap")) {
            int h = held.get();
            Thread t = new Thread(() -> respond(ctx, HttpResponseStatus.OK, LoadServer.heapJson(h, auth)), "heap");
            t.start();
          } else if (d.path().equals("/admin/count")) {
            respond(ctx, HttpResponseStatus.OK, LoadServer.countJson(held.get(), auth));
          } else if (d.path().equals("/admin/cut")) {
            int closed = 0;
            for (Channel c : new java.util.ArrayList<>(connections)) { // those open now, not those opened meanwhile
              if (c != ctx.channel()) {
                c.close();
                closed++;
              }
            }
            respond(ctx, HttpResponseStatus.OK, LoadServer.cutJson(closed));
          } else {
            respond(ctx, HttpResponseStatus.NOT_FOUND, "{}");
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String json) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
          Unpooled.copiedBuffer(json, StandardCharsets.US_ASCII));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      HttpUtil.setContentLength(r, r.content().readableBytes());
      ctx.writeAndFlush(r);
    }

    private void start(ChannelHandlerContext ctx, String rawQuery) {
      total = Wire.intParam(rawQuery, "n", 1);
      hold = "1".equals(Wire.param(rawQuery, "hold"));
      sent = 0;
      streaming = true;
      HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      HttpUtil.setTransferEncodingChunked(r, true);
      ctx.write(r);
      byte[] retry = hold ? LoadServer.retryEvent() : new byte[0];
      if (retry.length > 0) {
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(retry)));
      }
      pump(ctx);
    }

    private void pump(ChannelHandlerContext ctx) {
      while (sent < total && ctx.channel().isWritable()) {
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(Wire.event(sent++))));
      }
      if (sent < total) {
        ctx.flush();
        return; // resumed by channelWritabilityChanged
      }
      streaming = false;
      if (hold) {
        holding = true;
        held.incrementAndGet();
        ctx.flush();
      } else if (keepAlive) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      } else {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      if (streaming && ctx.channel().isWritable()) {
        pump(ctx);
      }
      super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (holding) {
        holding = false;
        held.decrementAndGet();
      }
      streaming = false;
      super.channelInactive(ctx);
    }
  }

  /** The common alternative: a handler verifying {@code ?access_token=<JWT>} on {@code /events}. */
  static final class JwtQueryHandler extends ChannelInboundHandlerAdapter {
    private final Wire.QueryJwtVerifier verifier = new Wire.QueryJwtVerifier();
    private boolean dropping;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest req) {
        QueryStringDecoder d = new QueryStringDecoder(req.uri());
        if (d.path().equals("/events") && verifier.subject(d.rawQuery()) == null) {
          dropping = !(msg instanceof LastHttpContent);
          ReferenceCountUtil.release(msg);
          FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED);
          r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
          r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
          HttpUtil.setContentLength(r, 0);
          ctx.writeAndFlush(r);
          return;
        }
        dropping = false;
      } else if (dropping) {
        if (msg instanceof LastHttpContent) {
          dropping = false;
        }
        ReferenceCountUtil.release(msg);
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }
}
