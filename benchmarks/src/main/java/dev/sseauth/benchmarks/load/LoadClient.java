package dev.sseauth.benchmarks.load;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load-test client process (HTTP/1.1 on 127.0.0.1). It runs the tasks named on its command line
 * against one server, in order, and prints one {@code RESULT <json>} line per measurement. The rate
 * measurements use {@link RawHttp} (blocking sockets, keep-alive, one connection per worker), the held
 * streams {@link HeldStreams} (non-blocking sockets on one selector thread): both light enough that one
 * client core outpaces one server core.
 *
 * <pre>
 * LoadClient &lt;port|-&gt; &lt;variant&gt; &lt;task&gt;...
 *   throughput:&lt;concurrency&gt;:&lt;warmupMs&gt;:&lt;warmupCapMs&gt;:&lt;measureMs&gt;:&lt;streams&gt;:&lt;eventsPerStream&gt;
 *   held:&lt;streams&gt;:&lt;timeoutMs&gt;:&lt;heap 0|1&gt;:&lt;storm 0|1&gt;:&lt;warmupCuts&gt;:&lt;warmupCutsCap&gt;
 * </pre>
 *
 * <p>With {@code -} for the port it reads the port from the first line of its standard input (so it can
 * start while the server is still starting).
 *
 * <p>throughput: reconnects/s (GET with {@code Last-Event-ID}, one event), first connects/s (for
 * sse-auth the ticket request plus the stream with {@code ?slt=}), events/s over {@code streams}
 * concurrent streams. held: opens {@code streams} {@link HeldStreams} and waits for each one's first
 * event; with heap 1 reports the server's used heap before and after; with storm 1 asks the server to
 * close every connection at once ({@code /admin/cut}) and reports the time until every stream has
 * reconnected (after the server's {@code retry}, with its {@code Last-Event-ID}) and received its next
 * application event: {@code warmupCuts} warm-up cuts, more while the server's JIT is busy during a cut
 * (up to {@code warmupCutsCap}), then the measured one. Each result also carries {@code clientCpu}: the CPU this process used over the
 * measurement, in cores (near 1 on one pinned core means the client, not the server, set the pace).
 */
public final class LoadClient {
  /** Completions a rate needs at least, however long that takes (up to 30 s more). */
  private static final int MIN_OPS = 5;
  private final int port;
  private final Variant variant;
  private final RawHttp adminConn;

  private LoadClient(int port, Variant variant) {
    this.port = port;
    this.variant = variant;
    this.adminConn = new RawHttp(port);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: LoadClient <port|-> <variant> <throughput:..|held:..>...");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0].equals("-")
        ? new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine().trim()
        : args[0]);
    Variant variant = Variant.valueOf(args[1].toUpperCase(Locale.ROOT));
    LoadClient c = new LoadClient(port, variant);
    for (int i = 2; i < args.length; i++) {
      String[] t = args[i].split(":");
      switch (t[0]) {
        case "throughput" -> c.throughput(Integer.parseInt(t[1]), Long.parseLong(t[2]), Long.parseLong(t[3]),
            Long.parseLong(t[4]), Integer.parseInt(t[5]), Integer.parseInt(t[6]));
        case "held" -> c.held(Integer.parseInt(t[1]), Long.parseLong(t[2]), "1".equals(t[3]), "1".equals(t[4]),
            Integer.parseInt(t[5]), Integer.parseInt(t[6]));
        default -> throw new IllegalArgumentException("a task is throughput:.. or held:.., but was " + args[i]);
      }
    }
    System.exit(0);
  }

  /**
   * Warms every path ({@link #warm}), then measures reconnects, first connects and events, each after a
   * short settling run of its own.
   */
  private void throughput(int concurrency, long warmup, long warmupCap, long measure, int streams, int events)
      throws Exception {
    Map<String, Object> warmed = warm(concurrency, warmup, warmupCap, streams, events);
    long settle = Math.min(1000, warmup);
    Map<String, Object> r = rate(concurrency, settle, measure, this::reconnect);
    r.putAll(warmed);
    emit("reconnect", r);
    emit("first", rate(concurrency, settle, measure, this::firstConnect));
    events(streams, Math.max(1, events / 10));
    emit("events", events(streams, events));
  }

  /**
   * Runs reconnects, first connects and event streams in turn for at least {@code minMs} and then until
   * the server's JIT is quiet (under 2% of a round's time spent compiling), until {@code capMs} at most:
   * on one core a server JVM that is still compiling (sse-auth's paths take the JIT about 50 seconds of
   * one core) is slower on whichever path is measured first. Returns {@code warmupMs} (how long it took)
   * and {@code jitQuiet} (false if the cap came first).
   */
  private Map<String, Object> warm(int concurrency, long minMs, long capMs, int streams, int events) throws Exception {
    long start = System.nanoTime();
    long slice = Math.max(1, Math.min(1000, minMs / 3));
    boolean quiet = false;
    while (true) {
      long jit0 = serverJitMs();
      long t0 = System.nanoTime();
      rate(concurrency, 0, slice, this::reconnect);
      rate(concurrency, 0, slice, this::firstConnect);
      events(streams, Math.max(1, events / 10));
      long roundMs = (System.nanoTime() - t0) / 1_000_000;
      long jit = serverJitMs();
      quiet = jit0 >= 0 && jit >= 0 && (jit - jit0) * 50 < roundMs;
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      if (elapsed >= Math.max(minMs, capMs) || (elapsed >= minMs && (quiet || jit0 < 0))) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warmupMs", elapsed);
        m.put("jitQuiet", quiet);
        return m;
      }
    }
  }

  /** The server's total JIT compilation time in ms ({@code /admin/count}), or -1 if unknown. */
  private long serverJitMs() {
    try {
      Object jit = admin("count").get("jitMs");
      return jit instanceof Number n ? n.longValue() : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU time of this process so far, in nanoseconds, or -1 if unknown. */
  private static long cpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** The server process's CPU time so far ({@code /admin/count}), in nanoseconds, or -1 if unknown. */
  private long serverCpuNanos() {
    try {
      Object cpu = admin("count").get("cpu");
      return cpu instanceof Number n ? n.longValue() : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Cores the server used between ({@code cpu0}, {@code wall0}) and now; NaN if unknown. */
  private double serverCores(long cpu0, long wall0) {
    long cpu = serverCpuNanos();
    return cpu < 0 || cpu0 < 0 ? Double.NaN : (double) (cpu - cpu0) / (System.nanoTime() - wall0);
  }

  /** Cores this process used between ({@code cpu0}, {@code wall0}) and now; NaN if unknown. */
  private static double cores(long cpu0, long wall0) {
    long cpu = cpuNanos();
    return cpu < 0 || cpu0 < 0 ? Double.NaN : (double) (cpu - cpu0) / (System.nanoTime() - wall0);
  }

  private void emit(String name, Map<String, Object> result) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", name);
    m.put("variant", variant.name());
    result.forEach((k, v) -> m.put(k, v instanceof Double d && !Double.isFinite(d) ? null : v)); // JSON has no NaN
    System.out.println("RESULT " + JSONObjectUtils.toJSONString(m));
    System.out.flush();
  }

  // ---- one operation of each kind; each returns normally only on success ----

  @FunctionalInterface
  interface Op {
    void run(Worker w) throws Exception;
  }

  /**
   * Per-worker state: the app's access token, for sse-auth a session token from a first connect, and the
   * worker's own keep-alive connection.
   */
  final class Worker implements AutoCloseable {
    final String subject;
    final String accessToken;
    final RawHttp conn = new RawHttp(port);
    final Collect body = new Collect();
    String lastEventId;

    Worker(int i) throws IOException {
      subject = "user-" + i + "@example.com";
      accessToken = Wire.accessToken(subject);
      lastEventId = "41";
      if (variant == Variant.SSEAUTH) {
        ticketedStream();
        String b = body.text();
        int at = b.indexOf("\nid: ") + 5;
        lastEventId = b.substring(at, b.indexOf('\n', at)) + "41"; // "<token>_" + the app's id
      }
    }

    /** sse-auth first connect: POST the ticket endpoint with the bearer token, then open the stream with it. */
    void ticketedStream() throws IOException {
      body.reset();
      int status = conn.exchange("POST", "/sse/ticket", body, "Authorization: Bearer " + accessToken);
      require(status == 200, "ticket request answered " + status);
      String ticket = json(body.text()).get("ticket").toString();
      stream(this, "/events?n=1" + ASYNC + "&slt=" + ticket, null);
    }

    @Override
    public void close() {
      conn.close();
    }
  }

  /** A response body kept in memory (small: one event and a handshake). */
  static final class Collect extends java.io.ByteArrayOutputStream implements RawHttp.Body {
    @Override
    public void accept(byte[] b, int off, int len) {
      write(b, off, len);
    }

    String text() {
      return new String(buf, 0, count, StandardCharsets.UTF_8);
    }

    boolean contains(byte[] marker) {
      outer:
      for (int i = 0; i + marker.length <= count; i++) {
        for (int j = 0; j < marker.length; j++) {
          if (buf[i + j] != marker[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }
  }

  private static final byte[] APP = Wire.APP_DATA.getBytes(StandardCharsets.US_ASCII);
  /** The same field without the optional space after the colon, as Spring's event writer (WebFlux) sends it. */
  private static final byte[] APP_NO_SPACE = Wire.APP_DATA.replace(": ", ":").getBytes(StandardCharsets.US_ASCII);

  /** One stream request on the worker's connection; its body stays in {@code w.body}. */
  private void stream(Worker w, String pathAndQuery, String lastEventId) throws IOException {
    w.body.reset();
    int status = lastEventId == null ? w.conn.exchange("GET", pathAndQuery, w.body)
        : w.conn.exchange("GET", pathAndQuery, w.body, "Last-Event-ID: " + lastEventId);
    require(status == 200, "stream answered " + status);
    require(w.body.contains(APP) || w.body.contains(APP_NO_SPACE), "stream delivered no application event");
  }

  /** {@code -Dbench.async=true}: ask the Jetty application to stream inside an AsyncContext. */
  private static final String ASYNC = Boolean.getBoolean("bench.async") ? "&async=1" : "";

  private String streamPath(Worker w, int events) {
    return "/events?n=" + events + ASYNC + (variant == Variant.JWT_QUERY ? "&access_token=" + w.accessToken : "");
  }

  private void reconnect(Worker w) throws Exception {
    stream(w, streamPath(w, 1), w.lastEventId);
  }

  private void firstConnect(Worker w) throws Exception {
    if (variant == Variant.SSEAUTH) {
      w.ticketedStream();
    } else {
      stream(w, streamPath(w, 1), null);
    }
  }

  // ---- measurements ----

  /** Operations per second over {@code measureMs} after {@code warmupMs}, with {@code concurrency} workers. */
  private Map<String, Object> rate(int concurrency, long warmupMs, long measureMs, Op op) throws Exception {
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      workers.add(new Worker(i));
    }
    long server0 = serverCpuNanos();
    long start = System.nanoTime();
    long cpu0 = cpuNanos();
    long connections0 = RawHttp.CONNECTIONS.get();
    long from = start + TimeUnit.MILLISECONDS.toNanos(warmupMs);
    long until = from + TimeUnit.MILLISECONDS.toNanos(measureMs);
    long cap = until + TimeUnit.SECONDS.toNanos(30); // a window too short for a cold JVM grows up to this
    AtomicLong done = new AtomicLong();
    AtomicLong lastEnd = new AtomicLong(until);
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    List<Future<?>> futures = new ArrayList<>();
    for (Worker w : workers) {
      futures.add(pool.submit(() -> {
        while (true) {
          long now = System.nanoTime();
          if (now >= until && (done.get() >= MIN_OPS || now >= cap)) {
            break;
          }
          try {
            op.run(w);
            long end = System.nanoTime();
            if (end >= from) { // completions from the end of the warm-up on
              done.incrementAndGet();
              lastEnd.accumulateAndGet(end, Math::max);
            }
          } catch (Exception e) {
            if (errors.incrementAndGet() <= 3) {
              System.err.println("operation failed: " + e);
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(warmupMs + measureMs + 90_000, TimeUnit.MILLISECONDS);
    }
    pool.shutdown();
    workers.forEach(Worker::close);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate", done.get() * 1e9 / (lastEnd.get() - from));
    m.put("ops", done.get());
    m.put("connections", RawHttp.CONNECTIONS.get() - connections0); // warm-up included: compare with ops
    m.put("errors", errors.get());
    m.put("clientCpu", cores(cpu0, start));
    m.put("serverCpu", serverCores(server0, start));
    return m;
  }

  /** Events per second delivered over {@code streams} concurrent streams of {@code events} events each. */
  private Map<String, Object> events(int streams, int events) throws Exception {
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      workers.add(new Worker(1000 + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    AtomicLong received = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Future<?>> futures = new ArrayList<>();
    long server0 = serverCpuNanos();
    long start = System.nanoTime();
    long cpu0 = cpuNanos();
    for (Worker w : workers) {
      futures.add(pool.submit(() -> {
        try {
          Counter counter = new Counter();
          int status = variant == Variant.SSEAUTH
              ? w.conn.exchange("GET", streamPath(w, events), counter, "Last-Event-ID: " + w.lastEventId)
              : w.conn.exchange("GET", streamPath(w, events), counter);
          require(status == 200, "stream answered " + status);
          received.addAndGet(counter.events);
        } catch (Exception e) {
          if (errors.incrementAndGet() <= 3) {
            System.err.println("stream failed: " + e);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(10, TimeUnit.MINUTES);
    }
    long elapsed = System.nanoTime() - start;
    pool.shutdown();
    workers.forEach(Worker::close);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate", received.get() * 1e9 / elapsed);
    m.put("events", received.get());
    m.put("expected", (long) streams * events);
    m.put("errors", errors.get() + (received.get() == (long) streams * events ? 0 : 1));
    m.put("clientCpu", cores(cpu0, start));
    m.put("serverCpu", serverCores(server0, start));
    return m;
  }

  /** Counts blank-line-terminated blocks ({@code \n\n}) of a body. */
  static final class Counter implements RawHttp.Body {
    long events;
    private byte prev;

    @Override
    public void accept(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        byte c = b[i];
        if (c == '\n' && prev == '\n') {
          events++;
        }
        prev = c;
      }
    }
  }

  /**
   * Opens {@code streams} held streams, reports the server's heap per stream if {@code heap}, then, if
   * {@code storm}, cuts every connection: at least {@code warmupCuts} warm-up cuts, more (up to
   * {@code warmupCutsCap}) while the server's JIT compiled for more than 5% of the last cut's recovery
   * (a new connection per stream and the held path are not what the rates warm), then the measured cut.
   * Every cut is reported ({@code warmup} true but for the measured one).
   */
  private void held(int streams, long timeoutMs, boolean heap, boolean storm, int warmupCuts, int warmupCutsCap)
      throws Exception {
    Map<String, Object> before = heap ? admin("heap") : null;
    Semaphore opening = new Semaphore(128);
    AtomicInteger opened = new AtomicInteger();
    java.util.Set<Integer> everOpened = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicLong failures = new AtomicLong();
    AtomicReference<Storm> current = new AtomicReference<>();
    HeldStreams.Listener listener = new HeldStreams.Listener() {
      @Override
      public void appEvent(HeldStreams.Stream s, int attempt) {
        if (everOpened.add(s.index())) { // its first event ever (a first connection that failed released its permit)
          opened.incrementAndGet();
          if (attempt == 1) {
            opening.release();
          }
        }
        Storm st = current.get();
        if (st != null) {
          st.recovered(s, attempt);
        }
      }

      @Override
      public void failed(HeldStreams.Stream s, int attempt, String why) {
        if (failures.incrementAndGet() <= 3) {
          System.err.println("held stream " + s.index() + " connection " + attempt + " failed: " + why);
        }
        if (attempt == 1) {
          opening.release(); // it retries on its own; do not hold up the others
        }
      }
    };
    HeldStreams held = new HeldStreams(port, variant, listener);
    List<HeldStreams.Stream> all = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (int i = 0; i < streams && System.nanoTime() < deadline; i++) {
      if (!opening.tryAcquire(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS)) {
        break;
      }
      all.add(held.open(i));
    }
    while (opened.get() < all.size() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    int opens = opened.get();
    if (heap) {
      Map<String, Object> after = admin("heap");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("streams", opens);
      m.put("held", after.get("held"));
      m.put("live", after.get("live"));
      m.put("usedBefore", before.get("used"));
      m.put("usedAfter", after.get("used"));
      long delta = ((Number) after.get("used")).longValue() - ((Number) before.get("used")).longValue();
      m.put("bytesPerStream", opens == 0 ? -1.0 : (double) delta / opens);
      m.put("errors", failures.get() + (streams - opens));
      emit("heap", m);
    }
    for (int cut = 1; storm; cut++) {
      Map<String, Object> m = cut(all, current, failures, timeoutMs);
      m.put("errors", ((Number) m.get("errors")).longValue() + (opens < streams ? 1 : 0));
      boolean jitBusy = ((Number) m.get("serverJitMs")).doubleValue() * 20 > number(m.get("recoveryMs"));
      boolean measured = cut > warmupCuts && (!jitBusy || cut > warmupCutsCap);
      m.put("cut", cut);
      m.put("warmup", !measured);
      emit("storm", m);
      if (measured) {
        break;
      }
    }
    held.close();
  }

  /** One cut of every connection, and the streams' recovery: the result line without {@code cut} and {@code warmup}. */
  private Map<String, Object> cut(List<HeldStreams.Stream> all, AtomicReference<Storm> current, AtomicLong failures,
      long timeoutMs) throws Exception {
    Storm st = new Storm(all);
    long failed0 = failures.get();
    long server0 = serverCpuNanos();
    long jit0 = serverJitMs();
    long cpu0 = cpuNanos();
    current.set(st);
    long t0 = System.nanoTime();
    Map<String, Object> answer = admin("cut");
    boolean allBack = st.await(Math.max(60_000, timeoutMs));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("streams", all.size());
    m.put("closed", answer.get("closed"));
    m.put("recovered", st.count());
    m.put("recoveryMs", allBack ? st.lastMs(t0) : Double.NaN);
    m.put("medianMs", st.percentileMs(t0, 0.5));
    m.put("p99Ms", st.percentileMs(t0, 0.99));
    m.put("peakPerSec", st.peakPerSecond(100));
    m.put("errors", failures.get() - failed0 + (all.size() - st.count()));
    m.put("clientCpu", cores(cpu0, t0));
    m.put("serverCpu", serverCores(server0, t0));
    m.put("serverJitMs", jit0 < 0 ? -1 : serverJitMs() - jit0); // compiling during the storm
    current.set(null);
    Map<String, Object> count = admin("count"); // a server that leaks ended streams holds more than it should
    m.put("heldAfter", count.get("held"));
    m.put("liveAfter", count.get("live"));
    return m;
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** One cut: which streams have recovered since (a new connection delivered an application event), and when. */
  static final class Storm {
    private final int[] cutAttempt;
    private final long[] at;
    private final java.util.concurrent.CountDownLatch latch;

    /** Streams indexed 0 to n-1 ({@link HeldStreams.Stream#index()}). */
    Storm(List<HeldStreams.Stream> streams) {
      cutAttempt = new int[streams.size()];
      for (HeldStreams.Stream s : streams) {
        cutAttempt[s.index()] = s.attempt();
      }
      at = new long[streams.size()];
      latch = new java.util.concurrent.CountDownLatch(streams.size());
    }

    void recovered(HeldStreams.Stream s, int attempt) {
      if (s.index() >= cutAttempt.length || attempt <= cutAttempt[s.index()]) {
        return;
      }
      synchronized (at) {
        if (at[s.index()] == 0) {
          at[s.index()] = System.nanoTime();
          latch.countDown();
        }
      }
    }

    boolean await(long timeoutMs) throws InterruptedException {
      return latch.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    int count() {
      return (int) (at.length - latch.getCount());
    }

    double lastMs(long t0) {
      return percentileMs(t0, 1.0);
    }

    /** The most streams that recovered within any {@code windowMs}, as a rate per second. */
    double peakPerSecond(long windowMs) {
      long[] done;
      synchronized (at) {
        done = java.util.Arrays.stream(at).filter(t -> t != 0).sorted().toArray();
      }
      long window = TimeUnit.MILLISECONDS.toNanos(windowMs);
      int most = 0;
      for (int i = 0, j = 0; j < done.length; j++) {
        while (done[j] - done[i] >= window) {
          i++;
        }
        most = Math.max(most, j - i + 1);
      }
      return most * 1000.0 / windowMs;
    }

    double percentileMs(long t0, double p) {
      long[] done;
      synchronized (at) {
        done = java.util.Arrays.stream(at).filter(t -> t != 0).sorted().toArray();
      }
      if (done.length == 0) {
        return Double.NaN;
      }
      int i = Math.min(done.length - 1, Math.max(0, (int) Math.ceil(p * done.length) - 1));
      return (done[i] - t0) / 1e6;
    }
  }

  /** {@code GET /admin/<what>} on the client's own connection (main thread only). */
  private Map<String, Object> admin(String what) throws IOException {
    Collect body = new Collect();
    int status = adminConn.exchange("GET", "/admin/" + what, body);
    require(status == 200, "/admin/" + what + " answered " + status);
    return json(body.text());
  }

  static Map<String, Object> json(String s) {
    try {
      return JSONObjectUtils.parse(s);
    } catch (java.text.ParseException e) {
      throw new IllegalStateException("not JSON: " + s.substring(0, Math.min(80, s.length())), e);
    }
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }
}
