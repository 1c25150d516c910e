package dev.sseauth.demo;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the demo: {@code java -jar sse-auth-demo.jar [--port N]} (or {@code PORT=N}); Jetty with the
 * servlet adapter on N (8080 by default), Netty on N + 1. Any {@code sseauth.*} key can be set with
 * {@code -Dsseauth.token.ttl=5m} or {@code SSEAUTH_TOKEN_TTL=5m}.
 */
public final class DemoMain {
  private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty"); // held: JUL keeps weak references

  private DemoMain() {}

  /**
   * Starts both servers and waits until the JVM is stopped (Ctrl-C). Exits with 2 for a bad argument or
   * setting (the message names it) and 1 when a port is taken.
   */
  public static void main(String[] args) throws Exception {
    JETTY_LOG.setLevel(Level.WARNING); // Jetty's start-up lines would bury the URLs
    int port;
    String host = "127.0.0.1";
    try {
      port = port(args, System.getenv());
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--host") && i + 1 < args.length) {
          host = args[++i];
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("sse-auth demo: " + e.getMessage());
      System.err.println("usage: java -jar sse-auth-demo.jar [--port N] [--host ADDRESS]   (or PORT=N)");
      System.exit(2);
      return;
    }
    DemoServer demo;
    try {
      demo = DemoServer.builder().host(host).port(port).start();
    } catch (IllegalArgumentException e) {
      System.err.println("sse-auth demo: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      if (bindFailure(e)) { // Jetty and Netty both throw java.net.BindException for a port in use
        System.err.println("sse-auth demo: cannot listen on port " + port + " or " + (port + 1) + " (" + e.getMessage()
            + "): try --port N");
      } else {
        System.err.println("sse-auth demo: cannot start: " + e);
      }
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        demo.close();
      } catch (Exception e) {
        // exiting anyway
      }
    }, "demo-shutdown"));
    System.out.println();
    System.out.println("  sse-auth demo is running (users alice/alice and bob/bob)");
    System.out.println();
    System.out.println("    Jetty 12 + servlet adapter:  " + demo.servletUri());
    System.out.println("    Netty 4.2 + Netty adapter:   " + demo.nettyUri());
    System.out.println();
    System.out.println("  Open either URL in a browser. Ctrl-C stops.");
    System.out.println();
    System.out.flush();
    Thread.currentThread().join();
  }

  private static boolean bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
    }
    return false;
  }

  /** The servlet port from {@code --port N}, else {@code PORT}, else 8080. */
  static int port(String[] args, Map<String, String> env) {
    String value = null;
    String source = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--port")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--port needs a number");
        }
        value = args[i + 1];
        source = "--port";
      } else if (args[i].startsWith("--port=")) {
        value = args[i].substring(7);
        source = "--port";
      }
    }
    if (value == null && env.get("PORT") != null && !env.get("PORT").isBlank()) {
      value = env.get("PORT").trim();
      source = "PORT";
    }
    if (value == null) {
      return 8080;
    }
    try {
      int p = Integer.parseInt(value);
      if (p >= 0 && p <= 65534) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(source + " must be a port number from 0 to 65534 (Netty uses port + 1), but was '"
        + value + "'");
  }
}
