package dev.sseauth.security;

import dev.sseauth.SseAuth;

/** A real server on a random port with sse-auth in front of a {@link GuardedApp}. */
interface TargetServer extends AutoCloseable {
  /** The local port on 127.0.0.1. */
  int port();

  /** The adapter's name, for messages. */
  String name();

  @Override
  void close() throws Exception;

  /** The servers the suites run on. */
  enum Kind {
    JETTY, TOMCAT, NETTY;

    TargetServer start(SseAuth auth, GuardedApp app) throws Exception {
      return switch (this) {
        case JETTY -> new JettyTarget(auth, app);
        case TOMCAT -> new TomcatTarget(auth, app);
        case NETTY -> new NettyTarget(auth, app);
      };
    }
  }
}
