package dev.sseauth.netty;

import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real Netty HTTP server on a random port: codec, ticket endpoint, guard, and a small event-stream
 * application. {@code /events} resumes after the numeric {@code Last-Event-ID} it sees: it writes ids
 * {@code n+1} and {@code n+2} at once and then whatever {@link #broadcast} sends; {@code /split} writes
 * the id {@code 12} split over several flushed writes of both message types; {@code /plain} is a
 * guarded non-stream JSON answer.
 */
final class TestServer implements AutoCloseable {
  record Seen(String uri, String lastEventId, SsePrincipal principal, SessionInfo session) {}

  static final boolean DEBUG = false; // prints the raw traffic to stderr
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  final Set<Channel> streams = ConcurrentHashMap.newKeySet();
  private final EventLoopGroup group;
  private final Channel server;

  TestServer(SseAuth auth, int threads) {
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 2048)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new io.netty.channel.ChannelDuplexHandler() {
              @Override public void channelRead(ChannelHandlerContext c, Object m) { if (DEBUG) System.err.println(c.channel().id() + " IN " + ((io.netty.buffer.ByteBuf) m).toString(StandardCharsets.UTF_8).replace("\r\n", " | ")); c.fireChannelRead(m); }
              @Override public void write(ChannelHandlerContext c, Object m, io.netty.channel.ChannelPromise p) { if (DEBUG && m instanceof io.netty.buffer.ByteBuf b) System.err.println(c.channel().id() + " OUT " + b.toString(StandardCharsets.UTF_8).replace("\r\n", " | ")); c.write(m, p); }
              @Override public void close(ChannelHandlerContext c, io.netty.channel.ChannelPromise p) { if (DEBUG) System.err.println(c.channel().id() + " CLOSE"); c.close(p); }
            }, new HttpServerCodec(), new SseAuthHandler(auth), new App());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + pathAndQuery);
  }

  /** Writes {@code event} to every open stream. */
  void broadcast(String event) {
    for (Channel c : streams) {
      c.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
    }
  }

  /** Drops every stream's connection, as a network failure would. */
  void dropStreams() {
    for (Channel c : streams) {
      c.close();
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class App extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof HttpRequest r)) {
        return;
      }
      String last = r.headers().get("Last-Event-ID");
      seen.add(new Seen(r.uri(), last, ctx.channel().attr(SseAuthHandler.PRINCIPAL).get(),
          ctx.channel().attr(SseAuthHandler.SESSION).get()));
      String path = r.uri().contains("?") ? r.uri().substring(0, r.uri().indexOf('?')) : r.uri();
      switch (path) {
        case "/events" -> {
          int n = last == null ? 0 : Integer.parseInt(last);
          ctx.write(head());
          streams.add(ctx.channel());
          ctx.channel().closeFuture().addListener(f -> streams.remove(ctx.channel()));
          ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(
              "id: " + (n + 1) + "\ndata: e" + (n + 1) + "\n\nid: " + (n + 2) + "\ndata: e" + (n + 2) + "\n\n",
              StandardCharsets.UTF_8)));
        }
        case "/feeds/split" -> {
          ctx.write(head());
          streams.add(ctx.channel());
          ctx.channel().closeFuture().addListener(f -> streams.remove(ctx.channel()));
          String[] parts = {"i", "d", ": 1", "2\r", "\nda", "ta: sp", "lit\n", "\n"};
          for (int i = 0; i < parts.length; i++) {
            var buf = Unpooled.copiedBuffer(parts[i], StandardCharsets.UTF_8);
            ctx.writeAndFlush(i % 2 == 0 ? buf : new DefaultHttpContent(buf));
          }
        }
        default -> {
          FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
              Unpooled.copiedBuffer("{\"ok\":true}", StandardCharsets.UTF_8));
          res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
          HttpUtil.setContentLength(res, res.content().readableBytes());
          boolean keepAlive = HttpUtil.isKeepAlive(r);
          HttpUtil.setKeepAlive(res, keepAlive);
          var f = ctx.writeAndFlush(res);
          if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
          }
        }
      }
    }

    private HttpResponse head() {
      HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      HttpUtil.setTransferEncodingChunked(res, true);
      return res;
    }
  }
}
