package dev.sseauth.benchmarks.load;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * The load-test server process: {@code LoadServer <jetty|netty> <variant>} serves {@code GET /events}
 * on a random 127.0.0.1 port, prints {@code READY <port>} and runs until its standard input closes.
 *
 * <p>{@code /events?n=N[&hold=1]}: a {@code text/event-stream} of N 100-byte events with ids, each
 * flushed, then the response ends (or, with {@code hold=1} on Netty, stays open). {@code /admin/heap}:
 * used heap after repeated full GCs and the number of held streams, as JSON. sse-auth guards only
 * {@code /events}; its ticket endpoint is {@code POST /sse/ticket} with {@code Authorization: Bearer}.
 */
public final class LoadServer {
  private LoadServer() {}

  /** The server's sse-auth configuration: HS256 session tokens, bearer-authenticated ticket endpoint. */
  static SseAuth sseAuth() {
    Properties p = new Properties();
    p.setProperty("sseauth.token.secret", Wire.SESSION_SECRET);
    p.setProperty("sseauth.bearer.secret", new String(Wire.ACCESS_SECRET, StandardCharsets.UTF_8));
    p.setProperty("sseauth.paths", "/events");
    return SseAuth.create(SseAuthConfig.fromProperties(p));
  }

  /** Where {@code /admin/heap} writes a class histogram while streams are held; null for nowhere. */
  static volatile String histogramFile;

  /**
   * Used heap in bytes after full GCs (the least of five), and held streams: {@code {"used":..,"held":..}}.
   * With streams held and a {@link #histogramFile}, also writes the live-object class histogram there.
   */
  static String heapJson(int held) {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      least = Math.min(least, m.getHeapMemoryUsage().getUsed());
    }
    if (held > 0 && histogramFile != null) {
      try {
        Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
            new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
            new Object[] {null}, new String[] {String[].class.getName()});
        java.nio.file.Files.writeString(java.nio.file.Path.of(histogramFile), String.valueOf(histogram));
      } catch (Exception e) {
        System.err.println("class histogram failed: " + e);
      }
    }
    return "{\"used\":" + least + ",\"held\":" + held + "}";
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: LoadServer <jetty|netty> <unguarded|sseauth|jwt_query> [class-histogram-file]");
      System.exit(2);
    }
    Variant variant = Variant.valueOf(args[1].toUpperCase(Locale.ROOT));
    histogramFile = args.length == 3 ? args[2] : null;
    AutoCloseable server;
    int port;
    if (args[0].equals("jetty")) {
      JettyLoadServer s = new JettyLoadServer(variant);
      server = s;
      port = s.port();
    } else if (args[0].equals("netty")) {
      NettyLoadServer s = new NettyLoadServer(variant);
      server = s;
      port = s.port();
    } else {
      throw new IllegalArgumentException("server must be jetty or netty, but was " + args[0]);
    }
    System.out.println("READY " + port);
    System.out.flush();
    while (System.in.read() >= 0) {
      // run until the harness closes our standard input
    }
    server.close();
    System.exit(0);
  }
}
