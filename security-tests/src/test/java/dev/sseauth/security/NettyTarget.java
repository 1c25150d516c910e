package dev.sseauth.security;

import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.netty.SseAuthHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.2 HTTP server: {@code HttpServerCodec} (default limits), {@link SseAuthHandler}, then the
 * application, which answers every request that reaches it.
 */
final class NettyTarget implements TargetServer {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final Channel channel;

  NettyTarget(SseAuth auth, GuardedApp app) throws InterruptedException {
    channel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(),
                new SseAuthHandler(auth, r -> {
                  String user = r.headers().get("X-Test-User");
                  return CompletableFuture.completedFuture(user == null ? null : SsePrincipal.of(user));
                }),
                app.nettyHandler());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @Override
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public String name() {
    return "netty";
  }

  @Override
  public void close() throws Exception {
    channel.close().sync();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
  }
}
