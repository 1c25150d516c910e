package dev.sseauth.demo.internal;

import dev.sseauth.SseAuth;
import dev.sseauth.netty.NettyPrincipalResolver;
import dev.sseauth.netty.SseAuthHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo on Netty 4.2 with the Netty adapter: the same endpoints, page and settings as {@link JettyApp}.
 * Pipeline: codec, {@link SseAuthHandler} (tickets and streams), aggregator, the app.
 */
public final class NettyApp implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NettyApp.class.getName());
  private static final int MAX_BODY = 16 * 1024;

  private final EventLoopGroup group;
  private final Channel server;

  /** Starts the server on {@code host:port} (port 0 for any). */
  public NettyApp(String host, int port, SseAuth auth, AccessTokens tokens, Feed feed, StaticFiles files) {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Api api = new Api(tokens, auth, feed, "Netty 4.2 (Netty adapter)");
    // the existing app's own authentication, for the ticket endpoint
    NettyPrincipalResolver resolver = request -> CompletableFuture.completedFuture(
        tokens.principal(request.headers().get(HttpHeaderNames.AUTHORIZATION)));
    try {
      server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new SseAuthHandler(auth, resolver),
                  new HttpObjectAggregator(MAX_BODY), new App(api, feed, files));
            }
          })
          .bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Api api;
    private final Feed feed;
    private final StaticFiles files;

    App(Api api, Feed feed, StaticFiles files) {
      this.api = api;
      this.feed = feed;
      this.files = files;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String uri = req.uri();
      int q = uri.indexOf('?');
      String path = q < 0 ? uri : uri.substring(0, q);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (path.equals("/events") && req.method().equals(HttpMethod.GET)) {
        events(ctx, req.headers().get("Last-Event-ID"));
      } else if (Api.owns(path)) {
        String body = req.content().toString(StandardCharsets.UTF_8);
        api.handle(req.method().name(), path, req.headers().get(HttpHeaderNames.AUTHORIZATION), body)
            .whenComplete((r, e) -> ctx.executor().execute(() -> {
              Api.Reply reply = e == null ? r : new Api.Reply(503, "{\"error\":\"try again\"}");
              FullHttpResponse res = response(HttpResponseStatus.valueOf(reply.status()), "application/json",
                  reply.json().getBytes(StandardCharsets.UTF_8));
              if (reply.challenge()) {
                res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"sse-auth-demo\"");
              }
              send(ctx, res, keepAlive);
            }));
      } else if (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD)) {
        StaticFiles.File f = files.get(path);
        FullHttpResponse res = f == null
            ? response(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8))
            : response(HttpResponseStatus.OK, f.contentType(), f.bytes());
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        send(ctx, res, keepAlive);
      } else {
        FullHttpResponse res = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
            "method not allowed".getBytes(StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.ALLOW, "GET");
        send(ctx, res, keepAlive);
      }
    }

    /** {@code GET /events}: the live feed, resuming after {@code Last-Event-ID}; it never sees a token. */
    private void events(ChannelHandlerContext ctx, String lastEventId) {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.write(head);
      Channel ch = ctx.channel();
      String user = ch.attr(SseAuthHandler.PRINCIPAL).get() == null ? null : ch.attr(SseAuthHandler.PRINCIPAL).get().subject();
      NettyStream stream = new NettyStream(ch, user);
      ch.closeFuture().addListener(f -> feed.unsubscribe(stream));
      if (stream.send(": welcome\n\n")) {
        feed.subscribe(stream, lastEventId);
      }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body) {
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      HttpUtil.setContentLength(res, body.length);
      return res;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
      HttpUtil.setKeepAlive(res, keepAlive);
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!(cause instanceof java.io.IOException)) { // a reset connection is routine
        LOG.log(System.Logger.Level.WARNING, "closing a connection after an error: " + cause.getClass().getName(), cause);
      }
      ctx.close();
    }
  }

  private record NettyStream(Channel channel, String user) implements Feed.Stream {
    @Override
    public boolean send(String block) {
      if (!channel.isActive()) {
        return false;
      }
      channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(block, StandardCharsets.UTF_8)));
      return true;
    }

    @Override
    public void drop() {
      channel.close();
    }
  }
}
