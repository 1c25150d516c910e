package dev.sseauth.benchmarks.load;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * The load-test server process: {@code LoadServer <jetty|tomcat|netty|webflux> <variant> [class-histogram-file]}
 * serves {@code GET /events} on a random 127.0.0.1 port, prints {@code READY <port>} and runs until its
 * standard input closes.
 *
 * <ul>
 *   <li>{@code /events?n=N}: a {@code text/event-stream} of N 100-byte events with ids, each flushed,
 *       then the response ends. With {@code hold=1} the stream stays open after them (the servlet
 *       servers hold it in an {@code AsyncContext}) and, when {@code -Dbench.retryMs} is set, starts with
 *       the application's own {@code retry:} line.
 *   <li>{@code /admin/heap}: used heap after repeated full GCs, held streams and sse-auth's live streams,
 *       as JSON.
 *   <li>{@code /admin/count}: held streams, sse-auth's live streams, the process's CPU time and JIT time, as
 *       JSON (no GC).
 *   <li>{@code /admin/cut}: closes every connection but the one asking, at once (a restart or a
 *       load-balancer failover, as the clients see it); answers {@code {"closed":N}}.
 * </ul>
 *
 * <p>sse-auth guards only {@code /events}; its ticket endpoint is {@code POST /sse/ticket} with
 * {@code Authorization: Bearer}. System properties: {@code bench.retryMs} (the SSE {@code retry} of
 * sse-auth's handshake and of the application's held streams alike; unset: sse-auth's default and none
 * from the application), {@code bench.heapGcs} (full GCs per heap reading, default 5), {@code bench.jitter} (sse-auth's
 * {@code sseauth.retry.jitter}), {@code bench.appRetry} ({@code false}: the application sends no {@code retry:}).
 */
public final class LoadServer {
  /** The {@code retry} (ms) sent on held streams and in sse-auth's handshake; 0 for the defaults. */
  static final int RETRY_MS = Integer.getInteger("bench.retryMs", 0);
  /** {@code sseauth.retry.jitter} of the guarded servers, or null for sse-auth's default (the jitter storms). */
  private static final String JITTER = System.getProperty("bench.jitter");
  /** Whether the application sends a {@code retry:} of its own, which would replace sse-auth's jittered one. */
  private static final boolean APP_RETRY = Boolean.parseBoolean(System.getProperty("bench.appRetry", "true"));
  private static final int HEAP_GCS = Math.max(1, Integer.getInteger("bench.heapGcs", 5));

  private LoadServer() {}

  /**
   * A new sse-auth core as every guarded load server builds it: HS256 session tokens in the default token
   * format, bearer-authenticated ticket endpoint, {@code /events} guarded. The caller closes it.
   */
  public static SseAuth sseAuth() {
    Properties p = new Properties();
    p.setProperty("sseauth.token.secret", Wire.SESSION_SECRET);
    p.setProperty("sseauth.bearer.secret", new String(Wire.ACCESS_SECRET, StandardCharsets.UTF_8));
    p.setProperty("sseauth.paths", "/events");
    if (RETRY_MS > 0) {
      p.setProperty("sseauth.handshake.retry", RETRY_MS + "ms");
    }
    if (JITTER != null) {
      p.setProperty("sseauth.retry.jitter", JITTER);
    }
    return SseAuth.create(SseAuthConfig.fromProperties(p));
  }

  /** The application's {@code retry:} event opening a held stream, or an empty array. */
  static byte[] retryEvent() {
    return RETRY_MS > 0 && APP_RETRY ? ("retry: " + RETRY_MS + "\n\n").getBytes(StandardCharsets.US_ASCII) : new byte[0];
  }

  /** Closes every connection of a server but one. */
  interface Cutter {
    /**
     * Closes every connection open when called except the one from {@code keepRemotePort} (connections
     * opened meanwhile stay open); how many were closed.
     */
    int cutAllBut(int keepRemotePort);
  }

  /** Where {@code /admin/heap} writes a class histogram while streams are held; null for nowhere. */
  static volatile String histogramFile;

  /**
   * Used heap in bytes after full GCs (the least of {@code bench.heapGcs}), held streams and sse-auth's
   * live streams: {@code {"used":..,"held":..,"live":..}}. With streams held and a {@link #histogramFile},
   * also writes the live-object class histogram there.
   */
  static String heapJson(int held, SseAuth auth) {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < HEAP_GCS; i++) {
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
    return "{\"used\":" + least + ",\"held\":" + held + ",\"live\":" + (auth == null ? 0 : auth.liveStreams()) + "}";
  }

  /**
   * Held streams, sse-auth's live streams, this process's CPU time in nanoseconds and the JIT compilers'
   * total time in milliseconds (-1 if unknown), without a GC: {@code {"held":..,"live":..,"cpu":..,"jitMs":..}}.
   */
  static String countJson(int held, SseAuth auth) {
    long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    var jit = ManagementFactory.getCompilationMXBean();
    long jitMs = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    return "{\"held\":" + held + ",\"live\":" + (auth == null ? 0 : auth.liveStreams()) + ",\"cpu\":" + cpu
        + ",\"jitMs\":" + jitMs + "}";
  }

  /** {@code {"closed":N}}. */
  static String cutJson(int closed) {
    return "{\"closed\":" + closed + "}";
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: LoadServer <jetty|tomcat|netty|webflux> <unguarded|sseauth|jwt_query> [class-histogram-file]");
      System.exit(2);
    }
    Variant variant = Variant.valueOf(args[1].toUpperCase(Locale.ROOT));
    histogramFile = args.length == 3 ? args[2] : null;
    AutoCloseable server;
    int port;
    switch (args[0]) {
      case "jetty" -> {
        JettyLoadServer s = new JettyLoadServer(variant);
        server = s;
        port = s.port();
      }
      case "tomcat" -> {
        TomcatLoadServer s = new TomcatLoadServer(variant);
        server = s;
        port = s.port();
      }
      case "netty" -> {
        NettyLoadServer s = new NettyLoadServer(variant);
        server = s;
        port = s.port();
      }
      case "webflux" -> {
        WebFluxLoadServer s = new WebFluxLoadServer(variant);
        server = s;
        port = s.port();
      }
      default -> throw new IllegalArgumentException("server must be jetty, tomcat, netty or webflux, but was " + args[0]);
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
