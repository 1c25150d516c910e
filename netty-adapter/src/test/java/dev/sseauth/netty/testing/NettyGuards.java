package dev.sseauth.netty.testing;

import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.netty.NettyPrincipalResolver;
import dev.sseauth.netty.SseAuthHandler;
import dev.sseauth.netty.SseAuthTicketHandler;
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
   * The ticket endpoint, authenticating bearer tokens with the configured verifier, then the stream guard.
   *
   * @throws IllegalArgumentException when a channel starts, if {@code auth} has no bearer verifier
   */
  public static NettyGuard sseAuth(SseAuth auth) {
    return sseAuth(auth, null);
  }

  /**
   * The ticket endpoint, authenticating with {@code tickets} (or, if null, bearer tokens with the
   * configured verifier), then the stream guard.
   */
  public static NettyGuard sseAuth(SseAuth auth, NettyPrincipalResolver tickets) {
    return new NettyGuard() {
      @Override
      public void install(ChannelPipeline pipeline) {
        pipeline.addLast(tickets == null ? new SseAuthTicketHandler(auth) : new SseAuthTicketHandler(auth, tickets),
            new SseAuthHandler(auth));
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
