package dev.sseauth.security;

import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.netty.testing.NettyGuards;
import dev.sseauth.servlet.SseAuthFilter;
import dev.sseauth.testing.fixtures.GuardedApp;
import dev.sseauth.testing.fixtures.JettyServer;
import dev.sseauth.testing.fixtures.NettyServer;
import dev.sseauth.testing.fixtures.ServletServer;
import dev.sseauth.testing.fixtures.TestServer;
import dev.sseauth.testing.fixtures.TomcatServer;
import dev.sseauth.testing.fixtures.WebFluxServer;
import dev.sseauth.webflux.SseAuthWebFilter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import reactor.core.publisher.Mono;

/**
 * The servers the suites run on, each a real server on a random port with sse-auth in front of a
 * {@link GuardedApp} that answers every path (so any request that slips past the guard reaches it):
 * the servlet filter on Jetty 12 and on Tomcat 11 (default settings), the Netty handlers behind
 * {@code HttpServerCodec} (default limits), the {@code WebFilter} in front of a plain {@code WebHandler} in
 * Spring WebFlux on Reactor Netty (default settings). Tickets go to the user named by the
 * {@code X-Test-User} header (the application's own login).
 */
enum Target {
  JETTY, TOMCAT, NETTY, WEBFLUX;

  /** Starts this kind of server with {@code auth} guarding {@code app}. */
  TestServer start(SseAuth auth, GuardedApp app) throws Exception {
    return switch (this) {
      case JETTY -> jetty(auth, app, new QueuedThreadPool(), bufferPool());
      case TOMCAT -> new TomcatServer(deployment(auth, app));
      case NETTY -> new NettyServer(NettyGuards.sseAuth(auth,
          r -> CompletableFuture.completedFuture(user(r.headers().get("X-Test-User")))), app::nettyHandler, 2);
      case WEBFLUX -> WebFluxServer.handler(List.of(new SseAuthWebFilter(auth,
          e -> Mono.justOrEmpty(user(e.getRequest().getHeaders().getFirst("X-Test-User"))))), app.webHandler());
    };
  }

  /**
   * The Jetty target on the given thread pool and buffer pool, for a test that instruments Jetty
   * ({@link JettyRejectedConnectionTest}); every other test uses {@link #start}.
   */
  static JettyServer jetty(SseAuth auth, GuardedApp app, QueuedThreadPool threads, ByteBufferPool buffers)
      throws Exception {
    return new JettyServer(deployment(auth, app), threads, buffers);
  }

  /**
   * The buffer pool of every Jetty target: none. Jetty 12.1.14 can still write into a request buffer
   * after a connection whose request its parser rejected has given the buffer back (see
   * {@link JettyRejectedConnectionTest}); with a pooling pool the next connection that takes the buffer
   * parses the rejected request's bytes as the start of its own, which made a later, unrelated request of
   * an attack test fail with 431. Unpooled, a late write lands in a buffer no one else will use.
   */
  static ByteBufferPool bufferPool() {
    return ByteBufferPool.NON_POOLING;
  }

  /** {@link SseAuthFilter} on {@code /*}, the application servlet on {@code /*}. */
  private static ServletServer.Deployment deployment(SseAuth auth, GuardedApp app) {
    return new ServletServer.Deployment()
        .filter("sse-auth", new SseAuthFilter(auth, r -> user(r.getHeader("X-Test-User"))))
        .servlet("/*", app.servlet());
  }

  private static SsePrincipal user(String name) {
    return name == null ? null : SsePrincipal.of(name);
  }
}
