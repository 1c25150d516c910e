package dev.sseauth.netty.testing;

import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.netty.NettyPrincipalResolver;
import dev.sseauth.netty.SseAuthHandler;
import dev.sseauth.testing.fixtures.NettyGuard;
import dev.sseauth.testing.fixtures.NettyServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;

/**
 * The Netty adapter as the guard of a {@link NettyServer}: the one place where a test server's pipeline
 * gets sse-auth's handlers, for the adapter's own tests and for the security suites (which take it from
 * this module's test-jar). Stateless and thread-safe.
 */
public final class NettyGuards {
  private NettyGuards() {}

  /**
   * The guard of tickets and streams, authenticating ticket requests' bearer tokens with the configured
   * verifier (with none configured, every ticket request is refused).
   */
  public static NettyGuard sseAuth(SseAuth auth) {
    return sseAuth(auth, null);
  }

  /**
   * The guard of tickets and streams, authenticating ticket requests with {@code tickets} (or, if null,
   * their bearer tokens with the configured verifier).
   */
  public static NettyGuard sseAuth(SseAuth auth, NettyPrincipalResolver tickets) {
    return new NettyGuard() {
      @Override
      public void install(ChannelPipeline pipeline) {
        pipeline.addLast(tickets == null ? new SseAuthHandler(auth) : new SseAuthHandler(auth, tickets));
      }

      @Override
      public SsePrincipal principal(Channel channel) {
        return channel.attr(SseAuthHandler.PRINCIPAL).get();
      }

      @Override
      public SessionInfo session(Channel channel) {
        return channel.attr(SseAuthHandler.SESSION).get();
      }
    };
  }
}
